/* fetch.c: NET_FETCH, the download behind ADD of a URL: one GET into solverd's fd, with the headers ADD uses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fetch.h"
#include "helper.h"
#include "http.h"
#include "log.h"

struct fetch {
	int		 asked_etag;	/* If-None-Match was sent */
	struct helper	*h;
	struct ipc_peer	*peer;
	uint32_t	 id;
	int		 fd;
	struct http_xfer *x;
};

static void
fetch_free(struct fetch *f)
{
	http_free(f->x);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

/* The asker, if it did not go away while the body came. */
static struct ipc_peer *
fetch_peer(const struct fetch *f)
{
	return helper_peer_alive(f->h, f->peer);
}

static void
fetch_fail(struct fetch *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fetch_fail(struct fetch *f, int err, const char *fmt, ...)
{
	struct ipc_peer *p = fetch_peer(f);
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("%s", msg);
	if (p)
		ipc_reply_error(p, f->id, err, "%s", msg);
	fetch_free(f);
}

/* NET_FETCHED, then f is done */
static void
fetched_reply(struct fetch *f, uint64_t bytes, const char *name, int not_modified)
{
	const struct http_xfer *x = f->x;
	struct ipc_peer *p = fetch_peer(f);
	struct ipc_wr w;

	if (p) {
		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 5);
		msgpack_pack_uint64(&w.pk, bytes);
		msgpack_pack_int64(&w.pk, x->last_modified[0] ?
		    fetch_http_date(x->last_modified) : -1);
		ipc_wr_str(&w, name);
		ipc_wr_str(&w, x->etag);
		if (not_modified)
			msgpack_pack_true(&w.pk);
		else
			msgpack_pack_false(&w.pk);
		ipc_send(p, IPC_NET_FETCHED, f->id, &w, NULL, 0);
		ipc_wr_free(&w);
	}
	fetch_free(f);
}

static void
fetch_done(struct http_xfer *x)
{
	struct fetch *f = x->arg;
	char name[256];

	if (x->too_big) {
		fetch_fail(f, EFBIG, "GET %s: the body is bigger than %llu bytes", x->url,
		    (unsigned long long)x->out_max);
		return;
	}
	if (x->result != CURLE_OK) {
		fetch_fail(f, ECONNREFUSED, "GET %s: %s", x->url, x->error[0] ? x->error :
		    "the transfer failed");
		return;
	}
	if (x->write_err) {
		fetch_fail(f, x->write_err, "GET %s: writing the body: %s", x->url,
		    strerror(x->write_err));
		return;
	}
	if (x->status == 304 && f->asked_etag) {
		fetched_reply(f, 0, "", 1);
		return;
	}
	if (x->status < 200 || x->status > 299) {
		fetch_fail(f, x->status == 404 ? ENOENT : x->status == 401 || x->status == 403 ?
		    EACCES : EIO, "GET %s: the server answered %ld", x->url, x->status);
		return;
	}
	fetch_disposition_name(x->disposition, name, sizeof(name));
	log_info("fetched %s: %llu bytes", x->url, (unsigned long long)x->written);
	fetched_reply(f, x->written, name, 0);
}

int
fetch_on_request(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fetch *f;
	struct ipc_rd rd;
	char url[4096], msg[1024], etag[256];
	uint64_t max;
	off_t off;
	int r;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_strcpy(&rd, url, sizeof(url)) < 0 || ipc_rd_u64(&rd, &max) < 0 ||
	    ipc_rd_strcpy(&rd, etag, sizeof(etag)) < 0 || ipc_rd_end(&rd) < 0 ||
	    strpbrk(etag, "\r\n"))
		return -EBADMSG;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "GET %s: only http:// and "
		    "https:// URLs are fetched", url);
	/* libcurl comes with the first transfer (curl_lazy.c) */
	if ((r = http_load(msg, sizeof(msg))) < 0) {
		log_error("GET %s: %s", url, msg);
		return ipc_reply_error(p, m->hdr.id, -r, "GET %s: %s", url, msg);
	}
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->x = http_new()) == NULL) {
		free(f);
		return ipc_reply_error(p, m->hdr.id, ENOMEM, "GET %s: out of memory", url);
	}
	f->h = helper_of(p);
	f->peer = p;
	f->id = m->hdr.id;
	f->fd = m->fds[0];
	m->fds[0] = -1;
	/* written from its offset, as REG_BLOB_GET writes (pwrite) */
	if ((off = lseek(f->fd, 0, SEEK_CUR)) < 0) {
		fetch_fail(f, EINVAL, "GET %s: the fd for the body must be a regular "
		    "file or a memfd", url);
		return 0;
	}
	f->x->method = "GET";
	snprintf(f->x->url, sizeof(f->x->url), "%s", url);
	f->x->tls.verify = 1;
	f->x->follow = 1;
	f->x->out_fd = f->fd;
	f->x->out_off = off;
	f->x->out_max = max;
	f->x->done = fetch_done;
	if (*etag && (r = http_header(f->x, "If-None-Match: %s", etag)) < 0) {
		fetch_fail(f, -r, "GET %s: %s", url, strerror(-r));
		return 0;
	}
	f->asked_etag = *etag != '\0';
	f->x->arg = f;
	if ((r = http_start(f->x)) < 0) {
		fetch_fail(f, -r, "GET %s: %s", url, strerror(-r));
		return 0;
	}
	return 0;
}
