# tests/fuzz/snapd.mk: libFuzzer harnesses of kiln-snapd's archive and image decoders.
