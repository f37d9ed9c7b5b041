# tests/unit/netd.mk: kiln-netd's cmocka unit tests.
UNIT_TESTS += tests/unit/test-netd-policy
tests_unit_test_netd_policy_SOURCES = tests/unit/test-netd-policy.c netd/policy.c
tests_unit_test_netd_policy_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/netd
tests_unit_test_netd_policy_LDADD = $(UNIT_LIBS) -lpthread
