/* cmd_pull.c: kilnctl pull, push and tag: one request to kiln-snapd (through solverd), its progress printed as it comes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "imgref.h"
#include "kilnctl.h"

static int
image_usage(void)
{
	fprintf(stderr, "usage: kilnctl pull [-q] [--platform OS/ARCH] REF\n"
	    "       kilnctl push [-q] IMAGE [REF]\n"
	    "       kilnctl tag IMAGE NAME\n");
	return 2;
}

static void
human(uint64_t n, char *buf, size_t size)
{
	if (n >= 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
	else if (n >= 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%llu B", (unsigned long long)n);
}

/* IMAGE_PROGRESS [what, state, size]: "a1b2c3d4e5f6: fetched 1.2 MiB" */
static void
print_progress(const struct ipc_msg *m)
{
	struct ipc_rd rd;
	const char *what, *state;
	size_t wn, sn;
	uint64_t size;
	char hs[32];

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &what, &wn) < 0 ||
	    ipc_rd_str(&rd, &state, &sn) < 0 || ipc_rd_u64(&rd, &size) < 0)
		return;
	if (sn == 11 && memcmp(state, "downloading", 11) == 0)
		return;		/* bytes so far: for the build view */
	if (wn > 7 + 12 && strncmp(what, "sha256:", 7) == 0)
		what += 7, wn = 12;
	human(size, hs, sizeof(hs));
	fprintf(stderr, "%.*s: %.*s %s\n", (int)wn, what, (int)sn, state, hs);
}

/* Sends the request and prints its events until the answer, left in
 * c->reply; an ERROR is printed and returned as a negative errno. */
static int
call_with_progress(struct ctl *c, uint16_t type, const struct ipc_wr *w, int quiet)
{
	int fds[IPC_MAX_FDS], nfds, r;
	int64_t err;
	const char *text;
	size_t len;
	struct timeval forever = { 0, 0 };
	ssize_t n;

	/* a layer may take longer than the default reply timeout */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof(forever));
	if ((r = ipc_frame_send(c->fd, type, 1, w->sbuf.data, w->sbuf.size, NULL, 0)) < 0)
		goto fail;
	for (;;) {
		n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		if (n <= 0) {
			r = n == 0 ? -ECONNRESET : (int)n;
			goto fail;
		}
		msgpack_zone_clear(&c->zone);
		if ((r = ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone,
		    &c->reply)) < 0)
			goto fail;
		if (c->reply.hdr.id != 1)
			continue;
		if (c->reply.hdr.type != IPC_IMAGE_PROGRESS)
			break;
		if (!quiet)
			print_progress(&c->reply);
	}
	if (c->reply.hdr.type != IPC_ERROR)
		return 0;
	if (ipc_error_parse(&c->reply, &err, &text, &len) < 0)
		return -EBADMSG;
	fprintf(stderr, "kilnctl: %.*s\n", (int)len, text);
	return err > 0 ? -(int)err : -EIO;
fail:
	fprintf(stderr, "kilnctl: talking to kilnd: %s\n", strerror(-r));
	return r;
}

static int
rd_print_str(struct ipc_rd *rd, char *buf, size_t size)
{
	const char *s;
	size_t n;

	if (ipc_rd_str(rd, &s, &n) < 0)
		return -EBADMSG;
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), s);
	return 0;
}

int
cmd_pull(struct ctl *c, int argc, char **argv)
{
	const char *ref = NULL, *platform = "";
	char name[IMGREF_STR_MAX], digest[80];
	uint64_t size, fetched, present;
	struct ipc_wr w;
	struct ipc_rd rd;
	int quiet = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[i], "--platform") && i + 1 < argc)
			platform = argv[++i];
		else if (!strncmp(argv[i], "--platform=", 11))
			platform = argv[i] + 11;
		else if (argv[i][0] != '-' && ref == NULL)
			ref = argv[i];
		else
			return image_usage();
	}
	if (ref == NULL)
		return image_usage();
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, ref);
	ipc_wr_str(&w, platform);
	r = call_with_progress(c, IPC_IMAGE_PULL, &w, quiet);
	ipc_wr_free(&w);
	if (r < 0)
		return 1;
	if (c->reply.hdr.type != IPC_IMAGE_PULLED || ipc_rd_init(&rd, &c->reply.body) < 0 ||
	    rd_print_str(&rd, name, sizeof(name)) < 0 ||
	    rd_print_str(&rd, digest, sizeof(digest)) < 0 || ipc_rd_u64(&rd, &size) < 0 ||
	    ipc_rd_u64(&rd, &fetched) < 0 || ipc_rd_u64(&rd, &present) < 0) {
		fprintf(stderr, "kilnctl: a bad answer to the pull\n");
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "Digest: %s\n%llu blobs fetched, %llu already here\n", digest,
		    (unsigned long long)fetched, (unsigned long long)present);
	printf("%s\n", name);
	return 0;
}

int
cmd_push(struct ctl *c, int argc, char **argv)
{
	const char *src = NULL, *dest = NULL;
	char ref[IMGREF_STR_MAX], digest[80];
	uint64_t up, skipped;
	struct ipc_wr w;
	struct ipc_rd rd;
	int quiet = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (argv[i][0] != '-' && src == NULL)
			src = argv[i];
		else if (argv[i][0] != '-' && dest == NULL)
			dest = argv[i];
		else
			return image_usage();
	}
	if (src == NULL)
		return image_usage();
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, src);
	ipc_wr_str(&w, dest ? dest : "");
	r = call_with_progress(c, IPC_IMAGE_PUSH, &w, quiet);
	ipc_wr_free(&w);
	if (r < 0)
		return 1;
	if (c->reply.hdr.type != IPC_IMAGE_PUSHED || ipc_rd_init(&rd, &c->reply.body) < 0 ||
	    rd_print_str(&rd, ref, sizeof(ref)) < 0 ||
	    rd_print_str(&rd, digest, sizeof(digest)) < 0 || ipc_rd_u64(&rd, &up) < 0 ||
	    ipc_rd_u64(&rd, &skipped) < 0) {
		fprintf(stderr, "kilnctl: a bad answer to the push\n");
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "%llu blobs uploaded, %llu already there\n",
		    (unsigned long long)up, (unsigned long long)skipped);
	printf("%s@%s\n", ref, digest);
	return 0;
}

int
cmd_tag(struct ctl *c, int argc, char **argv)
{
	struct ipc_wr w;
	int r;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return image_usage();
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, argv[1]);
	ipc_wr_str(&w, argv[2]);
	r = ctl_call(c, IPC_IMAGE_TAG, &w);
	ipc_wr_free(&w);
	return r < 0 ? 1 : 0;
}
