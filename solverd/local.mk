# solverd/local.mk: kiln-solverd, installed in $(pkglibexecdir).
include solverd/dockerfile/local.mk
# the frontend's semantics and the cache keys: no I/O, linked by
# kiln-solverd and by the unit tests
noinst_LTLIBRARIES += libkilnfrontend.la
libkilnfrontend_la_SOURCES = solverd/frontend.h solverd/graph.h solverd/graph.c \
	solverd/strv.h solverd/strv.c solverd/vars.h solverd/vars.c \
	solverd/expand.c solverd/stage.c solverd/dispatch.h solverd/dispatch.c \
	solverd/dispatch_meta.c solverd/dispatch_run.c solverd/dispatch_copy.c \
	solverd/imageconfig.h solverd/imageconfig.c solverd/duration.h \
	solverd/duration.c solverd/cachekey.h solverd/cachekey.c \
	solverd/cache.h solverd/cache_json.c
libkilnfrontend_la_CFLAGS = $(KILN_COMMON_CFLAGS) $(JANSSON_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	-I$(top_srcdir)/solverd
libkilnfrontend_la_LIBADD = libkilndockerfile.la libkilncommon.la $(JANSSON_LIBS) \
	$(LIBCRYPTO_LIBS) -lm

pkglibexec_PROGRAMS += kiln-solverd
kiln_solverd_SOURCES = solverd/solverd.h solverd/main.c solverd/policy.c solverd/api.c \
	solverd/forward.c solverd/forward.h \
	solverd/forward_exec.c solverd/forward_exec.h \
	solverd/api_build.h solverd/api_build.c \
	solverd/build.h solverd/build.c solverd/build_req.c solverd/build_walk.c \
	solverd/build_fetch.c \
	solverd/platform.h solverd/platform.c solverd/progress.c solverd/export.c \
	solverd/export_oci.c solverd/export_opts.c solverd/build_pull.c \
	solverd/job.h solverd/job.c solverd/job_exec.c solverd/job_file.c \
	solverd/snapc.h solverd/snapc.c \
	solverd/cachedb.h solverd/cachedb.c solverd/cachedb_fetch.c solverd/history.c \
	solverd/cache_spec.c solverd/cache_import.c solverd/cache_export.c
kiln_solverd_CFLAGS = $(KILN_COMMON_CFLAGS) $(JANSSON_CFLAGS) $(LIBCRYPTO_CFLAGS) \
	$(SQLITE_CFLAGS) -I$(top_srcdir)/solverd
kiln_solverd_LDADD = libkilnfrontend.la $(KILN_COMMON_LIBS) $(JANSSON_LIBS) \
	$(LIBCRYPTO_LIBS) $(SQLITE_LIBS)
