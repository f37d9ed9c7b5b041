# tests/integration/build.mk: the build area's integration tests.
BUILD_TESTS +=
BUILD_TESTS += tests/integration/build-client.sh tests/integration/build-copy-inc.sh \
	tests/integration/build-copy-link.sh tests/integration/build-copy-xattr.sh
BUILD_TESTS += tests/integration/build-cache.sh tests/integration/build-cancel.sh \
	tests/integration/build-concurrent.sh tests/integration/build-stages.sh \
	tests/integration/build-mounts.sh tests/integration/build-output.sh \
	tests/integration/build-contexts.sh tests/integration/build-cache-from.sh \
	tests/integration/build-add-url.sh
EXTRA_DIST += tests/integration/build-lib.sh tests/integration/http-files.py
# the Dockerfile conformance suite: every case under tests/conformance/cases
# (tests/conformance/README.md); pending/ is not run
BUILD_TESTS += tests/conformance/run.sh
EXTRA_DIST += tests/conformance/check.sh tests/conformance/probe.sh \
	tests/conformance/README.md tests/conformance/cases tests/conformance/pending
