/* ipc.h: kiln's framing, fd passing and request/reply over SOCK_SEQPACKET. */
#ifndef KILN_IPC_H
#define KILN_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <msgpack.h>
#include "ipc_msg.h"
#include "proc.h"

/*
 * Wire format of one frame (one SOCK_SEQPACKET record), host byte order:
 *   u32 len      length of the msgpack body that follows the header
 *   u16 type     enum ipc_type
 *   u8  version  IPC_VERSION
 *   u8  nfds     descriptors riding along with SCM_RIGHTS
 *   u32 id       request id; replies and events carry the request's id
 * then len bytes of msgpack (len 0: no body).
 */
struct ipc_hdr {
	uint32_t	len;
	uint16_t	type;
	uint8_t		version;
	uint8_t		nfds;
	uint32_t	id;
};

#define IPC_VERSION		1
#define IPC_HDR_SIZE		12
#define IPC_MAX_BODY		(128 * 1024)	/* under net.core.wmem_max; bulk data moves as fds */
#define IPC_MAX_FRAME		(IPC_HDR_SIZE + IPC_MAX_BODY)
#define IPC_MAX_FDS		8
#define IPC_MAX_DEPTH		16		/* msgpack nesting */
#define IPC_MAX_INFLIGHT	256		/* open requests per peer, each way */
#define IPC_HIGH_WATER		(1024 * 1024)	/* stop reading a peer above this */
#define IPC_LOW_WATER		(256 * 1024)	/* and resume below this */
#define IPC_MAX_QUEUED		(8 * 1024 * 1024) /* refuse to queue more */
#define IPC_MAX_BAD_FRAMES	16		/* then the connection is closed */

/* A decoded frame. Strings in body point into the receive buffer: copy
 * what outlives the handler. The handler owns fds[] and sets an entry to
 * -1 when it keeps it; whatever is left is closed after it returns. */
struct ipc_msg {
	struct ipc_hdr	hdr;
	msgpack_object	body;		/* MSGPACK_OBJECT_NIL when len is 0 */
	int		fds[IPC_MAX_FDS];
	int		nfds;
};

/* --- pure frame functions (ipc_frame.c); no I/O, fuzzable --- */

/* Checks a received record of n bytes with nfds descriptors against its
 * header. 0, or -EBADMSG (short, length mismatch, bad version, fd count
 * mismatch), -E2BIG (too long), -EPROTO (unknown type), -EPERM (sender
 * may not send it, or too many fds for the type). *hdr is filled whenever
 * n >= IPC_HDR_SIZE, so an error reply can carry the id. */
int ipc_frame_check(const uint8_t *buf, size_t n, int nfds, unsigned sender,
    struct ipc_hdr *hdr);
/* Bounded walk of a msgpack body: exactly one object, nesting at most
 * IPC_MAX_DEPTH, no array or map count larger than the bytes left. */
int ipc_body_check(const uint8_t *body, size_t len);
/* Both checks, then unpacks the body into zone. 0 or negative errno. */
int ipc_frame_decode(const uint8_t *buf, size_t n, int nfds, unsigned sender,
    msgpack_zone *zone, struct ipc_msg *msg);
void ipc_hdr_encode(uint8_t out[IPC_HDR_SIZE], const struct ipc_hdr *h);
void ipc_hdr_decode(const uint8_t buf[IPC_HDR_SIZE], struct ipc_hdr *h);

/* --- field-by-field body reader (ipc_read.c) --- */
struct ipc_rd {
	const msgpack_object	*items;
	uint32_t		 n, i;
};
int ipc_rd_init(struct ipc_rd *rd, const msgpack_object *body);
int ipc_rd_u64(struct ipc_rd *rd, uint64_t *v);
int ipc_rd_i64(struct ipc_rd *rd, int64_t *v);
int ipc_rd_bool(struct ipc_rd *rd, int *v);
/* *s points into the frame, not NUL-terminated */
int ipc_rd_str(struct ipc_rd *rd, const char **s, size_t *len);
/* a NUL-terminated malloc'd copy; refuses embedded NULs */
int ipc_rd_strdup(struct ipc_rd *rd, char **s);
/* into out, cut to size-1 bytes and NUL-terminated (display fields) */
int ipc_rd_strcpy(struct ipc_rd *rd, char *out, size_t size);
int ipc_rd_array(struct ipc_rd *rd, struct ipc_rd *sub);
/* -EBADMSG if fields are left over */
int ipc_rd_end(const struct ipc_rd *rd);

/* --- body writer: a msgpack_sbuffer and packer together --- */
struct ipc_wr {
	msgpack_sbuffer	sbuf;
	msgpack_packer	pk;
};
void ipc_wr_init(struct ipc_wr *w);
void ipc_wr_free(struct ipc_wr *w);
void ipc_wr_str(struct ipc_wr *w, const char *s);

/* --- blocking I/O of one frame (ipc_io.c), for kilnctl and tests --- */
struct msghdr;
/* Room for the control message of IPC_MAX_FDS descriptors. */
union ipc_cmsg {
	char	buf[CMSG_SPACE(IPC_MAX_FDS * sizeof(int))];
	struct cmsghdr align;
};
/* Attaches nfds descriptors to mh as SCM_RIGHTS, using cm's room. */
void ipc_cmsg_put_fds(struct msghdr *mh, union ipc_cmsg *cm, const int *fds,
    int nfds);
/* Sends one frame; fds stay open (the caller closes them after). */
int ipc_frame_send(int sock, uint16_t type, uint32_t id, const void *body,
    size_t len, const int *fds, int nfds);
/* Receives one record into buf (IPC_MAX_FRAME bytes). Returns its size,
 * 0 at end of stream, or negative errno; -EMSGSIZE when the record was
 * longer than the buffer, -ETOOMANYREFS when descriptors were cut off.
 * Descriptors that did arrive are in fds[] even on error: the caller
 * closes them. fds get O_CLOEXEC. */
ssize_t ipc_frame_recv(int sock, uint8_t *buf, size_t size, int fds[IPC_MAX_FDS],
    int *nfds, int flags);

/* --- event-driven peers (ipc_peer.c) --- */
struct event_base;
struct ipc_peer;

typedef int (*ipc_handler_fn)(struct ipc_peer *peer, struct ipc_msg *msg);
struct ipc_handler {
	uint16_t	type;
	ipc_handler_fn	fn;
};
#define IPC_HANDLERS_END { 0, NULL }

/* msg is NULL when the peer went away before the answer came. */
typedef void (*ipc_reply_fn)(struct ipc_peer *peer, struct ipc_msg *msg,
    void *arg);
typedef void (*ipc_close_fn)(struct ipc_peer *peer, void *arg);

/* Takes ownership of fd. handlers ends with IPC_HANDLERS_END. */
struct ipc_peer *ipc_peer_new(struct event_base *base, int fd,
    enum kiln_proc who, const struct ipc_handler *handlers, void *ctx);
void ipc_peer_set_close_cb(struct ipc_peer *peer, ipc_close_fn fn, void *arg);
/* Closes the socket, fails open requests (callbacks get NULL) and frees
 * the peer, deferred when called from inside one of its handlers. */
void ipc_peer_close(struct ipc_peer *peer);
/* Handles every frame already queued on the socket, now. May close (and
 * free) the peer when it finds the end of the stream. */
void ipc_peer_drain(struct ipc_peer *peer);
void *ipc_peer_ctx(const struct ipc_peer *peer);
enum kiln_proc ipc_peer_who(const struct ipc_peer *peer);
size_t ipc_peer_queued(const struct ipc_peer *peer);
int ipc_peer_fd(const struct ipc_peer *peer);

/* Queues one frame. Takes ownership of fds in every case (closed once
 * sent, or on error). -ENOBUFS when IPC_MAX_QUEUED would be passed,
 * -E2BIG for a body over IPC_MAX_BODY, -EPIPE when the peer is closed. */
int ipc_send(struct ipc_peer *peer, uint16_t type, uint32_t id,
    const struct ipc_wr *body, int *fds, int nfds);
/* Sends a request with a fresh id; cb runs on its REPLY and on each of its
 * EVENTs. -EAGAIN at IPC_MAX_INFLIGHT open requests. */
int ipc_request(struct ipc_peer *peer, uint16_t type, const struct ipc_wr *body,
    int *fds, int nfds, ipc_reply_fn cb, void *arg);
/* ERROR reply [errno, message]. */
int ipc_reply_error(struct ipc_peer *peer, uint32_t id, int err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A reply with no body. */
int ipc_reply_empty(struct ipc_peer *peer, uint16_t type, uint32_t id);
/* Sends m's type and body again, without its fds, under id: the relay of
 * an answer from one peer to another. */
int ipc_send_copy(struct ipc_peer *peer, uint32_t id, const struct ipc_msg *m);
/* Reads an ERROR body; *text points into the frame. */
int ipc_error_parse(const struct ipc_msg *msg, int64_t *err, const char **text,
    size_t *len);

/* Counters, for tests and kilnctl debug. */
struct ipc_stats {
	uint64_t	frames_in, frames_out, bad_frames;
};
void ipc_peer_stats(const struct ipc_peer *peer, struct ipc_stats *st);

#endif
