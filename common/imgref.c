/* imgref.c: parses image references and normalises them as Docker does (imgref.h has the grammar). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "imgref.h"

static int
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_word(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int
imgref_digest_valid(const char *d)
{
	size_t want, n = 0;

	if (strncmp(d, "sha256:", 7) == 0)
		want = 64;
	else if (strncmp(d, "sha512:", 7) == 0)
		want = 128;
	else
		return 0;
	for (d += 7; *d; d++, n++)
		if (!is_hex(*d))
			return 0;
	return n == want;
}

/* [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* over s[0..n) */
static int
path_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;

		while (i < n && is_lower_alnum(s[i]))
			i++, run++;
		if (run == 0)
			return 0;
		if (i == n)
			return 1;
		if (s[i] == '.' || (s[i] == '_' && (i + 1 >= n || s[i + 1] != '_')))
			i++;
		else if (s[i] == '_')
			i += 2;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return 0;
		if (i == n)
			return 0;	/* a separator must be followed */
	}
	return 0;
}

static int
path_valid(const char *p, const char **why)
{
	const char *slash;

	do {
		slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!path_component_valid(p, n)) {
			for (size_t i = 0; i < n; i++)
				if (p[i] >= 'A' && p[i] <= 'Z') {
					*why = "repository name must be lowercase";
					return 0;
				}
			*why = "a path component of the name is empty or has a "
			    "character other than a-z, 0-9, '.', '_' and '-'";
			return 0;
		}
		p = slash ? slash + 1 : NULL;
	} while (p);
	return 1;
}

/* host [":" port], host being dot-separated [A-Za-z0-9-] labels or an
 * IPv6 address in brackets */
static int
domain_valid(const char *d)
{
	const char *port = NULL;

	if (*d == '[') {
		const char *e = strchr(d, ']');

		if (e == NULL || e == d + 1)
			return 0;
		for (const char *c = d + 1; c < e; c++)
			if (!is_hex(*c) && !(*c >= 'A' && *c <= 'F') && *c != ':' && *c != '.')
				return 0;
		port = e[1] == ':' ? e + 2 : NULL;
		if (!port && e[1])
			return 0;
	} else {
		for (const char *c = d; *c && *c != ':'; c++) {
			int alnum = is_word(*c) && *c != '_';

			if (!alnum && *c != '-' && *c != '.')
				return 0;
			if (*c == '.' && (c == d || c[1] == '.' || c[1] == ':' || !c[1]))
				return 0;
		}
		if (*d == '\0' || *d == ':' || *d == '-')
			return 0;
		port = strchr(d, ':') ? strchr(d, ':') + 1 : NULL;
	}
	if (port) {
		if (!*port)
			return 0;
		for (; *port; port++)
			if (*port < '0' || *port > '9')
				return 0;
	}
	return 1;
}

static int
tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !is_word(t[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word(t[i]) && t[i] != '.' && t[i] != '-')
			return 0;
	return 1;
}

static int
copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* name (without tag or digest) -> domain and path, normalised */
static int
split_name(const char *name, struct imgref *r, const char **why)
{
	const char *slash = strchr(name, '/'), *rest = name;
	size_t dn = slash ? (size_t)(slash - name) : 0;
	int is_domain = 0;

	if (slash) {
		is_domain = memchr(name, '.', dn) || memchr(name, ':', dn) ||
		    (dn == 9 && strncmp(name, "localhost", 9) == 0);
		for (size_t i = 0; i < dn && !is_domain; i++)
			is_domain = name[i] >= 'A' && name[i] <= 'Z';
	}
	if (is_domain) {
		if (copy(r->domain, sizeof(r->domain), name, dn) < 0)
			return *why = "the domain is too long", -EINVAL;
		rest = slash + 1;
		if (!domain_valid(r->domain))
			return *why = "the domain is not a host name, an IP "
			    "address or either with a port", -EINVAL;
		if (strcmp(r->domain, "index.docker.io") == 0)
			strcpy(r->domain, IMGREF_DOCKER_HUB);
	} else
		strcpy(r->domain, IMGREF_DOCKER_HUB);
	if (strcmp(r->domain, IMGREF_DOCKER_HUB) == 0 && strchr(rest, '/') == NULL) {
		if (snprintf(r->path, sizeof(r->path), "library/%s", rest) >=
		    (int)sizeof(r->path))
			return *why = "the name is too long", -EINVAL;
	} else if (copy(r->path, sizeof(r->path), rest, strlen(rest)) < 0)
		return *why = "the name is too long", -EINVAL;
	if (!path_valid(r->path, why))
		return -EINVAL;
	if (strlen(r->domain) + 1 + strlen(r->path) > 255)
		return *why = "the name is longer than 255 characters", -EINVAL;
	return 0;
}

int
imgref_parse(const char *s, struct imgref *r, const char **why)
{
	const char *at, *colon, *slash, *dummy;
	char name[IMGREF_NAME_MAX];
	size_t n;

	if (why == NULL)
		why = &dummy;
	memset(r, 0, sizeof(*r));
	if (s == NULL || *s == '\0')
		return *why = "the reference is empty", -EINVAL;
	at = strchr(s, '@');
	if (at) {
		if (copy(r->digest, sizeof(r->digest), at + 1, strlen(at + 1)) < 0 ||
		    !imgref_digest_valid(r->digest))
			return *why = "the digest is not sha256: and 64 lower-case "
			    "hex digits", -EINVAL;
		n = (size_t)(at - s);
	} else
		n = strlen(s);
	/* a tag is after the last ':' that has no '/' after it */
	slash = memrchr(s, '/', n);
	colon = memrchr(slash ? slash : s, ':', n - (size_t)((slash ? slash : s) - s));
	if (colon) {
		if (copy(r->tag, sizeof(r->tag), colon + 1, n - (size_t)(colon + 1 - s)) < 0 ||
		    !tag_valid(r->tag))
			return *why = "the tag is not 1 to 128 of A-Z, a-z, 0-9, '_', "
			    "'.' and '-', starting with neither '.' nor '-'", -EINVAL;
		n = (size_t)(colon - s);
	}
	if (n == 0)
		return *why = "the name is empty", -EINVAL;
	if (copy(name, sizeof(name), s, n) < 0)
		return *why = "the name is too long", -EINVAL;
	if (split_name(name, r, why) < 0)
		return -EINVAL;
	if (!r->tag[0] && !r->digest[0])
		strcpy(r->tag, "latest");
	return 0;
}

int
imgref_name(const struct imgref *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", r->domain, r->path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int
imgref_format(const struct imgref *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s%s%s%s%s", r->domain, r->path,
	    r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "", r->digest);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *
imgref_api_host(const char *domain)
{
	return strcmp(domain, IMGREF_DOCKER_HUB) == 0 ? "registry-1.docker.io" : domain;
}
