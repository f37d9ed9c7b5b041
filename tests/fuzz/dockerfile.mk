# tests/fuzz/dockerfile.mk: libFuzzer harness of the Dockerfile parser.
FUZZ_DF_CORPUS = tests/fuzz/corpus/dockerfile

# Always: the harness with a plain main over the seed corpus (and the
# malformed files of tests/dockerfile/errors).
check_PROGRAMS += tests/fuzz/replay-dockerfile
tests_fuzz_replay_dockerfile_SOURCES = tests/fuzz/fuzz-dockerfile.c \
	tests/fuzz/replay.c
tests_fuzz_replay_dockerfile_CFLAGS = $(AM_CFLAGS) $(KILN_DOCKERFILE_CFLAGS)
tests_fuzz_replay_dockerfile_LDADD = $(KILN_DOCKERFILE_LIBS)
TESTS += tests/fuzz/replay-dockerfile.sh
EXTRA_DIST += tests/fuzz/replay-dockerfile.sh tests/fuzz/fuzz-dockerfile.sh \
	tests/fuzz/dockerfile.dict \
	$(FUZZ_DF_CORPUS)

if ENABLE_FUZZ
FUZZ_DF_SRCS = tests/fuzz/fuzz-dockerfile.c \
	$(KILN_DOCKERFILE_SRCS)

tests/fuzz/fuzz-dockerfile: $(FUZZ_DF_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/solverd/dockerfile/dockerfile.h \
    $(top_srcdir)/solverd/dockerfile/internal.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/solverd/dockerfile \
	    -o $@ $(FUZZ_DF_SRCS:%=$(top_srcdir)/%)

noinst_SCRIPTS += tests/fuzz/fuzz-dockerfile
CLEANFILES += tests/fuzz/fuzz-dockerfile
TESTS += tests/fuzz/fuzz-dockerfile.sh
endif
