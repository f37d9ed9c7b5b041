/* cmd_du.c: kilnctl du and kilnctl prune: the build cache's disk usage per record, and removing what is not in use. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kilnctl.h"
#include "util.h"

/* 1.5MB, as docker prints sizes (decimal units) */
static void
human_size(uint64_t n, char *out, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%lluB", (unsigned long long)n);
	else
		snprintf(out, size, "%.3g%s", v, units[u]);
}

static void
human_age(int64_t when, char *out, size_t size)
{
	int64_t d = (int64_t)time(NULL) - when;

	if (when <= 0)
		snprintf(out, size, "never");
	else if (d < 60)
		snprintf(out, size, "%llds ago", (long long)(d < 0 ? 0 : d));
	else if (d < 3600)
		snprintf(out, size, "%lldm ago", (long long)d / 60);
	else if (d < 86400)
		snprintf(out, size, "%lldh ago", (long long)d / 3600);
	else
		snprintf(out, size, "%lldd ago", (long long)d / 86400);
}

static int
print_record(struct ipc_rd *row, uint64_t *total, uint64_t *reclaimable, int verbose)
{
	const char *id, *kind, *desc;
	size_t idl, kl, dl;
	uint64_t size;
	int64_t last;
	int in_use;
	char sz[32], age[32];

	if (ipc_rd_str(row, &id, &idl) < 0 || ipc_rd_str(row, &kind, &kl) < 0 ||
	    ipc_rd_u64(row, &size) < 0 || ipc_rd_i64(row, &last) < 0 ||
	    ipc_rd_str(row, &desc, &dl) < 0 || ipc_rd_bool(row, &in_use) < 0 ||
	    ipc_rd_end(row) < 0)
		return -EBADMSG;
	*total += size;
	if (!in_use)
		*reclaimable += size;
	human_size(size, sz, sizeof(sz));
	human_age(last, age, sizeof(age));
	/* digests are long: the short form unless asked */
	if (!verbose && idl > 19 && memcmp(id, "sha256:", 7) == 0)
		idl = 19;
	printf("%-20.*s %-9.*s %-11s %-9s %-10s %.*s\n", (int)idl, id, (int)kl, kind,
	    in_use ? "no" : "yes", sz, age, (int)dl, desc);
	return 0;
}

int
cmd_du(struct ctl *c, int argc, char **argv)
{
	uint64_t total = 0, reclaimable = 0;
	struct ipc_rd rd, row;
	char a[32], b[32];
	int verbose = argc == 2 && strcmp(argv[1], "--verbose") == 0;

	if (argc > 2 || (argc == 2 && !verbose)) {
		fprintf(stderr, "usage: kilnctl du [--verbose]\n");
		return 2;
	}
	if (ctl_call(c, IPC_DU, NULL) < 0)
		return 1;
	if (c->reply.hdr.type != IPC_DU_REPLY || ipc_rd_init(&rd, &c->reply.body) < 0)
		goto bad;
	printf("%-20s %-9s %-11s %-9s %-10s %s\n", "ID", "KIND", "RECLAIMABLE", "SIZE",
	    "LAST USED", "DESCRIPTION");
	while (rd.i < rd.n)
		if (ipc_rd_array(&rd, &row) < 0 ||
		    print_record(&row, &total, &reclaimable, verbose) < 0)
			goto bad;
	human_size(reclaimable, a, sizeof(a));
	human_size(total, b, sizeof(b));
	printf("Reclaimable: %s\nTotal: %s\n", a, b);
	return 0;
bad:
	fprintf(stderr, "kilnctl: malformed du reply\n");
	return 1;
}

/* Go's durations as BuildKit takes them (90s, 30m, 1h30m), and days. */
static int
parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0;
	char *end;

	if (!*s)
		return -EINVAL;
	while (*s) {
		long long v = strtoll(s, &end, 10);
		int64_t mult;

		if (end == s || v < 0)
			return -EINVAL;
		switch (*end) {
		case 'd': mult = 86400; break;
		case 'h': mult = 3600; break;
		case 'm': mult = 60; break;
		case 's': case '\0': mult = 1; break;
		default: return -EINVAL;
		}
		total += v * mult;
		s = *end ? end + 1 : end;
	}
	*out = total;
	return 0;
}

static int
prune_usage(void)
{
	fprintf(stderr, "usage: kilnctl prune [--all] [--keep-storage SIZE] "
	    "[--keep-duration DURATION]\n");
	return 2;
}

int
cmd_prune(struct ctl *c, int argc, char **argv)
{
	uint64_t keep = 0, reclaimed, removed;
	int64_t duration = 0;
	struct ipc_rd rd;
	struct ipc_wr w;
	char sz[32];
	int all = 0, r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--keep-storage") == 0 && i + 1 < argc) {
			if (util_parse_size(argv[++i], &keep) < 0)
				return prune_usage();
		} else if (strcmp(argv[i], "--keep-duration") == 0 && i + 1 < argc) {
			if (parse_duration(argv[++i], &duration) < 0)
				return prune_usage();
		} else
			return prune_usage();
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	if (all)
		msgpack_pack_true(&w.pk);
	else
		msgpack_pack_false(&w.pk);
	msgpack_pack_uint64(&w.pk, keep);
	msgpack_pack_int64(&w.pk, duration);
	r = ctl_call(c, IPC_PRUNE, &w);
	ipc_wr_free(&w);
	if (r < 0)
		return 1;
	if (c->reply.hdr.type != IPC_PRUNE_REPLY || ipc_rd_init(&rd, &c->reply.body) < 0 ||
	    ipc_rd_u64(&rd, &reclaimed) < 0 || ipc_rd_u64(&rd, &removed) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		fprintf(stderr, "kilnctl: malformed prune reply\n");
		return 1;
	}
	human_size(reclaimed, sz, sizeof(sz));
	printf("Total: %s reclaimed, %llu records removed\n", sz,
	    (unsigned long long)removed);
	return 0;
}
