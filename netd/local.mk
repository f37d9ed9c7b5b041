# netd/local.mk: kiln-netd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-netd
kiln_netd_SOURCES = netd/netd.h netd/main.c netd/policy.c netd/launch.c \
	netd/slirp.c netd/http.h netd/http.c netd/auth.h netd/auth.c \
	netd/auth_helper.c netd/registry.h netd/regconf.c netd/registry.c \
	netd/registry_ops.c netd/curl_lazy.h netd/curl_lazy.c \
	netd/fetch.h netd/fetch.c netd/fetch_headers.c
# libcurl: its headers only; curl_lazy.c dlopens it on the first registry
# request, so an idle kiln-netd does not map it and its ~30 libraries.
kiln_netd_CFLAGS = $(KILN_COMMON_CFLAGS) $(LIBCURL_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBCRYPTO_CFLAGS)
kiln_netd_LDADD = $(KILN_COMMON_LIBS) $(DL_LIBS) $(JANSSON_LIBS) \
	$(LIBCRYPTO_LIBS)
