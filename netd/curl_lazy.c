/* curl_lazy.c: loads libcurl the first time kiln-netd needs it (a registry request), not at exec. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include "curl_lazy.h"

/*
 * Linking -lcurl costs every kiln-netd ~5-7 MiB of Pss whether or not it
 * ever talks to a registry: libcurl's ~30 dependencies (OpenSSL, gnutls,
 * krb5, ldap, ssh2, rtmp, p11-kit ...) are mapped, relocated and their
 * constructors run at exec. Loaded here instead, they cost nothing until
 * the first pull or push. This runs after the seccomp lockdown; what
 * dlopen and curl_global_init need is allowed in policy.c.
 */

struct curl_lazy_table curl_lazy_fn;
static void *lib;	/* the dlopen handle, kept once found */
static int ready;	/* the table is full and curl_global_init passed */

static int
resolve(char *why, size_t size)
{
	struct curl_lazy_table t;
	void *p;

#define CURL_LAZY_SYM(n) \
	if ((p = dlsym(lib, "curl_" #n)) == NULL) { \
		snprintf(why, size, "%s has no curl_" #n ": %s", \
		    CURL_LAZY_SONAME, dlerror()); \
		return -ELIBACC; \
	} \
	t.n = (__typeof__(t.n))p;
	CURL_LAZY_FUNCS(CURL_LAZY_SYM)
#undef CURL_LAZY_SYM
	curl_lazy_fn = t;
	return 0;
}

int
curl_lazy_load(char *why, size_t size)
{
	const char *e;
	CURLcode c;
	int r;

	if (ready)
		return 0;
	if (lib == NULL) {
		/* RTLD_NOW: a missing symbol fails here, not mid-transfer */
		if ((lib = dlopen(CURL_LAZY_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			e = dlerror();
			snprintf(why, size, "%s", e ? e : CURL_LAZY_SONAME ": not found");
			return -ELIBACC;
		}
		if ((r = resolve(why, size)) < 0) {
			dlclose(lib);
			lib = NULL;
			return r;
		}
	}
	if ((c = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(why, size, "curl_global_init: %s", curl_easy_strerror(c));
		return -ELIBACC;
	}
	ready = 1;
	return 0;
}

int
curl_lazy_loaded(void)
{
	return ready;
}

void
curl_lazy_unload(void)
{
	if (ready)
		curl_global_cleanup();
	ready = 0;
}
