# tests/integration/image.mk: the image area's integration tests.
IMAGE_TESTS +=
