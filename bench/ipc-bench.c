/* ipc-bench.c: round-trip latency of ipc_request and throughput of a pipe passed as an fd, between two processes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <event2/event.h>
#include "ipc.h"
#include "log.h"

/*
 * Two processes on one SOCK_SEQPACKET socketpair, each with an ipc_peer on
 * its own libevent loop. The client (parent) drives, the server (child)
 * answers:
 *   PING          -> PONG
 *   PEER_CONNECT  + a pipe's read end: read it to its end. The client
 *                 writes into the pipe, closes it, then sends a PING; the
 *                 PONG comes once the server has read everything, since
 *                 a peer handles its frames in order.
 * PEER_CONNECT is the type kilnd uses to hand a helper an fd; the server
 * takes the client for the supervisor so the permission check passes.
 */

#define MIB		(1024 * 1024)
#define WARMUP		100

enum phase { PH_PING, PH_XFER, PH_STREAM, PH_DONE };

struct bench {
	struct event_base	*base;
	struct ipc_peer		*peer;
	enum phase		 phase;
	int			 n_ping, n_xfer, stream_mib;
	int			 i;		/* round within the phase */
	double			*lat;		/* per round, microseconds */
	struct timespec		 t0, t_phase;
	double			 phase_s[PH_DONE];
	int			 err;
};

static char wbuf[MIB];

static double
us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e6 + (t.tv_nsec - t0->tv_nsec) / 1e3;
}

/* --- the server --- */

static int
srv_ping(struct ipc_peer *peer, struct ipc_msg *msg)
{
	return ipc_reply_empty(peer, IPC_PONG, msg->hdr.id);
}

static int
srv_fd(struct ipc_peer *peer, struct ipc_msg *msg)
{
	static char rbuf[64 * 1024];
	ssize_t n;

	if (msg->nfds != 1)
		return -EBADMSG;
	while ((n = read(msg->fds[0], rbuf, sizeof(rbuf))) != 0)
		if (n < 0 && errno != EINTR)
			return -errno;
	return 0;	/* fds[0] is closed after we return */
}

static const struct ipc_handler srv_handlers[] = {
	{ IPC_PING, srv_ping },
	{ IPC_PEER_CONNECT, srv_fd },
	IPC_HANDLERS_END
};

static void
srv_closed(struct ipc_peer *peer, void *arg)
{
	event_base_loopbreak(arg);
}

static int
server(int fd)
{
	struct event_base *base = event_base_new();
	struct ipc_peer *peer;

	if (base == NULL)
		return 1;
	peer = ipc_peer_new(base, fd, PROC_SUPERVISOR, srv_handlers, NULL);
	if (peer == NULL)
		return 1;
	ipc_peer_set_close_cb(peer, srv_closed, base);
	event_base_dispatch(base);
	event_base_free(base);
	return 0;
}

/* --- the client --- */

static void next_round(struct bench *b);

static void
on_pong(struct ipc_peer *peer, struct ipc_msg *msg, void *arg)
{
	struct bench *b = arg;

	if (msg == NULL || msg->hdr.type != IPC_PONG) {
		b->err = -EPROTO;
		event_base_loopbreak(b->base);
		return;
	}
	if (b->phase != PH_PING || b->i >= WARMUP)
		b->lat[b->i - (b->phase == PH_PING ? WARMUP : 0)] = us_since(&b->t0);
	b->i++;
	next_round(b);
}

/* Hands the server a pipe and writes bytes into it; the PING after it
 * is answered once the server has read them all. */
static int
send_pipe(struct bench *b, long bytes)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if ((b->err = ipc_send(b->peer, IPC_PEER_CONNECT, 0, NULL, &p[0], 1)) < 0)
		goto out;
	/* queued rather than sent, the fd would never reach the reader */
	if (ipc_peer_queued(b->peer) != 0) {
		b->err = -EAGAIN;
		goto out;
	}
	for (long left = bytes; left > 0; ) {
		ssize_t n = write(p[1], wbuf, left < MIB ? left : MIB);

		if (n < 0 && errno != EINTR) {
			b->err = -errno;
			goto out;
		}
		left -= n > 0 ? n : 0;
	}
out:
	close(p[1]);
	return b->err;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value below which a fraction q of the n sorted samples lie. */
static double
quantile(const double *v, int n, double q)
{
	int k = (int)(q * n + 0.999999);

	return v[k < 1 ? 0 : k - 1];
}

static void
print_phase(struct bench *b)
{
	int n = b->phase == PH_PING ? b->n_ping : b->n_xfer;
	double *v = b->lat, mb;

	qsort(v, n, sizeof(*v), cmp_double);
	if (b->phase == PH_PING) {
		printf("PING/PONG via ipc_request, %d round trips: median %.1f us,"
		    " p99 %.1f us, max %.1f us (%.0f round trips/s)\n", n,
		    quantile(v, n, 0.5), quantile(v, n, 0.99), v[n - 1],
		    n / b->phase_s[PH_PING]);
		return;
	}
	mb = (double)n * MIB / 1e6;
	printf("1 MiB through a pipe fd passed with ipc_send, %d transfers (%d MiB):"
	    " %.0f MB/s; one transfer incl. fd hand-over: median %.3f ms,"
	    " p99 %.3f ms\n", n, n, mb / b->phase_s[PH_XFER],
	    quantile(v, n, 0.5) / 1e3, quantile(v, n, 0.99) / 1e3);
}

/* How many rounds the phase has, and starts the next phase after it. */
static int
phase_rounds(struct bench *b)
{
	int n[PH_DONE] = { b->n_ping + WARMUP, b->n_xfer, 1 };

	while (b->phase < PH_DONE && b->i >= n[b->phase]) {
		b->phase_s[b->phase] = us_since(&b->t_phase) / 1e6;
		if (b->phase == PH_PING || b->phase == PH_XFER)
			print_phase(b);
		b->phase++;
		b->i = 0;
		clock_gettime(CLOCK_MONOTONIC, &b->t_phase);
	}
	return b->phase;
}

static void
next_round(struct bench *b)
{
	if (phase_rounds(b) == PH_DONE) {
		event_base_loopbreak(b->base);
		return;
	}
	if (b->phase == PH_PING && b->i == WARMUP)
		clock_gettime(CLOCK_MONOTONIC, &b->t_phase);
	clock_gettime(CLOCK_MONOTONIC, &b->t0);
	if (b->phase == PH_XFER && send_pipe(b, MIB) < 0)
		goto fail;
	if (b->phase == PH_STREAM && send_pipe(b, (long)b->stream_mib * MIB) < 0)
		goto fail;
	if ((b->err = ipc_request(b->peer, IPC_PING, NULL, NULL, 0, on_pong, b)) < 0)
		goto fail;
	return;
fail:
	event_base_loopbreak(b->base);
}

static int
client(int fd, struct bench *b)
{
	b->base = event_base_new();
	if (b->base == NULL)
		return -ENOMEM;
	b->peer = ipc_peer_new(b->base, fd, PROC_SOLVERD, NULL, b);
	if (b->peer == NULL)
		return -ENOMEM;
	memset(wbuf, 'k', sizeof(wbuf));
	next_round(b);
	event_base_dispatch(b->base);
	ipc_peer_close(b->peer);
	event_base_free(b->base);
	if (b->err == 0 && b->phase == PH_DONE)
		printf("one pipe fd, %d MiB streamed through it: %.0f MB/s\n",
		    b->stream_mib, b->stream_mib * (MIB / 1e6) / b->phase_s[PH_STREAM]);
	return b->err;
}

static int
run(struct bench *b)
{
	int sv[2], st, r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(sv[0]);
		_exit(server(sv[1]));
	}
	close(sv[1]);
	r = client(sv[0], b);
	if (waitpid(pid, &st, 0) == pid && r == 0 &&
	    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = -ECHILD;
	return r;
}

int
main(int argc, char **argv)
{
	struct bench b = { .n_ping = 10000, .n_xfer = 200, .stream_mib = 200 };
	int c, r;

	while ((c = getopt(argc, argv, "n:m:s:")) != -1) {
		switch (c) {
		case 'n':
			b.n_ping = atoi(optarg);
			break;
		case 'm':
			b.n_xfer = atoi(optarg);
			break;
		case 's':
			b.stream_mib = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: ipc-bench [-n round trips] [-m 1 MiB transfers]"
			    " [-s MiB in one pipe]\n");
			return 2;
		}
	}
	if (b.n_ping < 1 || b.n_xfer < 1 || b.stream_mib < 1)
		return 2;
	log_init("ipc-bench", LOG_LVL_WARN, LOG_TARGET_STDERR);
	b.lat = calloc(b.n_ping > b.n_xfer ? b.n_ping : b.n_xfer, sizeof(*b.lat));
	if (b.lat == NULL)
		return 1;
	r = run(&b);
	free(b.lat);
	if (r < 0) {
		fprintf(stderr, "ipc-bench: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
