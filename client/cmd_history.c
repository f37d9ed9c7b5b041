/* cmd_history.c: kilnctl history: the daemon's past builds, newest first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kilnctl.h"

struct hrow {
	const char	*id, *digest, *target, *status, *result;
	size_t		 lid, ldigest, ltarget, lstatus, lresult;
	int64_t		 started, ms;
	uint64_t	 steps, cached;
};

static int
parse_row(struct ipc_rd *list, struct hrow *h)
{
	struct ipc_rd row;

	if (ipc_rd_array(list, &row) || ipc_rd_str(&row, &h->id, &h->lid) ||
	    ipc_rd_i64(&row, &h->started) ||
	    ipc_rd_str(&row, &h->digest, &h->ldigest) ||
	    ipc_rd_str(&row, &h->target, &h->ltarget) ||
	    ipc_rd_str(&row, &h->status, &h->lstatus) || ipc_rd_i64(&row, &h->ms) ||
	    ipc_rd_u64(&row, &h->steps) || ipc_rd_u64(&row, &h->cached) ||
	    ipc_rd_str(&row, &h->result, &h->lresult) || ipc_rd_end(&row))
		return -EBADMSG;
	return 0;
}

static void
print_row(const struct hrow *h, int json, int first)
{
	char when[32];
	time_t t = (time_t)h->started;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (json) {
		/* ids, digests and states are kiln's own words; the target and
		 * the message are escaped by hand for quotes and backslashes */
		printf("%s{\"id\":\"%.*s\",\"started\":\"%s\",\"dockerfile\":\"%.*s\","
		    "\"target\":\"", first ? "" : ",", (int)h->lid, h->id, when,
		    (int)h->ldigest, h->digest);
		for (size_t i = 0; i < h->ltarget; i++)
			printf(h->target[i] == '"' || h->target[i] == '\\' ? "\\%c" : "%c",
			    h->target[i]);
		printf("\",\"status\":\"%.*s\",\"duration_ms\":%lld,\"steps\":%llu,"
		    "\"cached\":%llu,\"result\":\"", (int)h->lstatus, h->status,
		    (long long)h->ms, (unsigned long long)h->steps,
		    (unsigned long long)h->cached);
		for (size_t i = 0; i < h->lresult; i++)
			printf((unsigned char)h->result[i] < 0x20 ? "\\u%04x" :
			    h->result[i] == '"' || h->result[i] == '\\' ? "\\%c" : "%c",
			    h->result[i]);
		printf("\"}");
		return;
	}
	/* the table shows a message's first line; --format json all of it */
	printf("%-18.*s %-20s %-11.*s %7.1fs %5llu %6llu  %-12.*s %.*s\n",
	    (int)h->lid, h->id, when, (int)h->lstatus, h->status, (double)h->ms / 1000.0,
	    (unsigned long long)h->steps, (unsigned long long)h->cached,
	    (int)(h->ltarget ? h->ltarget : 1), h->ltarget ? h->target : "-",
	    (int)(memchr(h->result, '\n', h->lresult) ?
	    (const char *)memchr(h->result, '\n', h->lresult) - h->result : (long)h->lresult),
	    h->result);
}

int
cmd_history(struct ctl *c, int argc, char **argv)
{
	struct ipc_rd rd, list;
	struct ipc_wr w;
	uint64_t limit = 0;
	int json = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format=json") ||
		    (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[++i], "json")))
			json = 1;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			limit = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: kilnctl history [-n COUNT] [--format json]\n");
			return 2;
		}
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint64(&w.pk, limit);
	r = ctl_call(c, IPC_HISTORY, &w);
	ipc_wr_free(&w);
	if (r < 0)
		return 1;
	if (c->reply.hdr.type != IPC_HISTORY_REPLY || ipc_rd_init(&rd, &c->reply.body) ||
	    ipc_rd_array(&rd, &list) || ipc_rd_end(&rd))
		goto bad;
	if (json)
		printf("[");
	else
		printf("%-18s %-20s %-11s %8s %5s %6s  %-12s %s\n", "BUILD", "STARTED",
		    "STATUS", "TIME", "STEPS", "CACHED", "TARGET", "RESULT");
	for (uint32_t i = 0; list.i < list.n; i++) {
		struct hrow h;

		if (parse_row(&list, &h) < 0)
			goto bad;
		print_row(&h, json, i == 0);
	}
	if (json)
		printf("]\n");
	return 0;
bad:
	fprintf(stderr, "kilnctl: malformed history reply\n");
	return 1;
}
