/* cmd_status.c: kilnctl debug status: each helper's own account of itself (pid, id maps, seccomp mode, capabilities). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "kilnctl.h"
#include "util.h"

static const char *const helper_names[] = { "solverd", "execd", "snapd", "netd" };

/* "0 1001 1\n1 200000 65536\n" -> "0 1001 1, 1 200000 65536" */
static void
print_map(const char *label, const char *s, size_t len)
{
	printf("  %s:", label);
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && s[j] != '\n')
			j++;
		/* the kernel pads the columns with spaces */
		printf(" [");
		for (size_t k = i, sp = 1; k < j; k++) {
			if (s[k] == ' ' && sp)
				continue;
			sp = s[k] == ' ';
			putchar(s[k]);
		}
		printf("]");
		i = j + 1;
	}
	printf("\n");
}

static int
print_status(const struct ipc_msg *m)
{
	const char *name, *um, *gm, *mode;
	size_t nl, ul, gl, ml;
	int64_t pid;
	uint64_t caps;
	struct ipc_rd rd;

	if (m->hdr.type != IPC_STATUS_REPLY || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_str(&rd, &name, &nl) < 0 || ipc_rd_i64(&rd, &pid) < 0 ||
	    ipc_rd_str(&rd, &um, &ul) < 0 || ipc_rd_str(&rd, &gm, &gl) < 0 ||
	    ipc_rd_str(&rd, &mode, &ml) < 0 || ipc_rd_u64(&rd, &caps) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		fprintf(stderr, "kilnctl: malformed STATUS_REPLY\n");
		return -EBADMSG;
	}
	printf("%.*s pid=%" PRId64 " seccomp=%.*s caps=0x%" PRIx64 "\n",
	    (int)nl, name, pid, (int)ml, mode, caps);
	print_map("uid_map", um, ul);
	print_map("gid_map", gm, gl);
	return 0;
}

int
cmd_debug_status(struct ctl *c, int argc, char **argv)
{
	struct ipc_wr w;
	int r = 0;

	if (argc != 1) {
		fprintf(stderr, "usage: kilnctl debug status\n");
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(helper_names); i++) {
		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 1);
		ipc_wr_str(&w, helper_names[i]);
		if (ctl_call(c, IPC_STATUS, &w) < 0 || print_status(&c->reply) < 0)
			r = 1;
		ipc_wr_free(&w);
	}
	return r;
}
