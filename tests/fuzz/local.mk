# tests/fuzz/local.mk: libFuzzer harnesses and their corpus replay.
FUZZ_IPC_CORPUS = tests/fuzz/corpus/ipc-frame

# Always: the harness with a plain main, over the seed corpus (gcc, and
# ASan+UBSan when configured with them).
check_PROGRAMS += tests/fuzz/replay-ipc-frame
tests_fuzz_replay_ipc_frame_SOURCES = tests/fuzz/fuzz-ipc-frame.c \
	tests/fuzz/replay.c
tests_fuzz_replay_ipc_frame_CFLAGS = $(KILN_COMMON_CFLAGS)
tests_fuzz_replay_ipc_frame_LDADD = $(KILN_COMMON_LIBS)
TESTS += tests/fuzz/replay-ipc-frame.sh
EXTRA_DIST += tests/fuzz/replay-ipc-frame.sh tests/fuzz/fuzz-ipc-frame.sh \
	tests/fuzz/make-corpus.sh $(FUZZ_IPC_CORPUS)

if ENABLE_FUZZ
# libFuzzer needs clang while the rest of the tree keeps $(CC): the few
# sources the harness needs are compiled straight into it.
FUZZ_CC = clang
FUZZ_IPC_SRCS = tests/fuzz/fuzz-ipc-frame.c common/ipc_frame.c \
	common/ipc_read.c common/ipc_msg.c
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -include $(top_builddir)/config.h \
	-I$(top_srcdir)/common -I$(top_builddir) $(MSGPACK_CFLAGS)

tests/fuzz/fuzz-ipc-frame: $(FUZZ_IPC_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/common/ipc.h $(top_srcdir)/common/ipc_msg.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
	    $(FUZZ_IPC_SRCS:%=$(top_srcdir)/%) $(MSGPACK_LIBS)

noinst_SCRIPTS = tests/fuzz/fuzz-ipc-frame
CLEANFILES += tests/fuzz/fuzz-ipc-frame
TESTS += tests/fuzz/fuzz-ipc-frame.sh
endif

# each area's harnesses (decoders of untrusted input) in its own file
include tests/fuzz/snapd.mk
include tests/fuzz/dockerfile.mk
include tests/fuzz/image.mk
