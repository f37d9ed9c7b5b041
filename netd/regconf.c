/* regconf.c: each registry's settings (plain HTTP, TLS verification, CA file, pull mirrors), from kilnd.conf's registry lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "registry.h"

static struct regconf confs[REGCONF_MAX];
static int nconfs;
static const struct regconf defaults;	/* https, verified, system CAs */

static int
bad(const char *spec, const char *why)
{
	fprintf(stderr, "kiln-netd: --registry=%s: %s; the form is "
	    "HOST[:PORT][,http][,insecure][,ca=FILE][,chunk-size=N[KiB|MiB|GiB]]"
	    "[,mirror=[http://|https://]HOST[:PORT]]...\n",
	    spec, why);
	return -EINVAL;
}

/* mirror=[SCHEME://]HOST[:PORT]: without a scheme, the mirror's own line
 * says how to reach it */
static int
add_mirror(struct regconf *rc, const char *spec, const char *m)
{
	struct regmirror *mi = &rc->mirrors[rc->nmirrors];
	size_t n;

	if (rc->nmirrors == REGCONF_MIRRORS)
		return bad(spec, "too many mirrors");
	mi->scheme = REGMIRROR_OWN;
	if (strncmp(m, "http://", 7) == 0) {
		mi->scheme = REGMIRROR_HTTP;
		m += 7;
	} else if (strncmp(m, "https://", 8) == 0) {
		mi->scheme = REGMIRROR_HTTPS;
		m += 8;
	}
	n = strlen(m);
	if (n && m[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(mi->host) || memchr(m, '/', n) || strpbrk(m, "?#@ "))
		return bad(spec, "a mirror is [http://|https://]HOST[:PORT], no path");
	snprintf(mi->host, sizeof(mi->host), "%.*s", (int)n, m);
	rc->nmirrors++;
	return 0;
}

/* chunk-size=N[KiB|MiB|GiB], at least 64 KiB or 0 */
static int
add_chunk(struct regconf *rc, const char *spec, const char *v)
{
	static const struct { const char *s; int shift; } units[] = {
		{ "", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 },
	};
	char *end;
	unsigned long long n = strtoull(v, &end, 10);

	if (end == v || *v == '-')
		return bad(spec, "chunk-size= takes a size such as 32MiB (0: none)");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].s) == 0 && n < (1ULL << (40 - units[i].shift))) {
			rc->chunk_size = n << units[i].shift;
			rc->chunk_set = 1;
			return rc->chunk_size == 0 || rc->chunk_size >= (64 << 10) ? 0 :
			    bad(spec, "chunk-size= is 0 or at least 64KiB");
		}
	return bad(spec, "chunk-size= takes a size such as 32MiB (0: none)");
}

static int
add_word(struct regconf *rc, const char *spec, const char *w)
{
	if (strncmp(w, "mirror=", 7) == 0)
		return add_mirror(rc, spec, w + 7);
	if (strncmp(w, "chunk-size=", 11) == 0)
		return add_chunk(rc, spec, w + 11);
	if (strcmp(w, "http") == 0)
		rc->http = 1;
	else if (strcmp(w, "insecure") == 0)
		rc->insecure = 1;
	else if (strncmp(w, "ca=", 3) == 0 && w[3] == '/')
		snprintf(rc->ca_file, sizeof(rc->ca_file), "%s", w + 3);
	else
		return bad(spec, "unknown word (ca= takes an absolute path)");
	return 0;
}

int
regconf_add(const char *spec)
{
	char buf[2048], *save, *w;
	struct regconf rc;
	int r = 0;

	memset(&rc, 0, sizeof(rc));
	if (nconfs == REGCONF_MAX)
		return bad(spec, "too many registry lines");
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return bad(spec, "too long");
	w = strtok_r(buf, ",", &save);
	if (w == NULL || strchr(w, '/') || strlen(w) >= sizeof(rc.host))
		return bad(spec, "no host first");
	snprintf(rc.host, sizeof(rc.host), "%s", w);
	while (r == 0 && (w = strtok_r(NULL, ",", &save)) != NULL)
		r = add_word(&rc, spec, w);
	if (r < 0)
		return r;
	confs[nconfs++] = rc;
	return 0;
}

const struct regconf *
regconf_find(const char *domain)
{
	const char *colon = strrchr(domain, ':');
	size_t hn = colon && !strchr(colon, ']') ? (size_t)(colon - domain) : strlen(domain);

	/* the last line that names it wins, as for every kilnd.conf key */
	for (int i = nconfs - 1; i >= 0; i--)
		if (strcmp(confs[i].host, domain) == 0)
			return &confs[i];
	for (int i = nconfs - 1; i >= 0; i--)
		if (strlen(confs[i].host) == hn && strncmp(confs[i].host, domain, hn) == 0)
			return &confs[i];
	return &defaults;
}

void
regconf_mirror(const struct regconf *up, int i, struct regconf *out)
{
	const struct regmirror *mi = &up->mirrors[i];

	*out = *regconf_find(mi->host);
	snprintf(out->host, sizeof(out->host), "%s", mi->host);
	out->nmirrors = 0;
	if (mi->scheme != REGMIRROR_OWN)
		out->http = mi->scheme == REGMIRROR_HTTP;
}

uint64_t
regconf_chunk(const struct regconf *rc)
{
	return rc->chunk_set ? rc->chunk_size : REGCONF_CHUNK_DEFAULT;
}

const char *
regconf_scheme(const struct regconf *rc)
{
	return rc->http ? "http" : "https";
}
