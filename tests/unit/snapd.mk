# tests/unit/snapd.mk: kiln-snapd's cmocka unit tests.
