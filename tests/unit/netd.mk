# tests/unit/netd.mk: kiln-netd's cmocka unit tests.
UNIT_TESTS += tests/unit/test-netd-policy
tests_unit_test_netd_policy_SOURCES = tests/unit/test-netd-policy.c netd/policy.c \
	netd/curl_lazy.c
tests_unit_test_netd_policy_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/netd $(LIBCURL_CFLAGS)
tests_unit_test_netd_policy_LDADD = $(UNIT_LIBS) $(DL_LIBS) -lpthread
