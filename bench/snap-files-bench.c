/* snap-files-bench.c: times kiln-snapd's file work on plain directories: layer apply, a layer's diff, a context's checksum. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "copy.h"
#include "files.h"
#include "log.h"
#include "tar_write.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
usage(void)
{
	fprintf(stderr, "usage: snap-files-bench apply LAYER DIR | diff DIR OUT | "
	    "checksum DIR [RUNS] | checksum-cold DIR\n");
	return 2;
}

static int
apply(const char *layer, const char *dir)
{
	struct layer_stats st;
	struct snap_err err;
	int fd = open(layer, O_RDONLY), root = open(dir, O_RDONLY | O_DIRECTORY);
	double t0 = now_ms();

	if (fd < 0 || root < 0 || layer_apply(root, fd, layer, NULL, &st, &err) < 0) {
		fprintf(stderr, "apply: %s\n", fd < 0 || root < 0 ? "open" : err.msg);
		return 1;
	}
	printf("apply %.1f ms (%llu entries, %llu bytes)\n", now_ms() - t0,
	    (unsigned long long)st.entries, (unsigned long long)st.bytes);
	return 0;
}

static int
diff(const char *dir, const char *out)
{
	struct snap_err err;
	struct tarw tw;
	char digest[80];
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	double t0 = now_ms();

	if (d < 0 || o < 0 || tarw_open(&tw, o, 0, &err) < 0 ||
	    tree_diff_upper(d, &tw, &err) < 0 || tarw_close(&tw, digest) < 0) {
		fprintf(stderr, "diff: %s\n", d < 0 || o < 0 ? "open" : err.msg);
		return 1;
	}
	printf("diff %.1f ms (%s)\n", now_ms() - t0, digest);
	return 0;
}

/* Each run opens the directory afresh, as each build's context fd is. */
static int
checksum_runs(const char *dir, int runs, const char *how)
{
	char *srcs[] = { "." }, sum[80];
	struct snap_err err;

	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		int root = open(dir, O_RDONLY | O_DIRECTORY), r;

		r = root < 0 ? -1 : snap_checksum(root, srcs, 1, NULL, 0, sum, &err);
		if (root >= 0)
			close(root);
		if (r < 0) {
			fprintf(stderr, "checksum: %s\n", root < 0 ? "open" : err.msg);
			return 1;
		}
		printf("checksum %s run %d: %.2f ms %s\n", how, i + 1, now_ms() - t0, sum);
	}
	return 0;
}

/* The walk alone (the per-inode cache), then with the inotify watch set. */
static int
checksum(const char *dir, int runs)
{
	uint64_t hits, kept, watches;

	ckw_disable(1);
	if (checksum_runs(dir, runs, "walk") != 0)
		return 1;
	ckw_disable(0);
	if (checksum_runs(dir, runs, "watched") != 0)
		return 1;
	ckw_stats(&hits, &kept, &watches);
	printf("answered without a walk: %llu, watches: %llu\n",
	    (unsigned long long)hits, (unsigned long long)watches);
	return 0;
}

/* The first-ever checksum of a context, watches included: one run in a
 * fresh process, as a new context's first build finds snapd (no cached
 * contents, no watches). */
static int
checksum_cold(const char *dir)
{
	ckw_disable(0);
	return checksum_runs(dir, 1, "cold watched");
}

int
main(int argc, char **argv)
{
	log_init("snap-files-bench", LOG_LVL_WARN, LOG_TARGET_STDERR);
	if (argc == 4 && strcmp(argv[1], "apply") == 0)
		return apply(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "diff") == 0)
		return diff(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "checksum") == 0)
		return checksum(argv[2], argc == 4 ? atoi(argv[3]) : 3);
	if (argc == 3 && strcmp(argv[1], "checksum-cold") == 0)
		return checksum_cold(argv[2]);
	return usage();
}
