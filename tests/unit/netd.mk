# tests/unit/netd.mk: kiln-netd's cmocka unit tests.
UNIT_TESTS += tests/unit/test-netd-policy
tests_unit_test_netd_policy_SOURCES = tests/unit/test-netd-policy.c netd/policy.c \
	netd/curl_lazy.c
tests_unit_test_netd_policy_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/netd $(LIBCURL_CFLAGS)
tests_unit_test_netd_policy_LDADD = $(UNIT_LIBS) $(DL_LIBS) -lpthread
UNIT_TESTS += tests/unit/test-netd-fetch
tests_unit_test_netd_fetch_SOURCES = tests/unit/test-netd-fetch.c netd/fetch_headers.c \
	netd/fetch.h
tests_unit_test_netd_fetch_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/netd
tests_unit_test_netd_fetch_LDADD = $(UNIT_LIBS)
