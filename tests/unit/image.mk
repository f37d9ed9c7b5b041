# tests/unit/image.mk: the image and registry area's cmocka unit tests.
UNIT_TESTS += tests/unit/test-imgref
tests_unit_test_imgref_SOURCES = tests/unit/test-imgref.c
tests_unit_test_imgref_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_imgref_LDADD = $(UNIT_LIBS)
