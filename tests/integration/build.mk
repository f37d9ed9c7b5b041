# tests/integration/build.mk: the build area's integration tests.
BUILD_TESTS +=
BUILD_TESTS += tests/integration/build-client.sh
