/* cmd_info.c: kilnctl info, debug and ping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kilnctl.h"

struct helper_row {
	char		name[32], state[16], seccomp[16];
	int64_t		pid;
	uint64_t	restarts;
};

struct info {
	char			version[32], net[32], net_reason[256], warnings[1024];
	char			snapshotter[32], snapshotter_why[1024];
	struct ipc_rd		uid_map, gid_map;
	struct helper_row	helpers[8];
	int			nhelpers;
};

static int
parse_helpers(struct ipc_rd *rd, struct info *in)
{
	struct ipc_rd list, row;

	if (ipc_rd_array(rd, &list) < 0)
		return -EBADMSG;
	for (in->nhelpers = 0; list.i < list.n && in->nhelpers < 8; in->nhelpers++) {
		struct helper_row *h = &in->helpers[in->nhelpers];

		if (ipc_rd_array(&list, &row) < 0 || ipc_rd_strcpy(&row, h->name, sizeof(h->name)) ||
		    ipc_rd_i64(&row, &h->pid) || ipc_rd_strcpy(&row, h->state, sizeof(h->state)) ||
		    ipc_rd_u64(&row, &h->restarts) ||
		    ipc_rd_strcpy(&row, h->seccomp, sizeof(h->seccomp)) || ipc_rd_end(&row))
			return -EBADMSG;
	}
	return 0;
}

static int
parse_info(const struct ipc_msg *m, struct info *in)
{
	struct ipc_rd rd;

	if (m->hdr.type != IPC_INFO_REPLY || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_strcpy(&rd, in->version, sizeof(in->version)) ||
	    ipc_rd_strcpy(&rd, in->net, sizeof(in->net)) ||
	    ipc_rd_strcpy(&rd, in->net_reason, sizeof(in->net_reason)) ||
	    ipc_rd_array(&rd, &in->uid_map) || ipc_rd_array(&rd, &in->gid_map) ||
	    parse_helpers(&rd, in) || ipc_rd_strcpy(&rd, in->warnings, sizeof(in->warnings)) ||
	    ipc_rd_strcpy(&rd, in->snapshotter, sizeof(in->snapshotter)) ||
	    ipc_rd_strcpy(&rd, in->snapshotter_why, sizeof(in->snapshotter_why)) ||
	    ipc_rd_end(&rd)) {
		fprintf(stderr, "kilnctl: malformed info reply\n");
		return -EBADMSG;
	}
	return 0;
}

/* As the rootless docs show it: host id -> id inside, ranges folded. */
static int
print_map(const char *title, struct ipc_rd map)
{
	struct ipc_rd e;
	uint64_t in, out, n;

	printf("%s (host -> kiln):\n", title);
	while (map.i < map.n) {
		if (ipc_rd_array(&map, &e) || ipc_rd_u64(&e, &in) || ipc_rd_u64(&e, &out) ||
		    ipc_rd_u64(&e, &n) || ipc_rd_end(&e))
			return -EBADMSG;
		if (n == 1)
			printf("  %llu -> %llu\n", (unsigned long long)out,
			    (unsigned long long)in);
		else
			printf("  %llu..%llu -> %llu..%llu\n", (unsigned long long)out,
			    (unsigned long long)(out + n - 1), (unsigned long long)in,
			    (unsigned long long)(in + n - 1));
	}
	return 0;
}

static int
fetch_info(struct ctl *c, struct info *in)
{
	int r = ctl_call(c, IPC_INFO, NULL);

	return r < 0 ? r : parse_info(&c->reply, in);
}

int
cmd_info(struct ctl *c, int argc, char **argv)
{
	struct info in;

	if (argc > 1) {
		fprintf(stderr, "usage: kilnctl info\n");
		return 2;
	}
	if (fetch_info(c, &in) < 0)
		return 1;
	printf("kilnd version %s\n", in.version);
	printf("network: %s (%s)\n", in.net, in.net_reason);
	if (in.snapshotter[0])
		printf("snapshotter: %s (%s)\n", in.snapshotter, in.snapshotter_why);
	if (print_map("uid map", in.uid_map) < 0 || print_map("gid map", in.gid_map) < 0)
		return 1;
	printf("helpers:\n  %-14s %-8s %-9s %-9s %s\n", "NAME", "PID", "STATE",
	    "RESTARTS", "SECCOMP");
	for (int i = 0; i < in.nhelpers; i++) {
		struct helper_row *h = &in.helpers[i];

		printf("  %-14s %-8lld %-9s %-9llu %s\n", h->name, (long long)h->pid,
		    h->state, (unsigned long long)h->restarts, h->seccomp);
	}
	if (in.warnings[0])
		printf("warning: %s\n", in.warnings);
	return 0;
}

static void
print_debug_json(const struct info *in)
{
	printf("{\"helpers\":[");
	for (int i = 0; i < in->nhelpers; i++) {
		const struct helper_row *h = &in->helpers[i];

		/* names, states and modes are kiln's own words: nothing to escape */
		printf("%s{\"name\":\"%s\",\"pid\":%lld,\"state\":\"%s\",\"restarts\":%llu,"
		    "\"seccomp\":\"%s\"}", i ? "," : "", h->name, (long long)h->pid, h->state,
		    (unsigned long long)h->restarts, h->seccomp);
	}
	printf("]}\n");
}

static int
debug_violate(struct ctl *c, const char *helper)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, helper);
	r = ctl_call(c, IPC_DEBUG_VIOLATE, &w);
	ipc_wr_free(&w);
	return r < 0 ? 1 : 0;
}

int
cmd_debug(struct ctl *c, int argc, char **argv)
{
	int json = 0;
	struct info in;

	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_debug_run(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return cmd_debug_status(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "call") == 0)
		return cmd_debug_call(c, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "violate-seccomp") == 0)
		return debug_violate(c, argv[2]);
	if (argc == 3 && strcmp(argv[1], "--format") == 0 && strcmp(argv[2], "json") == 0)
		json = 1;
	else if (argc == 2 && strcmp(argv[1], "--format=json") == 0)
		json = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: kilnctl debug [--format json] | status\n"
		    "       kilnctl debug violate-seccomp HELPER\n");
		return 2;
	}
	if (fetch_info(c, &in) < 0)
		return 1;
	if (json) {
		print_debug_json(&in);
		return 0;
	}
	for (int i = 0; i < in.nhelpers; i++)
		printf("%s pid %lld %s (strace -p %lld)\n", in.helpers[i].name,
		    (long long)in.helpers[i].pid, in.helpers[i].state,
		    (long long)in.helpers[i].pid);
	return 0;
}

int
cmd_ping(struct ctl *c, int argc, char **argv)
{
	if (ctl_call(c, IPC_PING, NULL) < 0)
		return 1;
	printf("pong\n");
	return 0;
}
