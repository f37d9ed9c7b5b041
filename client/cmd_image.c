/* cmd_image.c: kilnctl image import, kilnctl images, kilnctl image rm: the local image store in kiln-snapd. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kilnctl.h"

static int
image_usage(void)
{
	fprintf(stderr, "usage: kilnctl image import FILE|DIR [--name REF]\n"
	    "       kilnctl image rm NAME...\n"
	    "       kilnctl images\n");
	return 2;
}

/* ctl_call with one fd riding along. */
static int
call_fd(struct ctl *c, uint16_t type, const struct ipc_wr *body, int fd)
{
	int fds[IPC_MAX_FDS], nfds, r;
	int64_t err;
	const char *text;
	size_t len;
	ssize_t n;

	r = ipc_frame_send(c->fd, type, 1, body->sbuf.data, body->sbuf.size, &fd, 1);
	if (r < 0) {
		fprintf(stderr, "kilnctl: sending: %s\n", strerror(-r));
		return r;
	}
	do {
		n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		if (n <= 0) {
			fprintf(stderr, "kilnctl: kilnd closed the connection\n");
			return n < 0 ? (int)n : -ECONNRESET;
		}
		msgpack_zone_clear(&c->zone);
		r = ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone, &c->reply);
		if (r < 0)
			return r;
	} while (c->reply.hdr.id != 1);
	if (c->reply.hdr.type != IPC_ERROR)
		return 0;
	if (ipc_error_parse(&c->reply, &err, &text, &len) == 0)
		fprintf(stderr, "kilnctl: %.*s\n", (int)len, text);
	return -EIO;
}

static void
human(uint64_t n, char *out, size_t size)
{
	const char *units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, size, u ? "%.1f%s" : "%.0f%s", v, units[u]);
}

/* [[str name, str manifest digest, u64 size, i64 created]...] */
static int
print_list(const struct ipc_msg *m, int header)
{
	struct ipc_rd rd, item;
	const char *name, *digest;
	size_t nlen, dlen;
	uint64_t size;
	int64_t created;

	if (ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	if (header)
		printf("%-40s %-19s %-10s %s\n", "NAME", "DIGEST", "SIZE", "CREATED");
	while (rd.i < rd.n) {
		char sz[32], when[32];
		time_t t;

		if (ipc_rd_array(&rd, &item) < 0 || ipc_rd_str(&item, &name, &nlen) < 0 ||
		    ipc_rd_str(&item, &digest, &dlen) < 0 || ipc_rd_u64(&item, &size) < 0 ||
		    ipc_rd_i64(&item, &created) < 0)
			return -EBADMSG;
		human(size, sz, sizeof(sz));
		t = (time_t)created;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		if (header)
			printf("%-40.*s %-19.*s %-10s %s\n", (int)nlen, name,
			    dlen > 19 ? 19 : (int)dlen, digest, sz, when);
		else
			printf("%.*s %.*s\n", (int)nlen, name, (int)dlen, digest);
	}
	return 0;
}

static int
cmd_import(struct ctl *c, int argc, char **argv)
{
	const char *src = NULL, *name = "";
	struct ipc_wr w;
	struct stat st;
	int fd, r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strncmp(argv[i], "--name=", 7) == 0)
			name = argv[i] + 7;
		else if (src == NULL && argv[i][0] != '-')
			src = argv[i];
		else
			return image_usage();
	}
	if (src == NULL)
		return image_usage();
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "kilnctl: %s: %s\n", src, strerror(errno));
		return 1;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, name);
	r = call_fd(c, IPC_IMAGE_IMPORT, &w, fd);
	ipc_wr_free(&w);
	close(fd);
	if (r == 0 && c->reply.hdr.type == IPC_IMAGE_LIST_REPLY)
		r = print_list(&c->reply, 0);
	return r < 0 ? 1 : 0;
}

static int
cmd_rm(struct ctl *c, int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return image_usage();
	for (int i = 1; i < argc; i++) {
		struct ipc_wr w;

		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 1);
		ipc_wr_str(&w, argv[i]);
		if (ctl_call(c, IPC_IMAGE_REMOVE, &w) < 0)
			bad = 1;
		else
			printf("removed %s\n", argv[i]);
		ipc_wr_free(&w);
	}
	return bad;
}

int
cmd_images(struct ctl *c, int argc, char **argv)
{
	if (argc > 1)
		return image_usage();
	if (ctl_call(c, IPC_IMAGE_LIST, NULL) < 0)
		return 1;
	return print_list(&c->reply, 1) < 0 ? 1 : 0;
}

int
cmd_image(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cmd_import(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "rm") == 0 || strcmp(argv[1], "remove") == 0))
		return cmd_rm(c, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "ls") == 0 || strcmp(argv[1], "list") == 0))
		return cmd_images(c, argc - 1, argv + 1);
	return image_usage();
}
