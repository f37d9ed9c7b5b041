# tests/unit/snapd.mk: kiln-snapd's cmocka unit tests.

# --- snapfiles: layers, copies, patterns, checksums, images ---
SNAPD_FILES_UNIT_SRCS = snapd/files.h snapd/fsutil.c snapd/strset.c \
	snapd/strset.h snapd/layer_apply.c snapd/jail.c snapd/policy_files.c \
	snapd/policy_files.h
SNAPD_FILES_UNIT_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/snapd \
	$(LIBARCHIVE_CFLAGS)
SNAPD_FILES_UNIT_LIBS = $(UNIT_LIBS) $(LIBARCHIVE_LIBS)

UNIT_TESTS += tests/unit/test-layer-apply
tests_unit_test_layer_apply_SOURCES = tests/unit/test-layer-apply.c \
	tests/unit/tarbuild.h tests/unit/testns.h $(SNAPD_FILES_UNIT_SRCS)
tests_unit_test_layer_apply_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS)
tests_unit_test_layer_apply_LDADD = $(SNAPD_FILES_UNIT_LIBS)
UNIT_TESTS += tests/unit/test-jail
tests_unit_test_jail_SOURCES = tests/unit/test-jail.c $(SNAPD_FILES_UNIT_SRCS)
tests_unit_test_jail_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS)
tests_unit_test_jail_LDADD = $(SNAPD_FILES_UNIT_LIBS)
UNIT_TESTS += tests/unit/test-pattern
tests_unit_test_pattern_SOURCES = tests/unit/test-pattern.c snapd/pattern.c \
	snapd/pattern.h
tests_unit_test_pattern_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS)
tests_unit_test_pattern_LDADD = $(SNAPD_FILES_UNIT_LIBS)
UNIT_TESTS += tests/unit/test-copy
# COPY's sources and SNAP_CHECKSUM, for the tests of either
SNAPD_CHECKSUM_UNIT_SRCS = $(SNAPD_FILES_UNIT_SRCS) snapd/copy.h snapd/copy_src.c \
	snapd/checksum.c snapd/checksum.h snapd/checksum_cache.c snapd/checksum_pool.c \
	snapd/checksum_watch.c snapd/pattern.c snapd/pattern.h
tests_unit_test_copy_SOURCES = tests/unit/test-copy.c $(SNAPD_CHECKSUM_UNIT_SRCS) \
	snapd/copy.c
tests_unit_test_copy_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS) $(LIBCRYPTO_CFLAGS)
tests_unit_test_copy_LDADD = $(SNAPD_FILES_UNIT_LIBS) $(LIBCRYPTO_LIBS)
UNIT_TESTS += tests/unit/test-checksum-watch
tests_unit_test_checksum_watch_SOURCES = tests/unit/test-checksum-watch.c \
	$(SNAPD_CHECKSUM_UNIT_SRCS)
tests_unit_test_checksum_watch_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS) $(LIBCRYPTO_CFLAGS)
tests_unit_test_checksum_watch_LDADD = $(SNAPD_FILES_UNIT_LIBS) $(LIBCRYPTO_LIBS)
UNIT_TESTS += tests/unit/test-checksum-pool
tests_unit_test_checksum_pool_SOURCES = tests/unit/test-checksum-pool.c \
	$(SNAPD_CHECKSUM_UNIT_SRCS)
tests_unit_test_checksum_pool_CFLAGS = $(SNAPD_FILES_UNIT_CFLAGS) $(LIBCRYPTO_CFLAGS)
tests_unit_test_checksum_pool_LDADD = $(SNAPD_FILES_UNIT_LIBS) $(LIBCRYPTO_LIBS)
# a read that fails, in the workers too; a file replaced as it is opened
tests_unit_test_checksum_pool_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=read -Wl,--wrap=openat
# --- end of snapfiles ---
# --- snapstore: metadata, trees ---
UNIT_TESTS += tests/unit/test-snap-meta
tests_unit_test_snap_meta_SOURCES = tests/unit/test-snap-meta.c snapd/meta.c \
	snapd/meta.h snapd/tree.c
tests_unit_test_snap_meta_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/snapd $(SQLITE_CFLAGS)
tests_unit_test_snap_meta_LDADD = $(UNIT_LIBS) $(SQLITE_LIBS)
# --- end of snapstore ---
