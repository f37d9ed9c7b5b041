# tests/unit/local.mk: cmocka unit tests.
