/* auth.c: WWW-Authenticate challenges, credentials from the Docker config file, and the bearer token cache. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "auth.h"
#include "imgref.h"
#include "util.h"

#define TOKENS_MAX		64
#define TOKEN_DEFAULT_TTL	60	/* the token spec's default expires_in */

/* --- challenges --- */

/* a bounded copy; what does not fit is cut */
static void
set_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/* A token or a quoted string into out; returns what follows, or NULL. */
static const char *
parse_value(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 < size)
				out[n++] = *p;
		}
		if (*p != '"')
			return NULL;
		p++;
	} else
		while (*p && *p != ',' && *p != ' ' && *p != '\t') {
			if (n + 1 < size)
				out[n++] = *p;
			p++;
		}
	out[n] = '\0';
	return p;
}

int
auth_challenge_parse(const char *hdr, struct auth_challenge *c)
{
	const char *p = skip_ws(hdr);
	char key[32], val[1024];

	memset(c, 0, sizeof(*c));
	if (strncasecmp(p, "Bearer", 6) == 0 && (p[6] == ' ' || p[6] == '\0'))
		c->scheme = AUTH_BEARER, p += 6;
	else if (strncasecmp(p, "Basic", 5) == 0 && (p[5] == ' ' || p[5] == '\0'))
		c->scheme = AUTH_BASIC, p += 5;
	else
		return -EINVAL;
	for (p = skip_ws(p); *p; p = skip_ws(p)) {
		size_t k = 0;

		while (*p && *p != '=' && *p != ' ' && *p != ',' && k + 1 < sizeof(key))
			key[k++] = *p++;
		key[k] = '\0';
		if (*p != '=' || k == 0)
			return -EINVAL;
		if ((p = parse_value(p + 1, val, sizeof(val))) == NULL)
			return -EINVAL;
		if (strcasecmp(key, "realm") == 0)
			set_str(c->realm, sizeof(c->realm), val);
		else if (strcasecmp(key, "service") == 0)
			set_str(c->service, sizeof(c->service), val);
		else if (strcasecmp(key, "scope") == 0)
			set_str(c->scope, sizeof(c->scope), val);
	}
	if (c->scheme == AUTH_BEARER && strncmp(c->realm, "https://", 8) != 0 &&
	    strncmp(c->realm, "http://", 7) != 0)
		return -EINVAL;
	return 0;
}

/* --- credentials --- */

void
auth_creds_wipe(struct auth_creds *c)
{
	explicit_bzero(c, sizeof(*c));
}

const char *
auth_config_path(void)
{
	static char path[PATH_MAX];
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dc && *dc)
		snprintf(path, sizeof(path), "%s/config.json", dc);
	else
		snprintf(path, sizeof(path), "%s/.docker/config.json", home ? home : "");
	return path;
}

/* "https://index.docker.io/v1/" -> "index.docker.io"; the Docker Hub's
 * names are all one */
static void
key_host(const char *key, char *out, size_t size)
{
	const char *p = key;
	size_t n;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	n = strcspn(p, "/");
	snprintf(out, size, "%.*s", (int)n, p);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io"))
		snprintf(out, size, "%s", IMGREF_DOCKER_HUB);
}

/* The key of domain in an object keyed by registry (auths, credHelpers). */
static json_t *
find_entry(json_t *obj, const char *domain)
{
	const char *key;
	json_t *v;
	char host[IMGREF_DOMAIN_MAX];

	json_object_foreach(obj, key, v) {
		key_host(key, host, sizeof(host));
		if (strcmp(host, domain) == 0)
			return v;
	}
	return NULL;
}

/* auths: {"auth": base64(user:password)} or {"username", "password"} */
static int
from_auths(json_t *e, struct auth_creds *c, char *why, size_t ws)
{
	const char *b64 = json_string_value(json_object_get(e, "auth"));
	const char *u = json_string_value(json_object_get(e, "username"));
	const char *pw = json_string_value(json_object_get(e, "password"));
	unsigned char raw[sizeof(c->user) + sizeof(c->secret)];
	char *colon;
	int n;

	if (json_string_value(json_object_get(e, "identitytoken")) && !b64 && !u)
		return snprintf(why, ws, "its entry holds an identity token, which "
		    "kiln does not use yet: log in with a password or access token"),
		    -ENOTSUP;
	if (u && pw) {
		set_str(c->user, sizeof(c->user), u);
		set_str(c->secret, sizeof(c->secret), pw);
		return 0;
	}
	if (b64 == NULL || strlen(b64) > sizeof(raw) * 3 / 4)
		return -ENOENT;
	n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
	if (n < 0)
		return snprintf(why, ws, "its \"auth\" is not base64"), -EINVAL;
	while (n > 0 && raw[n - 1] == '\0')	/* the padding decodes to NULs */
		n--;
	raw[n] = '\0';
	colon = strchr((char *)raw, ':');
	if (colon == NULL) {
		explicit_bzero(raw, sizeof(raw));
		return snprintf(why, ws, "its \"auth\" is not base64 of "
		    "user:password"), -EINVAL;
	}
	*colon = '\0';
	set_str(c->user, sizeof(c->user), (char *)raw);
	set_str(c->secret, sizeof(c->secret), colon + 1);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/* The server name a credential helper knows a registry by. */
static void
helper_server(const char *domain, char *out, size_t size)
{
	if (strcmp(domain, IMGREF_DOCKER_HUB) == 0)
		snprintf(out, size, "https://index.docker.io/v1/");
	else
		snprintf(out, size, "%s", domain);
}

/* NULL with why[0] == '\0' when there is no config file */
static json_t *
load_config(char *why, size_t ws)
{
	const char *path = auth_config_path();
	json_error_t err;
	json_t *j;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		if (errno != ENOENT)
			snprintf(why, ws, "%s: %s", path, strerror(errno));
		return NULL;
	}
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	fclose(f);
	if (j == NULL || !json_is_object(j)) {
		snprintf(why, ws, "%s: %s", path, j ? "not a JSON object" : err.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

int
auth_creds_lookup(const char *domain, struct auth_creds *c, char *why, size_t ws)
{
	json_t *j, *e;
	const char *helper = NULL;
	char server[IMGREF_DOMAIN_MAX + 32];
	int r = -ENOENT;

	memset(c, 0, sizeof(*c));
	why[0] = '\0';
	if ((j = load_config(why, ws)) == NULL)
		return why[0] ? -EINVAL : -ENOENT;
	e = find_entry(json_object_get(j, "credHelpers"), domain);
	helper = e ? json_string_value(e) : json_string_value(json_object_get(j, "credsStore"));
	if (helper && *helper) {
		helper_server(domain, server, sizeof(server));
		r = auth_helper_get(helper, server, c, why, ws);
		snprintf(c->source, sizeof(c->source), "docker-credential-%.40s", helper);
	}
	if (r == -ENOENT && (e = find_entry(json_object_get(j, "auths"), domain))) {
		r = from_auths(e, c, why, ws);
		snprintf(c->source, sizeof(c->source), "%s", auth_config_path());
	}
	json_decref(j);
	if (r < 0) {
		char keep[sizeof(c->source)];

		memcpy(keep, c->source, sizeof(keep));
		auth_creds_wipe(c);
		memcpy(c->source, keep, sizeof(keep));
	}
	return r;
}

/* --- bearer tokens --- */

static struct token {
	char	*host, *scope, *token;
	time_t	 expires;
} tokens[TOKENS_MAX];

static void
token_drop(struct token *t)
{
	free(t->host);
	free(t->scope);
	if (t->token) {
		explicit_bzero(t->token, strlen(t->token));
		free(t->token);
	}
	memset(t, 0, sizeof(*t));
}

const char *
auth_token_find(const char *host, const char *scope)
{
	time_t now = time(NULL);

	for (int i = 0; i < TOKENS_MAX; i++) {
		struct token *t = &tokens[i];

		if (t->token && t->expires <= now)
			token_drop(t);
		else if (t->token && !strcmp(t->host, host) && !strcmp(t->scope, scope))
			return t->token;
	}
	return NULL;
}

int
auth_token_store(const char *host, const char *scope, const char *token,
    int64_t expires_in)
{
	struct token *slot = &tokens[0];

	for (int i = 0; i < TOKENS_MAX; i++) {
		struct token *t = &tokens[i];

		if (t->token && !strcmp(t->host, host) && !strcmp(t->scope, scope)) {
			slot = t;
			break;
		}
		if (t->token == NULL || t->expires < slot->expires)
			slot = t;
	}
	token_drop(slot);
	slot->host = strdup(host);
	slot->scope = strdup(scope);
	slot->token = strdup(token);
	/* a little early, so a token does not expire on its way */
	slot->expires = time(NULL) + (expires_in > 10 ? expires_in - 5 : expires_in);
	if (!slot->host || !slot->scope || !slot->token) {
		token_drop(slot);
		return -ENOMEM;
	}
	return 0;
}

char *
auth_token_parse(const char *json, size_t len, int64_t *expires_in)
{
	json_t *j = json_loadb(json, len, 0, NULL), *e;
	const char *t;
	char *out = NULL;

	if (j == NULL)
		return NULL;
	t = json_string_value(json_object_get(j, "token"));
	if (t == NULL || *t == '\0')
		t = json_string_value(json_object_get(j, "access_token"));
	e = json_object_get(j, "expires_in");
	*expires_in = json_is_integer(e) && json_integer_value(e) > 0 ?
	    json_integer_value(e) : TOKEN_DEFAULT_TTL;
	if (t && *t && strlen(t) < 16384 && !strpbrk(t, "\r\n"))
		out = strdup(t);
	json_decref(j);
	return out;
}

void
auth_tokens_clear(void)
{
	for (int i = 0; i < TOKENS_MAX; i++)
		token_drop(&tokens[i]);
}
