# tests/fuzz/snapd.mk: libFuzzer harnesses of kiln-snapd's archive and image decoders.

# --- snapfiles: the layer (tar) path and the image JSON ---
FUZZ_LAYER_CORPUS = tests/fuzz/corpus/layer-apply
FUZZ_LAYER_SNAPD = snapd/fsutil.c snapd/strset.c snapd/layer_apply.c

check_PROGRAMS += tests/fuzz/replay-layer-apply
tests_fuzz_replay_layer_apply_SOURCES = tests/fuzz/fuzz-layer-apply.c \
	tests/fuzz/replay.c $(FUZZ_LAYER_SNAPD)
tests_fuzz_replay_layer_apply_CFLAGS = $(KILN_COMMON_CFLAGS) \
	-I$(top_srcdir)/snapd $(LIBARCHIVE_CFLAGS)
tests_fuzz_replay_layer_apply_LDADD = $(KILN_COMMON_LIBS) $(LIBARCHIVE_LIBS)
TESTS += tests/fuzz/replay-layer-apply.sh
EXTRA_DIST += tests/fuzz/replay-layer-apply.sh tests/fuzz/fuzz-layer-apply.sh \
	tests/fuzz/make-layer-corpus.sh $(FUZZ_LAYER_CORPUS)

FUZZ_IJ_CORPUS = tests/fuzz/corpus/image-json
check_PROGRAMS += tests/fuzz/replay-image-json
tests_fuzz_replay_image_json_SOURCES = tests/fuzz/fuzz-image-json.c \
	tests/fuzz/replay.c snapd/image_json.c snapd/fsutil.c
tests_fuzz_replay_image_json_CFLAGS = $(KILN_COMMON_CFLAGS) \
	-I$(top_srcdir)/snapd $(JANSSON_CFLAGS)
tests_fuzz_replay_image_json_LDADD = $(KILN_COMMON_LIBS) $(JANSSON_LIBS)
TESTS += tests/fuzz/replay-image-json.sh
EXTRA_DIST += tests/fuzz/replay-image-json.sh tests/fuzz/fuzz-image-json.sh \
	$(FUZZ_IJ_CORPUS)

if ENABLE_FUZZ
FUZZ_IJ_SRCS = tests/fuzz/fuzz-image-json.c snapd/image_json.c \
	snapd/fsutil.c common/util.c

tests/fuzz/fuzz-image-json: $(FUZZ_IJ_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/snapd/image_json.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/snapd \
	    $(JANSSON_CFLAGS) -o $@ $(FUZZ_IJ_SRCS:%=$(top_srcdir)/%) \
	    $(JANSSON_LIBS)

noinst_SCRIPTS += tests/fuzz/fuzz-image-json
CLEANFILES += tests/fuzz/fuzz-image-json
TESTS += tests/fuzz/fuzz-image-json.sh
FUZZ_LAYER_SRCS = tests/fuzz/fuzz-layer-apply.c $(FUZZ_LAYER_SNAPD) \
	common/log.c common/util.c

tests/fuzz/fuzz-layer-apply: $(FUZZ_LAYER_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/snapd/files.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/snapd \
	    $(LIBARCHIVE_CFLAGS) -o $@ $(FUZZ_LAYER_SRCS:%=$(top_srcdir)/%) \
	    $(LIBARCHIVE_LIBS)

noinst_SCRIPTS += tests/fuzz/fuzz-layer-apply
CLEANFILES += tests/fuzz/fuzz-layer-apply
TESTS += tests/fuzz/fuzz-layer-apply.sh
endif
# --- end of snapfiles ---
