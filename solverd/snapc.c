/* snapc.c: requests to kiln-snapd and kiln-execd with their answers read field by field. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "log.h"
#include "snapc.h"

int
snapc_call(struct helper *h, enum kiln_proc to, uint16_t type, const struct ipc_wr *w,
    int *fds, int nfds, ipc_reply_fn cb, void *arg)
{
	struct ipc_peer *p = h->peers[to];

	if (p == NULL) {
		for (int i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return -ENOTCONN;
	}
	return ipc_request(p, type, w, fds, nfds, cb, arg);
}

const char *
snapc_why(const struct ipc_msg *m, enum kiln_proc from, int *err, char *buf, size_t size)
{
	const char *text;
	int64_t e;
	size_t len;

	if (m == NULL) {
		*err = ECONNRESET;
		snprintf(buf, size, "%s went away (it restarts)", proc_name(from));
	} else if (m->hdr.type == IPC_ERROR && ipc_error_parse(m, &e, &text, &len) == 0) {
		*err = e > 0 ? (int)e : EIO;
		snprintf(buf, size, "%.*s", (int)len, text);
	} else {
		*err = EPROTO;
		snprintf(buf, size, "%s answered %s unexpectedly", proc_name(from),
		    ipc_type_name(m->hdr.type));
	}
	return buf;
}

int
snapc_str(const struct ipc_msg *m, int index, char *out, size_t size)
{
	struct ipc_rd rd;
	const char *s;
	size_t len;

	if (ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	for (int i = 0; i < index; i++)
		if (rd.i >= rd.n)
			return -EBADMSG;
		else
			rd.i++;
	if (ipc_rd_str(&rd, &s, &len) < 0 || len >= size || memchr(s, '\0', len))
		return -EBADMSG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
snapc_u64(const struct ipc_msg *m, int index, uint64_t *v)
{
	struct ipc_rd rd;

	if (ipc_rd_init(&rd, &m->body) < 0 || (uint32_t)index >= rd.n)
		return -EBADMSG;
	rd.i = (uint32_t)index;
	return ipc_rd_u64(&rd, v) < 0 ? -EBADMSG : 0;
}

int
snapc_dup(int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return n < 0 ? -errno : n;
}

int
snapc_memfd(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (size_t o = 0; o < len;) {
		ssize_t w = write(fd, (const char *)data + o, len - o);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		o += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}
