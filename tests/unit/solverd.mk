# tests/unit/solverd.mk: kiln-solverd's cmocka unit tests.
DF_UNIT_CFLAGS = $(UNIT_CFLAGS) $(KILN_DOCKERFILE_CFLAGS)
DF_UNIT_LIBS = $(KILN_DOCKERFILE_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += tests/unit/test-dockerfile-parse tests/unit/test-dockerfile-expand \
	tests/unit/test-dockerfile-errors

# --wrap (STYLE rule 20): malloc, calloc and realloc fail on demand, so
# every allocation failure is walked through (and leak-checked).
tests_unit_test_dockerfile_parse_SOURCES = tests/unit/test-dockerfile-parse.c
tests_unit_test_dockerfile_parse_CFLAGS = $(DF_UNIT_CFLAGS)
tests_unit_test_dockerfile_parse_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=malloc \
	-Wl,--wrap=calloc -Wl,--wrap=realloc
tests_unit_test_dockerfile_parse_LDADD = $(DF_UNIT_LIBS)

tests_unit_test_dockerfile_expand_SOURCES = tests/unit/test-dockerfile-expand.c
tests_unit_test_dockerfile_expand_CFLAGS = $(DF_UNIT_CFLAGS)
tests_unit_test_dockerfile_expand_LDADD = $(DF_UNIT_LIBS)

# tests/dockerfile/errors/NAME.Dockerfile and NAME.err: each malformed file
# with the exact message df_error_format gives for it
tests_unit_test_dockerfile_errors_SOURCES = tests/unit/test-dockerfile-errors.c
tests_unit_test_dockerfile_errors_CFLAGS = $(DF_UNIT_CFLAGS) \
	-DKILN_DF_ERRORS_DIR='"$(abs_top_srcdir)/tests/dockerfile/errors"'
tests_unit_test_dockerfile_errors_LDADD = $(DF_UNIT_LIBS)
EXTRA_DIST += tests/dockerfile/errors

# --- solver: the frontend's semantics and cache keys, the cache db ---
FRONTEND_UNIT_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/solverd
UNIT_TESTS += tests/unit/test-frontend
tests_unit_test_frontend_SOURCES = tests/unit/test-frontend.c
tests_unit_test_frontend_CFLAGS = $(FRONTEND_UNIT_CFLAGS)
tests_unit_test_frontend_LDADD = libkilnfrontend.la $(UNIT_LIBS) $(JANSSON_LIBS)
# --- end of solver ---
