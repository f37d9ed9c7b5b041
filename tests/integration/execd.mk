# tests/integration/execd.mk: the execd area's integration tests.
EXECD_TESTS += \
	tests/integration/execd-user.sh \
	tests/integration/execd-mounts.sh \
	tests/integration/execd-etc.sh \
	tests/integration/execd-nosandbox.sh \
	tests/integration/execd-insecure.sh \
	tests/integration/execd-output.sh
