# tests/integration/build.mk: the build area's integration tests.
BUILD_TESTS +=
