# tests/integration/execd.mk: the execd area's integration tests.
EXECD_TESTS +=
