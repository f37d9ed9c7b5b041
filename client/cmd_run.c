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

#define RUN_MAX_MOUNTS	16
#define RUN_MAX_FDS	IPC_MAX_FDS	/* stdout, stderr, then the mounts' */

/* One --mount or --secret, as EXEC_RUN carries it (ipc_msg.h). */
struct run_mount {
	const char	*type, *target;
	char		 source[PATH_MAX];
	int		 readonly, want_fd;
	uint64_t	 size;
	int64_t		 uid, gid, mode;
	char		 secret_target[PATH_MAX];
};

struct run_opts {
	char		 rootfs[PATH_MAX];
	const char	*cwd, *user, *network, *security, *hostname;
	const char	*env[RUN_MAX_ENV];
	int		 nenv;
	char		*hosts[RUN_MAX_ENV];
	int		 nhosts;
	struct run_mount mounts[RUN_MAX_MOUNTS];
	int		 nmounts;
	int		 fds[RUN_MAX_FDS];
	int		 nfds;
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
	    "[--user USER[:GROUP]]\n"
	    "         [--network default|none|host] [--security sandbox|insecure]\n"
	    "         [--hostname NAME] [--add-host NAME:ADDR]... [--env KEY=VALUE]...\n"
	    "         [--mount type=bind|cache|tmpfs|secret,target=PATH[,OPTION]...]...\n"
	    "         [--secret id=ID,src=FILE[,target=PATH][,mode=MODE]]... -- ARGV...\n");
	return 2;
}

static int
bad(const char *what, const char *arg)
{
	fprintf(stderr, "kilnctl: %s: '%s'\n", what, arg);
	return -EINVAL;
}

static int
parse_num(const char *v, int base, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, base);
	if (errno || end == v || *end || n < 0 || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/* The options of --mount and --secret, BuildKit's names. */
static int
mount_option(struct run_mount *mt, const char *k, const char *v, const char *id)
{
	int64_t n;

	if (!strcmp(k, "type"))
		mt->type = v;
	else if (!strcmp(k, "target") || !strcmp(k, "dst") || !strcmp(k, "destination"))
		mt->target = v;
	else if (!strcmp(k, "source") || !strcmp(k, "src"))
		snprintf(mt->source, sizeof(mt->source), "%s", v);
	else if (!strcmp(k, "id"))
		snprintf(mt->secret_target, sizeof(mt->secret_target), "/run/secrets/%s", v);
	else if (!strcmp(k, "rw") || !strcmp(k, "readwrite"))
		mt->readonly = 0;
	else if (!strcmp(k, "ro") || !strcmp(k, "readonly"))
		mt->readonly = 1;
	else if (!strcmp(k, "fd"))
		mt->want_fd = 1;
	else if (!strcmp(k, "size") && parse_num(v, 10, INT64_MAX, &n) == 0)
		mt->size = (uint64_t)n;
	else if (!strcmp(k, "uid") && parse_num(v, 10, 0xfffffffeLL, &n) == 0)
		mt->uid = n;
	else if (!strcmp(k, "gid") && parse_num(v, 10, 0xfffffffeLL, &n) == 0)
		mt->gid = n;
	else if (!strcmp(k, "mode") && parse_num(v, 8, 07777, &n) == 0)
		mt->mode = n;
	else
		return bad(id, k);
	return 0;
}

static int
parse_mount(struct run_mount *mt, char *spec, const char *type)
{
	mt->type = type;
	mt->uid = mt->gid = mt->mode = -1;
	mt->readonly = -1;
	for (char *save, *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = '\0';
		if (mount_option(mt, kv, eq ? eq + 1 : "", "unknown mount option") < 0)
			return -EINVAL;
	}
	if (mt->type == NULL)
		return bad("--mount needs type=", spec);
	/* BuildKit's: a bind is read-only unless rw, the others writable */
	if (mt->readonly < 0)
		mt->readonly = strcmp(mt->type, "bind") == 0;
	if (mt->target == NULL && mt->secret_target[0] && strcmp(mt->type, "secret") == 0)
		mt->target = mt->secret_target;
	if (mt->target == NULL)
		return bad("--mount needs target=", mt->type);
	return 0;
}

/* Opens what the daemon cannot: a secret's file, a bind's directory
 * when asked to pass it as an fd; else a bind's path made absolute. */
static int
mount_source(struct run_opts *o, struct run_mount *mt)
{
	char real[PATH_MAX];
	int secret = strcmp(mt->type, "secret") == 0, fd;

	if (!secret && !(strcmp(mt->type, "bind") == 0 && mt->want_fd)) {
		if (strcmp(mt->type, "bind") == 0 && realpath(mt->source, real) != NULL)
			snprintf(mt->source, sizeof(mt->source), "%s", real);
		return 0;
	}
	if (o->nfds >= RUN_MAX_FDS)
		return bad("too many secrets and fd binds", mt->target);
	fd = open(mt->source, O_RDONLY | O_CLOEXEC | (secret ? 0 : O_DIRECTORY));
	if (fd < 0) {
		fprintf(stderr, "kilnctl: %s: %s\n", mt->source, strerror(errno));
		return -errno;
	}
	o->fds[o->nfds++] = fd;
	mt->source[0] = '\0';
	return 0;
}

/* --add-host NAME:ADDR (or NAME=ADDR) as EXEC_RUN's "NAME ADDR" */
static int
add_host(struct run_opts *o, const char *v)
{
	size_t n = strcspn(v, ":=");
	char *line;

	if (v[n] == '\0' || n == 0 || o->nhosts >= RUN_MAX_ENV)
		return bad("--add-host takes NAME:ADDRESS", v);
	if ((line = strdup(v)) == NULL)
		return -ENOMEM;
	line[n] = ' ';
	o->hosts[o->nhosts++] = line;
	return 0;
}

static int
parse_one(struct run_opts *o, const char *opt, char *next, const char **rootfs)
{
	if (strcmp(opt, "--rootfs") == 0)
		*rootfs = next;
	else if (strcmp(opt, "--cwd") == 0)
		o->cwd = next;
	else if (strcmp(opt, "--user") == 0)
		o->user = next;
	else if (strcmp(opt, "--network") == 0)
		o->network = next;
	else if (strcmp(opt, "--security") == 0)
		o->security = next;
	else if (strcmp(opt, "--hostname") == 0)
		o->hostname = next;
	else if (strcmp(opt, "--add-host") == 0)
		return add_host(o, next);
	else if (strcmp(opt, "--env") == 0 && o->nenv < RUN_MAX_ENV - 1)
		o->env[o->nenv++] = next;
	else if ((strcmp(opt, "--mount") == 0 || strcmp(opt, "--secret") == 0) &&
	    o->nmounts < RUN_MAX_MOUNTS)
		return parse_mount(&o->mounts[o->nmounts++], next,
		    opt[2] == 's' ? "secret" : NULL);
	else
		return -EINVAL;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct run_opts *o)
{
	const char *rootfs = NULL;
	int i;

	o->cwd = "/";
	o->user = o->hostname = "";
	o->network = "default";
	o->security = "sandbox";
	o->nfds = 2;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i + 1 >= argc || parse_one(o, argv[i], argv[i + 1], &rootfs) < 0)
			return -EINVAL;
		i++;
	}
	if (rootfs == NULL || i + 1 >= argc)
		return -EINVAL;
	if (realpath(rootfs, o->rootfs) == NULL) {
		fprintf(stderr, "kilnctl: rootfs %s: %s\n", rootfs, strerror(errno));
		return -errno;
	}
	for (int m = 0; m < o->nmounts; m++)
		if (mount_source(o, &o->mounts[m]) < 0)
			return -EINVAL;
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
pack_mount(struct ipc_wr *w, const struct run_mount *mt)
{
	msgpack_pack_array(&w->pk, 8);
	ipc_wr_str(w, mt->type);
	ipc_wr_str(w, mt->target);
	ipc_wr_str(w, mt->source);
	if (mt->readonly)
		msgpack_pack_true(&w->pk);
	else
		msgpack_pack_false(&w->pk);
	msgpack_pack_uint64(&w->pk, mt->size);
	msgpack_pack_int64(&w->pk, mt->uid);
	msgpack_pack_int64(&w->pk, mt->gid);
	msgpack_pack_int64(&w->pk, mt->mode);
}

static void
pack_request(struct ipc_wr *w, const struct run_opts *o)
{
	int path = !has_path(o);

	msgpack_pack_array(&w->pk, 10);
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
	ipc_wr_str(w, o->network);
	msgpack_pack_array(&w->pk, (size_t)o->nmounts);
	for (int i = 0; i < o->nmounts; i++)
		pack_mount(w, &o->mounts[i]);
	ipc_wr_str(w, o->security);
	ipc_wr_str(w, o->hostname);
	msgpack_pack_array(&w->pk, (size_t)o->nhosts);
	for (int i = 0; i < o->nhosts; i++)
		ipc_wr_str(w, o->hosts[i]);
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
	static struct run_opts o;
	struct ipc_wr w;
	int out[2], err[2], r;
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
	o.fds[0] = out[1];
	o.fds[1] = err[1];
	r = ipc_frame_send(c->fd, IPC_EXEC_RUN, id, w.sbuf.data, w.sbuf.size,
	    o.fds, o.nfds);
	ipc_wr_free(&w);
	/* the step holds the write ends now: ours would hide its EOF */
	for (int i = 0; i < o.nfds; i++)
		close(o.fds[i]);
	for (int i = 0; i < o.nhosts; i++)
		free(o.hosts[i]);
	if (r < 0) {
		fprintf(stderr, "kilnctl: sending the step: %s\n", strerror(-r));
		return RUN_EXIT_DAEMON;
	}
	r = stream(c, id, out[0], err[0]);
	return r;
}
