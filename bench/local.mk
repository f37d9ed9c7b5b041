# bench/local.mk: the benchmark tools behind bench/*.sh (built, never installed or run by make check).
noinst_PROGRAMS += bench/ready-time bench/ipc-bench
bench_ready_time_SOURCES = bench/ready-time.c
bench_ipc_bench_SOURCES = bench/ipc-bench.c
bench_ipc_bench_CFLAGS = $(KILN_COMMON_CFLAGS)
bench_ipc_bench_LDADD = $(KILN_COMMON_LIBS)
# the Dockerfile frontend's parse and expansion times
noinst_PROGRAMS += bench/dockerfile-bench
bench_dockerfile_bench_SOURCES = bench/dockerfile-bench.c
bench_dockerfile_bench_CFLAGS = $(AM_CFLAGS) $(KILN_DOCKERFILE_CFLAGS)
bench_dockerfile_bench_LDADD = $(KILN_DOCKERFILE_LIBS)
EXTRA_DIST += bench/dockerfile.sh
EXTRA_DIST += bench/README.md bench/start.sh bench/mem.sh bench/ipc.sh bench/start-trace.sh
