# tests/integration/image.mk: the image area's integration tests.
IMAGE_TESTS += \
	tests/integration/image-regclient.sh \
	tests/integration/image-auth.sh
EXTRA_DIST += tests/integration/registry-lib.sh
