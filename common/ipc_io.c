/* ipc_io.c: sends and receives one frame with its descriptors (SCM_RIGHTS). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "ipc.h"

void
ipc_cmsg_put_fds(struct msghdr *mh, union ipc_cmsg *cm, const int *fds, int nfds)
{
	struct cmsghdr *c;

	if (nfds <= 0)
		return;
	memset(cm, 0, sizeof(*cm));
	mh->msg_control = cm->buf;
	mh->msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
}

int
ipc_frame_send(int sock, uint16_t type, uint32_t id, const void *body,
    size_t len, const int *fds, int nfds)
{
	union ipc_cmsg cm;
	struct ipc_hdr h = { (uint32_t)len, type, IPC_VERSION, (uint8_t)nfds, id };
	uint8_t hb[IPC_HDR_SIZE];
	struct iovec iov[2] = { { hb, IPC_HDR_SIZE }, { (void *)body, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	if (nfds < 0 || nfds > IPC_MAX_FDS)
		return -EINVAL;
	if (len > IPC_MAX_BODY)
		return -E2BIG;
	ipc_hdr_encode(hb, &h);
	ipc_cmsg_put_fds(&mh, &cm, fds, nfds);
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return 0;
}

/* Collects SCM_RIGHTS descriptors; closes any beyond IPC_MAX_FDS. */
static int
take_fds(struct msghdr *mh, int fds[IPC_MAX_FDS], int *nfds)
{
	int over = 0;

	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;
		int *p;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		p = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, p + i, sizeof(fd));
			if (*nfds < IPC_MAX_FDS)
				fds[(*nfds)++] = fd;
			else {
				close(fd);
				over = 1;
			}
		}
	}
	return over;
}

ssize_t
ipc_frame_recv(int sock, uint8_t *buf, size_t size, int fds[IPC_MAX_FDS],
    int *nfds, int flags)
{
	union ipc_cmsg cm;
	struct iovec iov = { buf, size };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	ssize_t n;
	int over;

	*nfds = 0;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	over = take_fds(&mh, fds, nfds);
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (over || (mh.msg_flags & MSG_CTRUNC))
		return -ETOOMANYREFS;
	return n;
}
