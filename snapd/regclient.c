/* regclient.c: the life of one pull or push in kiln-snapd: its requests to kiln-netd, its progress events, its one answer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "regclient.h"

void
regc_init(struct reg_call *c, struct ipc_peer *p, uint32_t id,
    void (*free_fn)(struct reg_call *c))
{
	c->h = helper_of(p);
	c->peer = p;
	c->id = id;
	c->free = free_fn;
}

/* solverd's connection, while it is the one that asked */
static struct ipc_peer *
asker(struct reg_call *c)
{
	return c->h->peers[PROC_SOLVERD] == c->peer ? c->peer : NULL;
}

static void
maybe_free(struct reg_call *c)
{
	if (c->replied && c->inflight == 0)
		c->free(c);
}

int
regc_request(struct reg_call *c, uint16_t type, const struct ipc_wr *w, int fd,
    ipc_reply_fn cb, void *arg)
{
	struct ipc_peer *netd = c->h->peers[PROC_NETD];
	int fds[1], r;

	if (netd == NULL)
		return -ENOTCONN;
	if (fd >= 0 && (fds[0] = dup(fd)) < 0)
		return -errno;
	/* the dup is netd's from here, sent or not */
	r = ipc_request(netd, type, w, fds, fd >= 0 ? 1 : 0, cb, arg);
	if (r == 0)
		c->inflight++;
	return r;
}

void
regc_fail(struct reg_call *c, int err, const char *fmt, ...)
{
	struct ipc_peer *p = asker(c);
	char msg[2048];
	va_list ap;

	c->failed = 1;
	if (!c->replied) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		log_info("request %u: %s", c->id, msg);
		if (p)
			ipc_reply_error(p, c->id, err, "%s", msg);
		c->replied = 1;
	}
	maybe_free(c);
}

int
regc_answer_done(struct reg_call *c, struct ipc_msg *m, const char *doing)
{
	const char *text;
	int64_t err;
	size_t n;

	c->inflight--;
	if (m == NULL) {
		regc_fail(c, ECONNRESET, "%s: kiln-netd went away (restarting?): try "
		    "again", doing);
		return 1;
	}
	if (c->failed) {
		maybe_free(c);
		return 1;
	}
	if (m->hdr.type == IPC_ERROR) {
		if (ipc_error_parse(m, &err, &text, &n) < 0)
			regc_fail(c, EIO, "%s: a bad ERROR from kiln-netd", doing);
		else
			regc_fail(c, err > 0 ? (int)err : EIO, "%s %.*s", doing, (int)n, text);
		return 1;
	}
	return 0;
}

void
regc_reply(struct reg_call *c, uint16_t type, struct ipc_wr *w)
{
	struct ipc_peer *p = asker(c);

	if (p && !c->replied)
		ipc_send(p, type, c->id, w, NULL, 0);
	ipc_wr_free(w);
	c->replied = 1;
	maybe_free(c);
}

static void
progress(struct reg_call *c, const char *what, const char *state, uint64_t size,
    const uint64_t *done)
{
	struct ipc_peer *p = asker(c);
	struct ipc_wr w;

	if (p == NULL || c->replied)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, done ? 4 : 3);
	ipc_wr_str(&w, what);
	ipc_wr_str(&w, state);
	msgpack_pack_uint64(&w.pk, size);
	if (done)
		msgpack_pack_uint64(&w.pk, *done);
	ipc_send(p, IPC_IMAGE_PROGRESS, c->id, &w, NULL, 0);
	ipc_wr_free(&w);
}

void
regc_progress(struct reg_call *c, const char *what, const char *state, uint64_t size)
{
	progress(c, what, state, size, NULL);
}

void
regc_progress_bytes(struct reg_call *c, const char *what, uint64_t size, uint64_t done)
{
	progress(c, what, "downloading", size, &done);
}

int
regc_rd_str(struct ipc_rd *rd, char *buf, size_t size)
{
	const char *s;
	size_t n;

	if (ipc_rd_str(rd, &s, &n) < 0 || n >= size || memchr(s, '\0', n))
		return -EBADMSG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

const struct ipc_handler snapd_registry_handlers[] = {
	{ IPC_IMAGE_PULL, pull_on_image_pull },
	{ IPC_IMAGE_PUSH, push_on_image_push },
	{ IPC_IMAGE_TAG, push_on_image_tag },
	{ IPC_IMAGE_EXPORT, export_on_image_export },
	IPC_HANDLERS_END
};
