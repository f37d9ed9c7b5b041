/* snap-bench.c: the cost kiln-snapd adds per build step: SNAP_PREPARE then SNAP_COMMIT of an unchanged snapshot, timed over the API socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ipc.h"

/*
 * Connects to kilnd's API socket ($KILN_ADDR) as kilnctl does; kilnd runs
 * with --test-hooks so that kiln-solverd relays SNAP_* from a client (one
 * more hop than solverd's own requests: the figure is an upper bound).
 * Makes a committed base (one file), then n times: prepare on the base,
 * commit with no change. Prints median, p90 and min of prepare, commit
 * and both, in milliseconds.
 */

#define WARMUP	20

static uint8_t buf[IPC_MAX_FRAME];
static msgpack_zone zone;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
sock_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "snap-bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* One request [str arg]; the reply's first string in out. */
static void
call(int fd, uint16_t type, const char *arg, char *out, size_t size)
{
	static uint32_t id = 1;
	struct ipc_msg m;
	struct ipc_rd rd;
	struct ipc_wr w;
	int fds[IPC_MAX_FDS], nfds;
	const char *s;
	size_t len;
	ssize_t n;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, arg);
	if (ipc_frame_send(fd, type, id, w.sbuf.data, w.sbuf.size, NULL, 0) < 0)
		exit(1);
	ipc_wr_free(&w);
	do {
		n = ipc_frame_recv(fd, buf, sizeof(buf), fds, &nfds, 0);
		msgpack_zone_clear(&zone);
		if (n <= 0 || ipc_frame_decode(buf, (size_t)n, nfds, P_DAEMON, &zone, &m) < 0)
			exit(1);
	} while (m.hdr.id != id);
	id++;
	if (m.hdr.type == IPC_ERROR || ipc_rd_init(&rd, &m.body) < 0 ||
	    ipc_rd_str(&rd, &s, &len) < 0) {
		fprintf(stderr, "snap-bench: %s %s failed (kilnd --test-hooks?)\n",
		    ipc_type_name(type), arg);
		exit(1);
	}
	snprintf(out, size, "%.*s", (int)len, s);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("  %-18s median %6.3f  p90 %6.3f  min %6.3f ms\n", what, v[n / 2],
	    v[(n * 9) / 10], v[0]);
}

int
main(int argc, char **argv)
{
	int n = argc > 2 && !strcmp(argv[1], "-n") ? atoi(argv[2]) : 500;
	const char *addr = getenv("KILN_ADDR");
	double *prep = calloc((size_t)n, sizeof(double));
	double *comm = calloc((size_t)n, sizeof(double));
	double *both = calloc((size_t)n, sizeof(double));
	char base[64], id[64];
	int fd;

	if (addr == NULL || n <= 0 || !prep || !comm || !both) {
		fprintf(stderr, "usage: KILN_ADDR=SOCKET snap-bench [-n N]\n");
		return 2;
	}
	msgpack_zone_init(&zone, 4096);
	fd = sock_open(addr);
	call(fd, IPC_SNAP_PREPARE, "", base, sizeof(base));
	call(fd, IPC_SNAP_COMMIT, base, id, sizeof(id));
	for (int i = -WARMUP; i < n; i++) {
		double t0 = now_ms(), t1, t2;

		call(fd, IPC_SNAP_PREPARE, base, id, sizeof(id));
		t1 = now_ms();
		call(fd, IPC_SNAP_COMMIT, id, id, sizeof(id));
		t2 = now_ms();
		if (i >= 0) {
			prep[i] = t1 - t0;
			comm[i] = t2 - t1;
			both[i] = t2 - t0;
		}
	}
	printf("%d rounds of prepare + commit of an unchanged snapshot on %s:\n", n, base);
	report("prepare", prep, n);
	report("commit", comm, n);
	report("prepare + commit", both, n);
	close(fd);
	return 0;
}
