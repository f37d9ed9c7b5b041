# tests/integration/snapd.mk: the snapd area's integration tests.
SNAPD_TESTS +=
