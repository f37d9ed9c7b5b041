# tests/integration/image.mk: the image area's integration tests.
IMAGE_TESTS += \
	tests/integration/image-regclient.sh \
	tests/integration/image-auth.sh \
	tests/integration/image-token.sh \
	tests/integration/image-pull.sh \
	tests/integration/image-push.sh \
	tests/integration/image-resume.sh \
	tests/integration/image-save.sh \
	tests/integration/image-build.sh \
	tests/integration/image-compress.sh \
	tests/integration/image-mirror.sh \
	tests/integration/image-context.sh \
	tests/integration/image-chunked.sh \
	tests/integration/image-progress.sh \
	tests/integration/image-curl-lazy.sh
EXTRA_DIST += tests/integration/registry-lib.sh tests/integration/registry-proxy.py \
	tests/integration/registry-token.py
# build cache export and import (kiln-cache.5)
IMAGE_TESTS += tests/integration/cache-local.sh
IMAGE_TESTS += tests/integration/cache-registry.sh
