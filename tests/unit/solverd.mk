# tests/unit/solverd.mk: kiln-solverd's cmocka unit tests.
