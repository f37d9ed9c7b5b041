# snapd/local.mk: kiln-snapd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-snapd
kiln_snapd_SOURCES = snapd/snapd.h snapd/store.h snapd/main.c snapd/policy.c \
	snapd/driver.h snapd/driver_overlay.c snapd/driver_native.c \
	snapd/select.c snapd/meta.h snapd/meta.c snapd/content.c snapd/snapshot.c \
	snapd/sweep.c snapd/tree.c snapd/handlers_snap.c
kiln_snapd_CFLAGS = $(KILN_COMMON_CFLAGS) $(SQLITE_CFLAGS) $(LIBCRYPTO_CFLAGS)
kiln_snapd_LDADD = $(KILN_COMMON_LIBS) $(SQLITE_LIBS) $(LIBCRYPTO_LIBS)
