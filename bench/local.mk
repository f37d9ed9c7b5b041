# bench/local.mk: the benchmark tools behind bench/*.sh (built, never installed or run by make check).
noinst_PROGRAMS += bench/ready-time bench/ipc-bench
bench_ready_time_SOURCES = bench/ready-time.c
bench_ipc_bench_SOURCES = bench/ipc-bench.c
bench_ipc_bench_CFLAGS = $(KILN_COMMON_CFLAGS)
bench_ipc_bench_LDADD = $(KILN_COMMON_LIBS)
# kiln-execd's per-step overhead
EXTRA_DIST += bench/exec-step.sh
# the Dockerfile frontend's parse and expansion times
noinst_PROGRAMS += bench/dockerfile-bench
bench_dockerfile_bench_SOURCES = bench/dockerfile-bench.c
bench_dockerfile_bench_CFLAGS = $(AM_CFLAGS) $(KILN_DOCKERFILE_CFLAGS)
bench_dockerfile_bench_LDADD = $(KILN_DOCKERFILE_LIBS)
EXTRA_DIST += bench/dockerfile.sh
EXTRA_DIST += bench/registry.sh bench/README.md bench/start.sh bench/mem.sh bench/ipc.sh bench/start-trace.sh \
	bench/build-bench.sh bench/cache-import.sh
# kiln-snapd's file work on plain directories (bench/snap-files-*.sh)
noinst_PROGRAMS += bench/snap-files-bench
bench_snap_files_bench_SOURCES = bench/snap-files-bench.c snapd/fsutil.c \
	snapd/strset.c snapd/layer_apply.c snapd/tar_write.c snapd/tree_diff.c \
	snapd/pattern.c snapd/copy_src.c snapd/checksum.c snapd/checksum.h \
	snapd/checksum_cache.c snapd/checksum_pool.c snapd/checksum_watch.c
bench_snap_files_bench_CFLAGS = $(KILN_COMMON_CFLAGS) -I$(top_srcdir)/snapd \
	$(LIBARCHIVE_CFLAGS) $(LIBCRYPTO_CFLAGS)
bench_snap_files_bench_LDADD = $(KILN_COMMON_LIBS) $(LIBARCHIVE_LIBS) $(LIBCRYPTO_LIBS)
EXTRA_DIST += bench/snap-files-lib.sh bench/snap-files-apply.sh \
	bench/snap-files-diff.sh bench/snap-files-checksum.sh
# kiln-snapd's per-step cost: prepare + commit of an unchanged snapshot
noinst_PROGRAMS += bench/snap-bench
bench_snap_bench_SOURCES = bench/snap-bench.c
bench_snap_bench_CFLAGS = $(KILN_COMMON_CFLAGS)
bench_snap_bench_LDADD = $(KILN_COMMON_LIBS)
EXTRA_DIST += bench/snap-commit.sh
# kilnctl build beside buildah bud (bench/build-*.sh)
EXTRA_DIST += bench/build-lib.sh bench/build-run.sh bench/build-copy.sh bench/build-copy-first.sh
