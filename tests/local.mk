# tests/local.mk: unit, fuzz-corpus and integration tests.
