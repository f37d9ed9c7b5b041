/* cmd_run.c: kilnctl debug run: one step in a rootfs through kiln-execd, output streamed live (needs --test-hooks). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kilnctl.h"

#define RUN_MAX_ENV	256
#define RUN_DRAIN_MS	5000	/* output still queued after the exit */

/* exit statuses besides the step's own, as docker run has them */
#define RUN_EXIT_DAEMON		125
#define RUN_EXIT_CANCELLED	130

static const char default_path[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct run_opts {
	char		 rootfs[PATH_MAX];
	const char	*cwd, *user;
	const char	*env[RUN_MAX_ENV];
	int		 nenv, network_none;
	char		**argv;
	int		 argc;
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: kilnctl debug run --rootfs DIR [--cwd DIR] "
	    "[--user UID[:GID]] [--network none] [--env KEY=VALUE]... -- ARGV...\n");
	return 2;
}

static int
parse_opts(int argc, char **argv, struct run_opts *o)
{
	const char *rootfs = NULL;
	int i;

	o->cwd = "/";
	o->user = "";
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (next == NULL)
			return -EINVAL;
		if (strcmp(argv[i], "--rootfs") == 0)
			rootfs = next;
		else if (strcmp(argv[i], "--cwd") == 0)
			o->cwd = next;
		else if (strcmp(argv[i], "--user") == 0)
			o->user = next;
		else if (strcmp(argv[i], "--network") == 0 && strcmp(next, "none") == 0)
			o->network_none = 1;
		else if (strcmp(argv[i], "--env") == 0 && o->nenv < RUN_MAX_ENV - 1)
			o->env[o->nenv++] = next;
		else
			return -EINVAL;
		i++;
	}
	if (rootfs == NULL || i + 1 >= argc)
		return -EINVAL;
	if (realpath(rootfs, o->rootfs) == NULL) {
		fprintf(stderr, "kilnctl: rootfs %s: %s\n", rootfs, strerror(errno));
		return -errno;
	}
	o->argv = argv + i + 1;
	o->argc = argc - i - 1;
	return 0;
}

static int
has_path(const struct run_opts *o)
{
	for (int i = 0; i < o->nenv; i++)
		if (strncmp(o->env[i], "PATH=", 5) == 0)
			return 1;
	return 0;
}

static void
pack_request(struct ipc_wr *w, const struct run_opts *o)
{
	int path = !has_path(o);

	msgpack_pack_array(&w->pk, 6);
	ipc_wr_str(w, o->rootfs);
	msgpack_pack_array(&w->pk, (size_t)o->argc);
	for (int i = 0; i < o->argc; i++)
		ipc_wr_str(w, o->argv[i]);
	msgpack_pack_array(&w->pk, (size_t)(o->nenv + path));
	if (path)
		ipc_wr_str(w, default_path);
	for (int i = 0; i < o->nenv; i++)
		ipc_wr_str(w, o->env[i]);
	ipc_wr_str(w, o->cwd);
	ipc_wr_str(w, o->user);
	if (o->network_none)
		msgpack_pack_true(&w->pk);
	else
		msgpack_pack_false(&w->pk);
}

/* Copies what a pipe has; closes it (fd = -1) at its end. */
static void
pump(int *fd, int out)
{
	char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	for (ssize_t o = 0; o < n;) {
		ssize_t w = write(out, buf + o, (size_t)(n - o));

		if (w < 0 && errno != EINTR)
			return;
		o += w > 0 ? w : 0;
	}
}

static int
exit_status(const struct ipc_msg *m)
{
	struct ipc_rd rd;
	int64_t code, sig;
	const char *err;
	size_t len;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_i64(&rd, &code) < 0 ||
	    ipc_rd_i64(&rd, &sig) < 0 || ipc_rd_str(&rd, &err, &len) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		fprintf(stderr, "kilnctl: malformed EXEC_EXIT\n");
		return RUN_EXIT_DAEMON;
	}
	if (len == 9 && memcmp(err, "cancelled", 9) == 0) {
		fprintf(stderr, "kilnctl: step cancelled\n");
		return RUN_EXIT_CANCELLED;
	}
	if (sig > 0) {
		fprintf(stderr, "kilnctl: step killed by signal %lld\n", (long long)sig);
		return 128 + (int)(sig & 0x7f);
	}
	return (int)(code & 0xff);
}

/* One frame from the daemon: -1 to keep waiting, else the exit status. */
static int
on_frame(struct ctl *c, uint32_t id)
{
	int fds[IPC_MAX_FDS], nfds = 0;
	ssize_t n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);
	int64_t err;
	const char *text;
	size_t len;

	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	if (n <= 0) {
		fprintf(stderr, "kilnctl: kilnd closed the connection during the step\n");
		return RUN_EXIT_DAEMON;
	}
	msgpack_zone_clear(&c->zone);
	if (ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone, &c->reply) < 0 ||
	    c->reply.hdr.id != id)
		return -1;
	if (c->reply.hdr.type == IPC_EXEC_EXIT)
		return exit_status(&c->reply);
	if (c->reply.hdr.type != IPC_ERROR)
		return -1;	/* EXEC_STARTED */
	if (ipc_error_parse(&c->reply, &err, &text, &len) < 0)
		fprintf(stderr, "kilnctl: malformed error reply\n");
	else
		fprintf(stderr, "kilnctl: %.*s\n", (int)len, text);
	return RUN_EXIT_DAEMON;
}

static void
send_cancel(struct ctl *c, uint32_t id)
{
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint32(&w.pk, id);
	ipc_frame_send(c->fd, IPC_EXEC_CANCEL, 0, w.sbuf.data, w.sbuf.size, NULL, 0);
	ipc_wr_free(&w);
}

/* Streams the step's output until its exit came and its pipes ended. */
static int
stream(struct ctl *c, uint32_t id, int out, int err)
{
	struct pollfd p[3] = { { c->fd, POLLIN, 0 }, { out, POLLIN, 0 }, { err, POLLIN, 0 } };
	int status = -1, cancelled = 0;
	long long waited = 0;

	while (p[1].fd >= 0 || p[2].fd >= 0 || status < 0) {
		int n = poll(p, 3, status < 0 ? -1 : 100);

		if (interrupted && !cancelled && status < 0) {
			send_cancel(c, id);
			cancelled = 1;
		}
		if (n < 0)
			continue;
		if (status >= 0 && n == 0 && (waited += 100) >= RUN_DRAIN_MS)
			break;	/* a process outside the step holds the pipe */
		if (p[0].fd >= 0 && p[0].revents && (status = on_frame(c, id)) >= 0)
			p[0].fd = -1;
		for (int i = 1; i < 3; i++)
			if (p[i].fd >= 0 && p[i].revents)
				pump(&p[i].fd, i);
	}
	return status;
}

int
cmd_debug_run(struct ctl *c, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run_opts o;
	struct ipc_wr w;
	int out[2], err[2], fds[2], r;
	const uint32_t id = 1;

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, &o) < 0)
		return usage();
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		perror("kilnctl: pipe");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ipc_wr_init(&w);
	pack_request(&w, &o);
	fds[0] = out[1];
	fds[1] = err[1];
	r = ipc_frame_send(c->fd, IPC_EXEC_RUN, id, w.sbuf.data, w.sbuf.size, fds, 2);
	ipc_wr_free(&w);
	/* the step holds the write ends now: ours would hide its EOF */
	close(out[1]);
	close(err[1]);
	if (r < 0) {
		fprintf(stderr, "kilnctl: sending the step: %s\n", strerror(-r));
		return RUN_EXIT_DAEMON;
	}
	r = stream(c, id, out[0], err[0]);
	return r;
}
