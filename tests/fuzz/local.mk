# tests/fuzz/local.mk: libFuzzer harnesses and their corpus replay.
