/* conn.c: kilnctl's connection to the daemon: one request, one reply. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "kilnctl.h"

int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 30, 0 };
	const char *path = c->addr;

	if (strncmp(path, "unix://", 7) == 0)
		path += 7;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "kilnctl: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		fprintf(stderr, "kilnctl: cannot reach kilnd at %s: %s. Is kilnd running? "
		    "Start it with 'kilnd &' or 'systemctl --user start kilnd', "
		    "or point --addr at its socket.\n", path, strerror(e));
		close(c->fd);
		c->fd = -1;
		return -e;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	msgpack_zone_init(&c->zone, 4096);
	return 0;
}

static int
print_error(const struct ipc_msg *m)
{
	int64_t err;
	const char *text;
	size_t len;

	if (ipc_error_parse(m, &err, &text, &len) < 0) {
		fprintf(stderr, "kilnctl: malformed error reply\n");
		return -EBADMSG;
	}
	fprintf(stderr, "kilnctl: %.*s\n", (int)len, text);
	return err > 0 ? -(int)err : -EIO;
}

int
ctl_call(struct ctl *c, uint16_t type, const struct ipc_wr *body)
{
	return ctl_call_fds(c, type, body, NULL, 0);
}

int
ctl_call_fds(struct ctl *c, uint16_t type, const struct ipc_wr *body,
    const int *sfds, int nsfds)
{
	static uint32_t next_id = 1;
	uint32_t id = next_id++;
	int fds[IPC_MAX_FDS], nfds, r;
	ssize_t n;

	r = ipc_frame_send(c->fd, type, id, body ? body->sbuf.data : NULL,
	    body ? body->sbuf.size : 0, sfds, nsfds);
	if (r < 0)
		goto fail;
	for (;;) {
		n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		if (n == 0) {
			fprintf(stderr, "kilnctl: kilnd closed the connection\n");
			return -ECONNRESET;
		}
		if (n < 0) {
			r = (int)n;
			goto fail;
		}
		msgpack_zone_clear(&c->zone);
		r = ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone, &c->reply);
		if (r < 0)
			goto fail;
		if (c->reply.hdr.id == id)
			break;
	}
	if (c->reply.hdr.type == IPC_ERROR)
		return print_error(&c->reply);
	return 0;
fail:
	fprintf(stderr, "kilnctl: talking to kilnd: %s\n", strerror(-r));
	return r;
}

void
ctl_close(struct ctl *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		msgpack_zone_destroy(&c->zone);
	}
	c->fd = -1;
}
