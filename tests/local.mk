# tests/local.mk: unit, fuzz-corpus and integration tests, all run by make check.
AM_TESTS_ENVIRONMENT = \
	KILN_BUILDDIR='$(abs_top_builddir)'; KILN_SRCDIR='$(abs_top_srcdir)'; \
	export KILN_BUILDDIR KILN_SRCDIR;
INTEGRATION_TESTS = \
	tests/integration/build-helper-kill.sh \
	tests/integration/start-stop.sh \
	tests/integration/restart.sh \
	tests/integration/seccomp-violation.sh \
	tests/integration/seccomp-log.sh \
	tests/integration/give-up.sh \
	tests/integration/debug-wrap.sh \
	tests/integration/copy-up.sh \
	tests/integration/client.sh \
	tests/integration/config.sh \
	tests/integration/check.sh \
	tests/integration/check-start.sh \
	tests/integration/slirp.sh \
	tests/integration/execd-run.sh \
	tests/integration/execd-security.sh \
	tests/integration/debug-call.sh \
	tests/integration/status.sh
# each area lists its own tests in its own file, so parallel work does not
# collide in one list
SNAPD_TESTS =
EXECD_TESTS =
BUILD_TESTS =
IMAGE_TESTS =
include tests/integration/snapd.mk
include tests/integration/execd.mk
include tests/integration/build.mk
include tests/integration/image.mk
INTEGRATION_TESTS += $(SNAPD_TESTS) $(EXECD_TESTS) $(BUILD_TESTS) $(IMAGE_TESTS)
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/integration/lib.sh \
	tests/integration/execd-lib.sh
include tests/unit/local.mk
include tests/fuzz/local.mk
# run as root by scripts/test.sh, after make check
EXTRA_DIST += tests/root/peercred.sh tests/root/full-disk.sh
