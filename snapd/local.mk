# snapd/local.mk: kiln-snapd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-snapd
kiln_snapd_SOURCES = snapd/snapd.h snapd/store.h snapd/main.c snapd/policy.c \
	snapd/driver.h snapd/driver_overlay.c snapd/driver_native.c \
	snapd/select.c snapd/meta.h snapd/meta.c snapd/content.c snapd/snapshot.c \
	snapd/sweep.c snapd/tree.c snapd/handlers_snap.c snapd/cache.c snapd/gc.c \
	snapd/driver_fuse.c snapd/fuse_spawner.c \
	$(SNAPD_FILES_SRCS)
kiln_snapd_CFLAGS = $(KILN_COMMON_CFLAGS) $(SQLITE_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	$(LIBARCHIVE_CFLAGS) $(JANSSON_CFLAGS)
kiln_snapd_LDADD = $(KILN_COMMON_LIBS) $(SQLITE_LIBS) $(LIBCRYPTO_LIBS) \
	$(LIBARCHIVE_LIBS) $(JANSSON_LIBS)
# the file and image half: layers, images, copies, checksums, exports
SNAPD_FILES_SRCS = snapd/files.h snapd/files_api.h snapd/files_api.c \
	snapd/fsutil.c snapd/strset.h snapd/strset.c snapd/jail.c snapd/jail_async.c \
	snapd/policy_files.h snapd/policy_files.c snapd/layer_apply.c \
	snapd/image.h snapd/image_json.h snapd/image_json.c \
	snapd/image_store.h snapd/image_store.c snapd/image_import.c \
	snapd/image_resolve.c snapd/files_ops.c snapd/user_lookup.c snapd/copy.h snapd/copy.c \
	snapd/copy_inc.h snapd/copy_inc.c \
	snapd/copy_src.c snapd/checksum.c snapd/checksum.h snapd/checksum_cache.c \
	snapd/checksum_pool.c snapd/checksum_watch.c snapd/pattern.h \
	snapd/pattern.c snapd/tar_write.h snapd/tar_write.c snapd/tree_diff.c snapd/layer_diff.c \
	snapd/image_create.c snapd/exports.c
# the registry side: pull, push, tag, through kiln-netd
kiln_snapd_SOURCES += snapd/regclient.h snapd/regclient.c snapd/pull.c snapd/push.c \
	snapd/oci_export.c
# the build cache's layout directories (kiln-cache.5)
kiln_snapd_SOURCES += snapd/cache_dir.h snapd/cache_dir.c
