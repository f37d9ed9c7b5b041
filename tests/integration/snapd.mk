# tests/integration/snapd.mk: the snapd area's integration tests.
SNAPD_TESTS += tests/integration/snapd-store.sh tests/integration/snapd-auto.sh \
	tests/integration/snapd-sweep.sh
EXTRA_DIST += tests/integration/snapd-lib.sh
