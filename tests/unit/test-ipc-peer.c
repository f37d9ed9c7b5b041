/* test-ipc-peer.c: unit tests of ipc_peer on a real SOCK_SEQPACKET socketpair and libevent. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <cmocka.h>
#include <event2/event.h>
#include "ipc.h"
#include "log.h"

/* A type no production table has yet: an EVENT that may carry one fd. */
#define TEST_EVENT	0x7f00

/* ---- failure injection through -Wl,--wrap (STYLE rule 20) ---- */

ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
const struct ipc_type_info *__real_ipc_type_lookup(uint16_t type);
const struct ipc_type_info *__wrap_ipc_type_lookup(uint16_t type);
const char *__asan_default_options(void);

static int recvmsg_fail;	/* errno for the next recvmsg, once */
static int calloc_fail;		/* the Nth calloc from now returns NULL */

ssize_t
__wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	if (recvmsg_fail) {
		errno = recvmsg_fail;
		recvmsg_fail = 0;
		return -1;
	}
	return __real_recvmsg(fd, mh, flags);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fail > 0 && --calloc_fail == 0) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

const struct ipc_type_info *
__wrap_ipc_type_lookup(uint16_t type)
{
	static const struct ipc_type_info ev = {
		TEST_EVENT, "TEST_EVENT", IPC_KIND_EVENT, P_ANY, 1
	};

	return type == TEST_EVENT ? &ev : __real_ipc_type_lookup(type);
}

/* Leaks fail the tests even where ASAN_OPTIONS is not set. */
const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

/* ---- fixture ---- */

struct reply {
	int		calls, nulls, events, order;
	uint16_t	last_type;
	int64_t		err;
	int		kept_fd;
};

struct fix {
	struct event_base	*base;
	struct ipc_peer		*a, *b;	/* b is NULL in raw mode */
	int			 raw;	/* the test's own end, blocking */
	int			 closed_a, closed_b, seq, close_seq;
	uint32_t		 ids[16];
	int			 nids, keep_fd;
	int			 close_send_fd, close_send_r;
};

static struct fix *cur;

static void
on_close(struct ipc_peer *p, void *arg)
{
	int *flag = arg;

	*flag = 1;
	cur->close_seq = ++cur->seq;
	if (cur->close_send_fd >= 0)
		cur->close_send_r = ipc_send(p, IPC_OK, 0, NULL,
		    &cur->close_send_fd, 1);
	if (p == cur->a)
		cur->a = NULL;
	if (p == cur->b)
		cur->b = NULL;
}

/* PING: remember the id, answer later (tests reply out of order). */
static int
h_ping_later(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fix *f = ipc_peer_ctx(p);

	if (f->nids < 16)
		f->ids[f->nids++] = m->hdr.id;
	return 0;
}

static int
h_ping_now(struct ipc_peer *p, struct ipc_msg *m)
{
	return ipc_reply_empty(p, IPC_PONG, m->hdr.id);
}

/* PEER_CONNECT: keeps the fd and writes through it when asked to. */
static int
h_peer_connect(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fix *f = ipc_peer_ctx(p);
	int fd = m->fds[0];

	assert_int_equal(m->nfds, 1);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	if (!f->keep_fd)
		return 0;
	m->fds[0] = -1;
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	return 0;
}

static const struct ipc_handler handlers_later[] = {
	{ IPC_PING, h_ping_later },
	{ IPC_PEER_CONNECT, h_peer_connect },
	IPC_HANDLERS_END
};
static const struct ipc_handler handlers_now[] = {
	{ IPC_PING, h_ping_now },
	{ IPC_PEER_CONNECT, h_peer_connect },
	IPC_HANDLERS_END
};

static int
setup(void **state, int raw)
{
	struct fix *f = calloc(1, sizeof(*f));
	int sv[2];

	assert_non_null(f);
	cur = f;
	f->base = event_base_new();
	assert_non_null(f->base);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv), 0);
	f->raw = -1;
	f->close_send_fd = -1;
	/* a plays kilnd towards b; the raw end plays kilnd towards a, so
	 * both may pass fds */
	f->a = ipc_peer_new(f->base, sv[0], raw ? PROC_SUPERVISOR : PROC_SOLVERD,
	    raw ? handlers_now : handlers_later, f);
	assert_non_null(f->a);
	ipc_peer_set_close_cb(f->a, on_close, &f->closed_a);
	if (raw)
		f->raw = sv[1];
	else {
		f->b = ipc_peer_new(f->base, sv[1], PROC_SUPERVISOR,
		    handlers_now, f);
		assert_non_null(f->b);
		ipc_peer_set_close_cb(f->b, on_close, &f->closed_b);
	}
	*state = f;
	return 0;
}

static int setup_pair(void **state) { return setup(state, 0); }
static int setup_raw(void **state) { return setup(state, 1); }

static int
teardown(void **state)
{
	struct fix *f = *state;

	if (f->a)
		ipc_peer_close(f->a);
	if (f->b)
		ipc_peer_close(f->b);
	if (f->raw >= 0)
		close(f->raw);
	event_base_free(f->base);
	free(f);
	cur = NULL;
	return 0;
}

static void
spin(struct fix *f)
{
	for (int i = 0; i < 8; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static void
on_reply(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct reply *r = arg;
	const char *t;
	size_t len;

	r->order = ++cur->seq;
	if (m == NULL) {
		r->nulls++;
		return;
	}
	r->last_type = m->hdr.type;
	if (m->hdr.type == TEST_EVENT) {
		r->events++;
		if (m->nfds == 1 && m->fds[0] >= 0) {
			r->kept_fd = m->fds[0];
			m->fds[0] = -1;
		}
		return;
	}
	r->calls++;
	if (m->hdr.type == IPC_ERROR)
		assert_int_equal(ipc_error_parse(m, &r->err, &t, &len), 0);
}

static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own */
}

/* True when every write end of the pipe is gone: the receiver closed its copy. */
static int
pipe_at_eof(int rfd)
{
	char c;

	/* a write end still open somewhere fails the check, never hangs it */
	assert_int_equal(fcntl(rfd, F_SETFL, O_NONBLOCK), 0);
	return read(rfd, &c, 1) == 0;
}

/* ---- raw frames ---- */

static void
raw_send(int sock, const void *buf, size_t n, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { (void *)buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	assert_true(nfds <= 16);
	if (nfds) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &mh, MSG_NOSIGNAL), (ssize_t)n);
}

/* A header saying len, type, nfds and id, followed by blen bytes of body. */
static void
raw_frame(int sock, uint32_t len, uint16_t type, uint8_t nfds, uint32_t id,
    const void *body, size_t blen, const int *fds, int nfd_sent)
{
	static uint8_t buf[IPC_MAX_FRAME + 16];
	struct ipc_hdr h = { len, type, IPC_VERSION, nfds, id };

	ipc_hdr_encode(buf, &h);
	if (blen)
		memcpy(buf + IPC_HDR_SIZE, body, blen);
	raw_send(sock, buf, IPC_HDR_SIZE + blen, fds, nfd_sent);
}

/* Reads one frame the peer sent; 1 with *h filled, 0 when none is waiting. */
static int
raw_recv(int sock, struct ipc_hdr *h, int64_t *err)
{
	static uint8_t buf[IPC_MAX_FRAME];
	struct ipc_msg m;
	msgpack_zone z;
	const char *t;
	size_t len;
	int fds[IPC_MAX_FDS], nfds;
	ssize_t n;

	n = ipc_frame_recv(sock, buf, sizeof(buf), fds, &nfds, MSG_DONTWAIT);
	if (n == -EAGAIN)
		return 0;
	assert_true(n >= IPC_HDR_SIZE);
	assert_int_equal(nfds, 0);
	msgpack_zone_init(&z, 256);
	assert_int_equal(ipc_frame_decode(buf, (size_t)n, 0,
	    P_BIT(PROC_SOLVERD), &z, &m), 0);
	*h = m.hdr;
	if (err && h->type == IPC_ERROR)
		assert_int_equal(ipc_error_parse(&m, err, &t, &len), 0);
	msgpack_zone_destroy(&z);
	return 1;
}

static void
expect_error(struct fix *f, uint32_t id, int err)
{
	struct ipc_hdr h;
	int64_t e = 0;

	spin(f);
	assert_int_equal(raw_recv(f->raw, &h, &e), 1);
	assert_int_equal(h.type, IPC_ERROR);
	assert_int_equal(h.id, id);
	assert_int_equal(e, err);
	assert_int_equal(raw_recv(f->raw, &h, &e), 0);
}

static void
expect_nothing(struct fix *f)
{
	struct ipc_hdr h;

	spin(f);
	assert_int_equal(raw_recv(f->raw, &h, NULL), 0);
}

/* ---- tests ---- */

static void
test_request_reply(void **state)
{
	struct fix *f = *state;
	struct reply r[3] = { 0 };
	struct ipc_stats st;

	for (int i = 0; i < 3; i++)
		assert_int_equal(ipc_request(f->b, IPC_PING, NULL, NULL, 0,
		    on_reply, &r[i]), 0);
	spin(f);
	assert_int_equal(f->nids, 3);
	assert_true(f->ids[0] != f->ids[1] && f->ids[1] != f->ids[2] &&
	    f->ids[0] != f->ids[2] && f->ids[0] != 0);
	/* answered out of order: each callback gets its own answer */
	assert_int_equal(ipc_reply_error(f->a, f->ids[1], ENOENT, "no %s", "x"), 0);
	assert_int_equal(ipc_reply_empty(f->a, IPC_PONG, f->ids[2]), 0);
	assert_int_equal(ipc_reply_empty(f->a, IPC_PONG, f->ids[0]), 0);
	spin(f);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i].calls, 1);
		assert_int_equal(r[i].nulls, 0);
	}
	assert_int_equal(r[1].last_type, IPC_ERROR);
	assert_int_equal(r[1].err, ENOENT);
	assert_int_equal(r[0].last_type, IPC_PONG);
	assert_true(r[1].order < r[2].order && r[2].order < r[0].order);
	/* a second answer for a finished request reaches nobody */
	assert_int_equal(ipc_reply_empty(f->a, IPC_PONG, f->ids[0]), 0);
	spin(f);
	assert_int_equal(r[0].calls, 1);
	ipc_peer_stats(f->b, &st);
	assert_int_equal(st.frames_in, 4);
	assert_int_equal(st.bad_frames, 1);
	assert_non_null(f->b);
}

static void
test_events(void **state)
{
	struct fix *f = *state;
	struct reply r = { .kept_fd = -1 };
	struct ipc_wr w;
	char buf[8];
	int pfd[2], before;

	before = open_fds();
	assert_int_equal(ipc_request(f->b, IPC_PING, NULL, NULL, 0, on_reply,
	    &r), 0);
	spin(f);
	assert_int_equal(f->nids, 1);
	assert_int_equal(pipe(pfd), 0);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint64(&w.pk, 1);
	assert_int_equal(ipc_send(f->a, TEST_EVENT, f->ids[0], &w, NULL, 0), 0);
	assert_int_equal(ipc_send(f->a, TEST_EVENT, f->ids[0], &w, &pfd[1], 1), 0);
	spin(f);
	assert_int_equal(r.events, 2);
	assert_int_equal(r.calls, 0);
	assert_true(r.kept_fd >= 0);
	assert_int_equal(write(r.kept_fd, "ev", 2), 2);
	close(r.kept_fd);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 2);
	assert_true(pipe_at_eof(pfd[0]));	/* the sender closed its copy */
	close(pfd[0]);
	assert_int_equal(ipc_reply_empty(f->a, IPC_PONG, f->ids[0]), 0);
	spin(f);
	assert_int_equal(r.calls, 1);
	/* the request is over: a late event is refused and its fd closed */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_send(f->a, TEST_EVENT, f->ids[0], &w, &pfd[1], 1), 0);
	spin(f);
	assert_int_equal(r.events, 2);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	ipc_wr_free(&w);
	assert_int_equal(open_fds(), before);
}

static void
test_fd_passing(void **state)
{
	struct fix *f = *state;
	struct ipc_wr w;
	char buf[8];
	int pfd[2];

	/* a plays kilnd: hands b a pipe; b's handler writes through it */
	f->keep_fd = 1;
	assert_int_equal(pipe(pfd), 0);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_int64(&w.pk, PROC_EXECD);
	assert_int_equal(ipc_send(f->a, IPC_PEER_CONNECT, 0, &w, &pfd[1], 1), 0);
	spin(f);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	/* a handler that does not keep it: closed for it */
	f->keep_fd = 0;
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_send(f->a, IPC_PEER_CONNECT, 0, &w, &pfd[1], 1), 0);
	spin(f);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	/* b may not hand fds to kilnd: refused, and the fd closed */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_send(f->b, IPC_PEER_CONNECT, 0, &w, &pfd[1], 1), 0);
	spin(f);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	ipc_wr_free(&w);
}

static int
lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD, 0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* Sends nfds copies of a pipe's write end with a frame, then checks every
 * copy the receiver got is closed again. err 0: no answer expected. */
static void
fds_frame(struct fix *f, uint16_t type, uint32_t id, int nfds, int err)
{
	int pfd[2], fds[16], lo;

	assert_int_equal(pipe(pfd), 0);
	for (int i = 0; i < nfds; i++)
		fds[i] = pfd[1];
	lo = lowest_free_fd();	/* where the receiver's first copy lands */
	raw_frame(f->raw, 0, type, (uint8_t)nfds, id, NULL, 0, fds, nfds);
	if (err)
		expect_error(f, id, err);
	else
		expect_nothing(f);
	assert_int_equal(fcntl(lo, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	close(pfd[1]);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
}

static void
test_raw_bad_frames(void **state)
{
	static uint8_t big[IPC_MAX_BODY + 1];
	const uint8_t gigs[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
	struct fix *f = *state;
	struct ipc_hdr h;
	struct ipc_stats st;
	int before = open_fds();

	raw_send(f->raw, "\x01\x02\x03garbage", 10, NULL, 0);
	expect_nothing(f);			/* no header, no id */
	raw_send(f->raw, "\x00\x00\x00\x00\x03\x00\x07\x00\x0b\x00\x00\x00",
	    12, NULL, 0);
	expect_error(f, 11, EBADMSG);		/* version 7 */
	raw_frame(f->raw, 100, IPC_PING, 0, 12, "0123456789", 10, NULL, 0);
	expect_error(f, 12, EBADMSG);		/* truncated */
	raw_frame(f->raw, sizeof(big), IPC_PING, 0, 13, big, sizeof(big), NULL, 0);
	expect_error(f, 13, E2BIG);		/* over IPC_MAX_FRAME */
	raw_frame(f->raw, 0, 0x7777, 0, 14, NULL, 0, NULL, 0);
	expect_error(f, 14, EPROTO);		/* unknown type */
	raw_frame(f->raw, 0, IPC_INFO, 0, 15, NULL, 0, NULL, 0);
	expect_error(f, 15, EPERM);		/* kilnd may not send INFO */
	raw_frame(f->raw, sizeof(gigs), IPC_PING, 0, 16, gigs, sizeof(gigs),
	    NULL, 0);
	expect_error(f, 16, EBADMSG);		/* count larger than the body */
	raw_frame(f->raw, 0, IPC_STATUS, 0, 17, NULL, 0, NULL, 0);
	expect_error(f, 17, EOPNOTSUPP);	/* no handler */
	raw_frame(f->raw, 0, IPC_PONG, 0, 18, NULL, 0, NULL, 0);
	expect_nothing(f);			/* never answer an answer */
	fds_frame(f, IPC_PING, 19, 1, EPERM);	/* PING carries no fd */
	fds_frame(f, IPC_PING, 20, IPC_MAX_FDS, EPERM);
	fds_frame(f, IPC_PING, 21, IPC_MAX_FDS + 1, EPERM);	/* cut off */
	fds_frame(f, IPC_PING, 22, IPC_MAX_FDS + 5, EPERM);
	fds_frame(f, IPC_PEER_CONNECT, 23, 2, 0);	/* a NOTE: no answer */
	/* still serving */
	raw_frame(f->raw, 0, IPC_PING, 0, 99, NULL, 0, NULL, 0);
	spin(f);
	assert_int_equal(raw_recv(f->raw, &h, NULL), 1);
	assert_int_equal(h.type, IPC_PONG);
	assert_int_equal(h.id, 99);
	ipc_peer_stats(f->a, &st);
	assert_int_equal(st.bad_frames, 14);
	assert_int_equal(st.frames_in, 3);	/* STATUS, PONG, PING decoded */
	assert_false(f->closed_a);
	assert_int_equal(open_fds(), before);
}

static void
test_cut_fds_short_record(void **state)
{
	struct fix *f = *state;
	struct ipc_hdr h;
	int pfd[2], fds[IPC_MAX_FDS + 1];

	/* after a good frame, a record too short for a header whose fds were
	 * cut off must not be answered with the previous frame's id */
	raw_frame(f->raw, 0, IPC_PING, 0, 50, NULL, 0, NULL, 0);
	spin(f);
	assert_int_equal(raw_recv(f->raw, &h, NULL), 1);
	assert_int_equal(h.id, 50);
	assert_int_equal(pipe(pfd), 0);
	for (int i = 0; i < IPC_MAX_FDS + 1; i++)
		fds[i] = pfd[1];
	raw_send(f->raw, "xyz", 3, fds, IPC_MAX_FDS + 1);
	close(pfd[1]);
	expect_nothing(f);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
}

static void
test_bad_frame_limit(void **state)
{
	struct fix *f = *state;
	struct ipc_hdr h;

	for (int i = 0; i < IPC_MAX_BAD_FRAMES; i++)
		raw_send(f->raw, "bad", 3, NULL, 0);
	spin(f);
	assert_false(f->closed_a);
	/* a good frame forgives */
	raw_frame(f->raw, 0, IPC_PING, 0, 1, NULL, 0, NULL, 0);
	for (int i = 0; i < IPC_MAX_BAD_FRAMES; i++)
		raw_send(f->raw, "bad", 3, NULL, 0);
	spin(f);
	assert_false(f->closed_a);
	raw_send(f->raw, "bad", 3, NULL, 0);
	spin(f);
	assert_true(f->closed_a);
	assert_null(f->a);
	assert_int_equal(raw_recv(f->raw, &h, NULL), 1);	/* the PONG */
	assert_int_equal(recv(f->raw, &h, sizeof(h), MSG_DONTWAIT), 0);
}

static void
test_inflight(void **state)
{
	struct fix *f = *state;
	static struct reply r[IPC_MAX_INFLIGHT];
	struct reply extra = { 0 };
	int pfd[2];

	memset(r, 0, sizeof(r));
	for (int i = 0; i < IPC_MAX_INFLIGHT; i++)
		assert_int_equal(ipc_request(f->a, IPC_PING, NULL, NULL, 0,
		    on_reply, &r[i]), 0);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_request(f->a, IPC_PING, NULL, &pfd[1], 1,
	    on_reply, &extra), -EAGAIN);
	assert_true(pipe_at_eof(pfd[0]));	/* ownership taken even so */
	close(pfd[0]);
	/* closing fails every open request, then tells the owner */
	ipc_peer_close(f->a);
	assert_true(f->closed_a);
	for (int i = 0; i < IPC_MAX_INFLIGHT; i++) {
		assert_int_equal(r[i].nulls, 1);
		assert_int_equal(r[i].calls, 0);
		assert_true(r[i].order < f->close_seq);
	}
	assert_int_equal(extra.nulls + extra.calls, 0);
}

static void
test_remote_close(void **state)
{
	struct fix *f = *state;
	struct reply r[2] = { 0 };

	assert_int_equal(ipc_request(f->a, IPC_PING, NULL, NULL, 0, on_reply,
	    &r[0]), 0);
	assert_int_equal(ipc_request(f->a, IPC_PING, NULL, NULL, 0, on_reply,
	    &r[1]), 0);
	close(f->raw);
	f->raw = -1;
	spin(f);
	assert_true(f->closed_a);
	assert_int_equal(r[0].nulls + r[1].nulls, 2);
	assert_int_equal(r[0].calls + r[1].calls, 0);
}

/* The other end sends its last frame and dies with one of ours unread:
 * that frame is still handled, then the close comes. */
static void
test_remote_last_words(void **state)
{
	struct fix *f = *state;
	struct reply r = { 0 };
	int pfd[2];
	char buf[8];

	assert_int_equal(ipc_request(f->a, IPC_PING, NULL, NULL, 0, on_reply, &r), 0);
	spin(f);	/* the PING is in the raw end's queue, never read */
	assert_int_equal(pipe(pfd), 0);
	f->keep_fd = 1;
	raw_frame(f->raw, 0, IPC_PEER_CONNECT, 1, 0, NULL, 0, &pfd[1], 1);
	close(pfd[1]);
	close(f->raw);
	f->raw = -1;
	spin(f);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 5);	/* handled */
	close(pfd[0]);
	assert_true(f->closed_a);
	assert_int_equal(r.nulls, 1);
}

static void
test_send_after_close(void **state)
{
	struct fix *f = *state;
	int pfd[2];

	/* from inside the close callback: -EPIPE, and the fd is closed */
	assert_int_equal(pipe(pfd), 0);
	f->close_send_fd = pfd[1];
	ipc_peer_close(f->a);
	assert_null(f->a);
	assert_int_equal(f->close_send_r, -EPIPE);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
}

#define BLOB	(100 * 1024)

static void
fill_body(struct ipc_wr *w, size_t n)
{
	static char blob[IPC_MAX_BODY];

	ipc_wr_init(w);
	msgpack_pack_bin(&w->pk, n);
	msgpack_pack_bin_body(&w->pk, blob, n);
}

static void
test_backpressure(void **state)
{
	struct fix *f = *state;
	struct ipc_stats st;
	struct ipc_hdr h;
	struct ipc_wr w;
	int pfd[2], sent = 0, got = 0, pong = 0, hysteresis = 0, r;

	fill_body(&w, BLOB);
	/* the raw end does not read: the queue grows, reading stops */
	while (ipc_peer_queued(f->a) <= IPC_HIGH_WATER) {
		assert_int_equal(ipc_send(f->a, IPC_OK, 0, &w, NULL, 0), 0);
		sent++;
	}
	raw_frame(f->raw, 0, IPC_PING, 0, 7, NULL, 0, NULL, 0);
	spin(f);
	ipc_peer_stats(f->a, &st);
	assert_int_equal(st.frames_in, 0);
	/* and past IPC_MAX_QUEUED nothing more is taken, fds included */
	assert_int_equal(pipe(pfd), 0);
	for (;;) {
		r = ipc_send(f->a, IPC_OK, 0, &w, NULL, 0);
		if (r < 0)
			break;
		sent++;
	}
	assert_int_equal(r, -ENOBUFS);
	assert_true(ipc_peer_queued(f->a) <= IPC_MAX_QUEUED);
	assert_int_equal(ipc_send(f->a, IPC_OK, 0, &w, &pfd[1], 1), -ENOBUFS);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	/* drain one record at a time: reading resumes below the low mark
	 * only, even though the queue went under the high mark first */
	while (raw_recv(f->raw, &h, NULL) == 1) {
		if (h.type == IPC_PONG) {
			assert_int_equal(h.id, 7);
			pong++;
		} else
			got++;
		spin(f);
		ipc_peer_stats(f->a, &st);
		if (ipc_peer_queued(f->a) >= IPC_LOW_WATER)
			assert_int_equal(st.frames_in, 0);
		if (ipc_peer_queued(f->a) < IPC_HIGH_WATER &&
		    ipc_peer_queued(f->a) >= IPC_LOW_WATER)
			hysteresis = 1;
		if (ipc_peer_queued(f->a) < IPC_LOW_WATER)
			assert_int_equal(st.frames_in, 1);
	}
	assert_true(hysteresis);
	assert_int_equal(got, sent);
	assert_int_equal(pong, 1);
	assert_int_equal(ipc_peer_queued(f->a), 0);
	ipc_wr_free(&w);
}

static void
test_send_limits(void **state)
{
	struct fix *f = *state;
	struct ipc_wr w;
	int pfd[2], none[IPC_MAX_FDS + 1];

	/* a body over IPC_MAX_BODY, or too many fds: refused, fds closed */
	fill_body(&w, IPC_MAX_BODY);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_send(f->a, IPC_OK, 0, &w, &pfd[1], 1), -E2BIG);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	ipc_wr_free(&w);
	memset(none, 0xff, sizeof(none));	/* all -1 */
	assert_int_equal(ipc_send(f->a, IPC_OK, 0, NULL, none,
	    IPC_MAX_FDS + 1), -EINVAL);
	assert_int_equal(ipc_peer_queued(f->a), 0);
}

/* Runs the loop with stderr in a file, and returns what was logged. */
static char *
spin_logged(struct fix *f)
{
	static char text[4096];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	ssize_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fileno(tmp), 2), 2);
	spin(f);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = pread(fileno(tmp), text, sizeof(text) - 1, 0);
	assert_true(n >= 0);
	text[n] = '\0';
	fclose(tmp);
	return text;
}

static void
test_recvmsg_eio(void **state)
{
	struct fix *f = *state;
	struct reply r = { 0 };
	const char *log;

	assert_int_equal(ipc_request(f->b, IPC_PING, NULL, NULL, 0, on_reply,
	    &r), 0);
	recvmsg_fail = EIO;
	log = spin_logged(f);
	assert_int_equal(recvmsg_fail, 0);
	/* a gave up on the connection; b saw it go and failed its request */
	assert_true(f->closed_a);
	assert_true(f->closed_b);
	assert_int_equal(r.nulls, 1);
	assert_non_null(strstr(log, "receive from"));
	assert_non_null(strstr(log, strerror(EIO)));
}

static void
test_calloc_fail(void **state)
{
	struct fix *f = *state;
	struct reply r = { 0 };
	int pfd[2], sv[2];

	assert_int_equal(pipe(pfd), 0);
	calloc_fail = 1;
	assert_int_equal(ipc_request(f->a, IPC_PING, NULL, &pfd[1], 1,
	    on_reply, &r), -ENOMEM);
	assert_int_equal(calloc_fail, 0);
	assert_true(pipe_at_eof(pfd[0]));
	close(pfd[0]);
	/* nothing was left pending */
	ipc_peer_close(f->a);
	assert_int_equal(r.nulls + r.calls, 0);
	/* a peer that cannot be allocated still owns, and closes, its fd */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	calloc_fail = 1;
	assert_null(ipc_peer_new(f->base, sv[0], PROC_EXECD, handlers_now, f));
	assert_int_equal(fcntl(sv[0], F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_reply, setup_pair, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup_pair, teardown),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup_pair, teardown),
		cmocka_unit_test_setup_teardown(test_raw_bad_frames, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_cut_fds_short_record, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frame_limit, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_inflight, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_remote_close, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_remote_last_words, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_send_after_close, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_backpressure, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_send_limits, setup_raw, teardown),
		cmocka_unit_test_setup_teardown(test_recvmsg_eio, setup_pair, teardown),
		cmocka_unit_test_setup_teardown(test_calloc_fail, setup_raw, teardown),
	};

	log_init("test-ipc-peer", LOG_LVL_WARN, LOG_TARGET_STDERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
