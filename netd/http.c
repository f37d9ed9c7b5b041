/* http.c: runs libcurl transfers on kiln-netd's libevent loop (the multi socket interface) and collects what the registries answer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <event2/event.h>
#include "http.h"
#include "log.h"

static struct {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
} hs;

/* the event of one socket curl watches */
struct sock_ev {
	struct event	*ev;
};

static void check_done(void);

static void
sock_cb(evutil_socket_t fd, short what, void *arg)
{
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0), running;

	curl_multi_socket_action(hs.multi, fd, flags, &running);
	check_done();
}

static int
on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct sock_ev *se = socketp;
	short kind = (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (se) {
			event_free(se->ev);
			free(se);
		}
		curl_multi_assign(hs.multi, s, NULL);
		return 0;
	}
	if (se == NULL) {
		if ((se = calloc(1, sizeof(*se))) == NULL)
			return -1;
		curl_multi_assign(hs.multi, s, se);
	} else {
		event_del(se->ev);
		event_free(se->ev);
	}
	se->ev = event_new(hs.base, s, kind, sock_cb, NULL);
	if (se->ev == NULL)
		return -1;
	return event_add(se->ev, NULL);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	int running;

	curl_multi_socket_action(hs.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done();
}

static int
on_timer(CURLM *m, long ms, void *userp)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms < 0)
		return evtimer_del(hs.timer);
	return evtimer_add(hs.timer, &tv);
}

/* Each finished transfer: its result, then the caller's callback, which
 * may free it or start it again. */
static void
check_done(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(hs.multi, &left)) != NULL) {
		struct http_xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		x->result = msg->data.result;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
		curl_multi_remove_handle(hs.multi, x->easy);
		x->running = 0;
		if (x->result != CURLE_OK && !x->error[0])
			snprintf(x->error, sizeof(x->error), "%s",
			    curl_easy_strerror(x->result));
		x->done(x);
	}
}

int
http_init(struct event_base *base)
{
	hs.base = base;
	hs.timer = evtimer_new(base, timer_cb, NULL);
	return hs.timer ? 0 : -ENOMEM;
}

int
http_load(char *msg, size_t size)
{
	char why[512];
	int r;

	if (hs.multi)
		return 0;
	if ((r = curl_lazy_load(why, sizeof(why))) < 0) {
		snprintf(msg, size, "registry and ADD URL transfers need %s, which did not "
		    "load (%s): install the %s package", CURL_LAZY_SONAME, why,
		    CURL_LAZY_PACKAGE);
		return r;
	}
	if ((hs.multi = curl_multi_init()) == NULL) {
		snprintf(msg, size, "curl_multi_init: out of memory");
		return -ENOMEM;
	}
	curl_multi_setopt(hs.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(hs.multi, CURLMOPT_TIMERFUNCTION, on_timer);
	/* parallel layer fetches share few connections per registry */
	curl_multi_setopt(hs.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
	return 0;
}

void
http_shutdown(void)
{
	if (hs.timer)
		event_free(hs.timer);
	if (hs.multi)
		curl_multi_cleanup(hs.multi);
	hs.timer = NULL;
	hs.multi = NULL;
	curl_lazy_unload();
}

struct http_xfer *
http_new(void)
{
	struct http_xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->out_fd = x->in_fd = -1;
	x->tls.verify = 1;
	return x;
}

int
http_header(struct http_xfer *x, const char *fmt, ...)
{
	char line[4096];
	struct curl_slist *l;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	l = curl_slist_append(x->headers, line);
	if (l == NULL)
		return -ENOMEM;
	x->headers = l;
	return 0;
}

static void
keep_body(struct http_xfer *x, const char *data, size_t n)
{
	size_t max = x->body_max ? x->body_max : HTTP_BODY_MAX;
	size_t room = max > x->body_len ? max - x->body_len : 0;
	char *b;

	if (n > room) {
		x->body_cut = 1;
		n = room;
	}
	if (n == 0)
		return;
	b = realloc(x->body, x->body_len + n + 1);
	if (b == NULL) {
		x->body_cut = 1;
		return;
	}
	memcpy(b + x->body_len, data, n);
	x->body = b;
	x->body_len += n;
	b[x->body_len] = '\0';
}

/* Only a 2xx body reaches out_fd: a 401 or 404 page must not become part
 * of a blob. A status from a redirect is replaced by the next one. */
static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	size_t n = size * nmemb, done = 0;

	if (x->out_fd < 0 || x->status < 200 || x->status > 299) {
		keep_body(x, data, n);
		return n;
	}
	/* a server that ignores Range sends it all again: from the start */
	if (x->range_from && x->written == 0 && x->status == 200)
		x->range_from = 0;
	if (x->out_max && x->range_from + x->written + n > x->out_max) {
		x->too_big = 1;
		return 0;
	}
	while (done < n) {
		off_t at = x->out_off + (off_t)(x->range_from + x->written);
		ssize_t w = pwrite(x->out_fd, data + done, n - done, at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->write_err = w < 0 ? errno : EIO;
			return 0;	/* curl stops: CURLE_WRITE_ERROR */
		}
		done += (size_t)w;
		x->written += (uint64_t)w;
	}
	return n;
}

static void
header_value(char *dst, size_t size, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	snprintf(dst, size, "%.*s", (int)n, v);
}

static int
header_is(const char *line, size_t n, const char *name, const char **val,
    size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	*val = line + k + 1;
	*vn = n - k - 1;
	return 1;
}

/* A new status line starts a new response (after a redirect or a 100):
 * what the previous one said is forgotten. */
static void
status_line(struct http_xfer *x, const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);

	x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	x->content_type[0] = x->digest[0] = x->location[0] = '\0';
	x->www_auth[0] = x->retry_after[0] = '\0';
	x->last_modified[0] = x->disposition[0] = x->etag[0] = '\0';
	x->content_length = -1;
	free(x->body);
	x->body = NULL;
	x->body_len = 0;
	x->body_cut = 0;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	size_t n = size * nmemb, vn;
	const char *v;
	char num[32];

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0)
		status_line(x, line, n);
	else if (header_is(line, n, "content-type", &v, &vn))
		header_value(x->content_type, sizeof(x->content_type), v, vn);
	else if (header_is(line, n, "docker-content-digest", &v, &vn))
		header_value(x->digest, sizeof(x->digest), v, vn);
	else if (header_is(line, n, "location", &v, &vn))
		header_value(x->location, sizeof(x->location), v, vn);
	else if (header_is(line, n, "www-authenticate", &v, &vn) && !x->www_auth[0])
		header_value(x->www_auth, sizeof(x->www_auth), v, vn);
	else if (header_is(line, n, "retry-after", &v, &vn))
		header_value(x->retry_after, sizeof(x->retry_after), v, vn);
	else if (header_is(line, n, "last-modified", &v, &vn))
		header_value(x->last_modified, sizeof(x->last_modified), v, vn);
	else if (header_is(line, n, "content-disposition", &v, &vn))
		header_value(x->disposition, sizeof(x->disposition), v, vn);
	else if (header_is(line, n, "etag", &v, &vn))
		header_value(x->etag, sizeof(x->etag), v, vn);
	else if (header_is(line, n, "content-length", &v, &vn)) {
		header_value(num, sizeof(num), v, vn);
		x->content_length = strtoll(num, NULL, 10);
	}
	return n;
}

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	size_t want = size * nmemb;
	ssize_t n;

	/* a chunk of a file: its bytes only */
	if (want > x->in_size - x->in_read)
		want = (size_t)(x->in_size - x->in_read);
	if (want == 0)
		return 0;
	do
		n = read(x->in_fd, buf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->read_err = errno;
		return CURL_READFUNC_ABORT;
	}
	x->in_read += (uint64_t)n;
	return (size_t)n;
}

/* curl rewinds the body when it must send it again (a redirect, or
 * authentication it negotiates itself). */
static int
on_seek(void *arg, curl_off_t off, int origin)
{
	struct http_xfer *x = arg;

	/* off counts from the body's start, which is in_off in the fd */
	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->in_size ||
	    lseek(x->in_fd, x->in_off + (off_t)off, SEEK_SET) < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	x->in_read = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static void
set_method(struct http_xfer *x)
{
	CURL *e = x->easy;

	if (strcmp(x->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(x->method, "PUT") == 0 || (strcmp(x->method, "POST") == 0 &&
	    x->in_fd >= 0) || strcmp(x->method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->in_size);
		if (strcmp(x->method, "PUT") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
	} else if (strcmp(x->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (x->in_fd < 0 && strcmp(x->method, "PUT") == 0)
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
}

static void
set_options(struct http_xfer *x)
{
	CURL *e = x->easy;

	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "kiln/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, (long)x->follow);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 1 byte/s for a minute) is a dropped one */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, (long)x->tls.verify);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, x->tls.verify ? 2L : 0L);
	if (x->tls.ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, x->tls.ca_file);
	if (x->range_from) {
		char r[48];

		snprintf(r, sizeof(r), "%llu-", (unsigned long long)x->range_from);
		curl_easy_setopt(e, CURLOPT_RANGE, r);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	if (x->auth_user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, x->auth_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, x->auth_secret);
	} else if (x->auth_bearer) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, x->auth_bearer);
	}
	set_method(x);
}

int
http_start(struct http_xfer *x)
{
	if (x->running)
		return -EBUSY;
	if (hs.multi == NULL)	/* http_load did not run or failed */
		return -ELIBACC;
	if (x->easy == NULL && (x->easy = curl_easy_init()) == NULL)
		return -ENOMEM;
	curl_easy_reset(x->easy);
	x->result = CURLE_OK;
	x->error[0] = '\0';
	x->written = 0;
	x->write_err = x->read_err = x->too_big = 0;
	x->in_read = 0;
	if (x->in_fd >= 0 && lseek(x->in_fd, x->in_off, SEEK_SET) < 0)
		return -errno;
	status_line(x, "", 0);
	set_options(x);
	if (curl_multi_add_handle(hs.multi, x->easy) != CURLM_OK)
		return -ENOMEM;
	x->running = 1;
	return 0;
}

void
http_free(struct http_xfer *x)
{
	if (x == NULL)
		return;
	if (x->running)
		curl_multi_remove_handle(hs.multi, x->easy);
	if (x->easy)
		curl_easy_cleanup(x->easy);
	if (x->headers)
		curl_slist_free_all(x->headers);
	free(x->body);
	free(x);
}
