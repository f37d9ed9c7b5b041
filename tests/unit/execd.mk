# tests/unit/execd.mk: kiln-execd's cmocka unit tests.
UNIT_TESTS += tests/unit/test-execd-user
tests_unit_test_execd_user_SOURCES = tests/unit/test-execd-user.c execd/user.c
tests_unit_test_execd_user_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/execd
tests_unit_test_execd_user_LDADD = $(UNIT_LIBS)
