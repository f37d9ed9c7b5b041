# tests/fuzz/dockerfile.mk: libFuzzer harness of the Dockerfile parser.
