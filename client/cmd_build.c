/* cmd_build.c: kilnctl build: sends the build, renders its progress, cancels it on Ctrl-C, writes the metadata file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "build.h"
#include "build_send.h"
#include "kilnctl.h"
#include "progress.h"
#include "util.h"

#define BUILD_EXIT_FAILED	1
#define BUILD_EXIT_USAGE	2
#define BUILD_EXIT_CANCELLED	130

static volatile sig_atomic_t interrupts;

static void
on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

struct bresult {
	char		 id[64], image[80], config[80];
	uint64_t	 steps, cached;
	int64_t		 ms;
	uint64_t	 size;		/* the manifest's */
	const char	*cfg;		/* the image config JSON, in the frame */
	size_t		 cfglen;
};

static int
parse_result(const struct ipc_msg *m, struct bresult *res)
{
	struct ipc_rd rd;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strcpy(&rd, res->id, sizeof(res->id)) ||
	    ipc_rd_strcpy(&rd, res->image, sizeof(res->image)) ||
	    ipc_rd_strcpy(&rd, res->config, sizeof(res->config)) ||
	    ipc_rd_u64(&rd, &res->steps) || ipc_rd_u64(&rd, &res->cached) ||
	    ipc_rd_i64(&rd, &res->ms) || ipc_rd_u64(&rd, &res->size) ||
	    ipc_rd_str(&rd, &res->cfg, &res->cfglen) || ipc_rd_end(&rd))
		return -EBADMSG;
	return 0;
}

/* buildx's --metadata-file keys, for the scripts that read them */
static int
write_metadata(const char *path, const struct bresult *res, const struct build_opts *o)
{
	FILE *f = fopen(path, "we");
	char names[4096] = "";

	if (f == NULL)
		return -errno;
	for (int i = 0; i < o->ntags; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
		    i ? "," : "", o->tags[i]);
	fputs("{\n  \"buildx.build.ref\": ", f);
	progress_json_str(f, res->id, strlen(res->id));
	if (res->image[0]) {
		fputs(",\n  \"containerimage.digest\": ", f);
		progress_json_str(f, res->image, strlen(res->image));
		fputs(",\n  \"containerimage.config.digest\": ", f);
		progress_json_str(f, res->config, strlen(res->config));
		fprintf(f, ",\n  \"containerimage.descriptor\": {\"mediaType\": \"%s\", "
		    "\"digest\": ", o->docker_types ?
		    "application/vnd.docker.distribution.manifest.v2+json" :
		    "application/vnd.oci.image.manifest.v1+json");
		progress_json_str(f, res->image, strlen(res->image));
		fprintf(f, ", \"size\": %llu}", (unsigned long long)res->size);
	}
	if (names[0]) {
		fputs(",\n  \"image.name\": ", f);
		progress_json_str(f, names, strlen(names));
	}
	/* the daemon's own JSON, as it is */
	if (res->cfglen)
		fprintf(f, ",\n  \"kiln.image.config\": %.*s", (int)res->cfglen, res->cfg);
	fprintf(f, ",\n  \"kiln.steps\": %llu,\n  \"kiln.cached\": %llu,\n"
	    "  \"kiln.duration_ms\": %lld\n}\n", (unsigned long long)res->steps,
	    (unsigned long long)res->cached, (long long)res->ms);
	return fclose(f) == 0 ? 0 : -errno;
}

static void
send_cancel(struct ctl *c, uint32_t id)
{
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint32(&w.pk, id);
	ipc_frame_send(c->fd, IPC_BUILD_CANCEL, 0, w.sbuf.data, w.sbuf.size, NULL, 0);
	ipc_wr_free(&w);
}

struct bloop {
	struct ctl		*c;
	struct progress		*prog;
	const struct build_opts	*o;
	uint32_t		 id;
	int			 cancel_sent;
};

static int
on_end(struct bloop *l, const struct ipc_msg *m)
{
	struct bresult res;
	char summary[512], err[2048];
	int64_t e;
	const char *text;
	size_t len;

	if (m->hdr.type == IPC_ERROR) {
		if (ipc_error_parse(m, &e, &text, &len) < 0)
			snprintf(err, sizeof(err), "malformed error reply");
		else
			snprintf(err, sizeof(err), "%.*s", (int)len, text);
		progress_done(l->prog, NULL, err);
		return e == ECANCELED || l->cancel_sent ? BUILD_EXIT_CANCELLED :
		    BUILD_EXIT_FAILED;
	}
	if (parse_result(m, &res) < 0) {
		progress_done(l->prog, NULL, "malformed build result");
		return BUILD_EXIT_FAILED;
	}
	snprintf(summary, sizeof(summary), "build %s done in %.1fs: %llu steps, "
	    "%llu cached%s%s", res.id, (double)res.ms / 1000.0,
	    (unsigned long long)res.steps, (unsigned long long)res.cached,
	    res.image[0] ? ", image " : "", res.image);
	progress_done(l->prog, summary, NULL);
	if (l->o->metadata_file && (e = write_metadata(l->o->metadata_file, &res, l->o)) < 0) {
		fprintf(stderr, "kilnctl build: %s: %s\n", l->o->metadata_file,
		    strerror((int)-e));
		return BUILD_EXIT_FAILED;
	}
	return 0;
}

/* One frame: -1 to go on, else the exit status. */
static int
on_frame(struct bloop *l)
{
	struct ctl *c = l->c;
	int fds[IPC_MAX_FDS], nfds = 0;
	ssize_t n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);

	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	if (n < 0 && (n == -EINTR || n == -EAGAIN))
		return -1;
	if (n <= 0) {
		progress_done(l->prog, NULL, "kiln-solverd went away during the build "
		    "(it died or kilnd stopped); nothing of this build was kept, run "
		    "it again");
		return BUILD_EXIT_FAILED;
	}
	msgpack_zone_clear(&c->zone);
	if (ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone, &c->reply) < 0 ||
	    c->reply.hdr.id != l->id)
		return -1;
	if (c->reply.hdr.type == IPC_BUILD_RESULT || c->reply.hdr.type == IPC_ERROR)
		return on_end(l, &c->reply);
	progress_event(l->prog, &c->reply);
	return -1;
}

static int
run_loop(struct bloop *l)
{
	struct pollfd pf = { l->c->fd, POLLIN, 0 };
	int status = -1;

	while (status < 0) {
		int n = poll(&pf, 1, 100);

		if (interrupts && !l->cancel_sent) {
			fprintf(stderr, "kilnctl build: cancelling (Ctrl-C again to "
			    "leave at once)\n");
			send_cancel(l->c, l->id);
			l->cancel_sent = 1;
		} else if (interrupts > 1)
			return BUILD_EXIT_CANCELLED;
		if (n == 0)
			progress_tick(l->prog);
		else if (n > 0)
			status = on_frame(l);
	}
	return status;
}

static int
send_build(struct ctl *c, const struct build_opts *o, struct bsend *b, uint32_t id)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	bsend_pack(&w, b, o);
	r = ipc_frame_send(c->fd, IPC_BUILD, id, w.sbuf.data, w.sbuf.size, b->fds,
	    b->nfds);
	ipc_wr_free(&w);
	if (r < 0)
		fprintf(stderr, "kilnctl build: sending the build: %s\n", strerror(-r));
	return r;
}

int
cmd_build(struct ctl *c, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timeval none = { 0, 0 };
	struct build_opts o;
	struct bsend b;
	struct bloop l = { c, NULL, &o, 1, 0 };
	int r = BUILD_EXIT_FAILED;

	memset(&o, 0, sizeof(o));
	bsend_init(&b);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		bopt_usage(stdout);
		return 0;
	}
	if (bopt_parse(argc, argv, &o) < 0) {
		bopt_usage(stderr);
		bopt_free(&o);
		return BUILD_EXIT_USAGE;
	}
	if (bsend_open(&b, &o, c) < 0)
		goto out;
	/* a step may run for long without a word */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((l.prog = progress_new(o.progress, stderr)) == NULL ||
	    send_build(c, &o, &b, l.id) < 0)
		goto out;
	bsend_free(&b);
	r = run_loop(&l);
out:
	progress_free(l.prog);
	bsend_free(&b);
	bopt_free(&o);
	return r;
}
