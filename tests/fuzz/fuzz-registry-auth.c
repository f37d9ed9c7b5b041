/* fuzz-registry-auth.c: libFuzzer harness for what kiln-netd reads from registries and users: WWW-Authenticate challenges, token answers, image references, and ADD URL's Last-Modified and Content-Disposition. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "fetch.h"
#include "imgref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* auth.c's credential lookup runs helpers; the harness never looks up */
int
auth_helper_get(const char *name, const char *server, struct auth_creds *c,
    char *why, size_t whysize)
{
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[IMGREF_STR_MAX], *tok;
	struct auth_challenge c;
	struct imgref r;
	int64_t ttl;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_challenge_parse(s, &c) == 0)
		(void)strlen(c.realm);
	tok = auth_token_parse(s, size, &ttl);
	free(tok);
	if (imgref_parse(s, &r, NULL) == 0)
		imgref_format(&r, out, sizeof(out));
	(void)fetch_http_date(s);
	if (fetch_disposition_name(s, out, sizeof(out)) && strchr(out, '/'))
		abort();	/* a name is never a path */
	free(s);
	return 0;
}
