# tests/unit/image.mk: the image and registry area's cmocka unit tests.
UNIT_TESTS += tests/unit/test-imgref
tests_unit_test_imgref_SOURCES = tests/unit/test-imgref.c
tests_unit_test_imgref_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_imgref_LDADD = $(UNIT_LIBS)
# the build cache's document (kiln-cache.5), and cache keys alike on two daemons
UNIT_TESTS += tests/unit/test-cache-json
tests_unit_test_cache_json_SOURCES = tests/unit/test-cache-json.c
tests_unit_test_cache_json_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/solverd
tests_unit_test_cache_json_LDADD = libkilnfrontend.la $(UNIT_LIBS) $(JANSSON_LIBS)
