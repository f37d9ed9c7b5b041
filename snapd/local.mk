# snapd/local.mk: kiln-snapd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-snapd
kiln_snapd_SOURCES = snapd/snapd.h snapd/main.c snapd/policy.c
kiln_snapd_CFLAGS = $(KILN_COMMON_CFLAGS)
kiln_snapd_LDADD = $(KILN_COMMON_LIBS)
