# tests/integration/build.mk: the build area's integration tests.
BUILD_TESTS +=
BUILD_TESTS += tests/integration/build-client.sh
BUILD_TESTS += tests/integration/build-cache.sh tests/integration/build-cancel.sh \
	tests/integration/build-concurrent.sh tests/integration/build-stages.sh \
	tests/integration/build-mounts.sh
EXTRA_DIST += tests/integration/build-lib.sh
