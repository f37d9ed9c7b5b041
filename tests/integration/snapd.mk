# tests/integration/snapd.mk: the snapd area's integration tests.
SNAPD_TESTS += tests/integration/snapd-store.sh tests/integration/snapd-auto.sh \
	tests/integration/snapd-sweep.sh tests/integration/snapd-cache.sh \
	tests/integration/snapd-gc.sh tests/integration/snapd-deep.sh \
	tests/integration/snapd-crash.sh tests/integration/snapd-step.sh
EXTRA_DIST += tests/integration/snapd-lib.sh
# --- snapfiles: layers, images, copies, checksums, exports ---
SNAPD_TESTS += tests/integration/snapd-files-image.sh \
	tests/integration/snapd-files-copy.sh tests/integration/snapd-files-diff.sh \
	tests/integration/snapd-files-checksum.sh tests/integration/snapd-files-export.sh
EXTRA_DIST += tests/integration/snapd-files-lib.sh
# --- end of snapfiles ---
