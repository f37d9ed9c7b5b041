/* regconf.c: each registry's settings (plain HTTP, TLS verification, CA file), from kilnd.conf's registry lines. */
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
	    "HOST[:PORT][,http][,insecure][,ca=FILE]\n", spec, why);
	return -EINVAL;
}

static int
add_word(struct regconf *rc, const char *spec, const char *w)
{
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

const char *
regconf_scheme(const struct regconf *rc)
{
	return rc->http ? "http" : "https";
}
