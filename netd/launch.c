/* launch.c: a tiny launcher forked before lockdown, so slirp4netns runs without kiln-netd's seccomp filter. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "log.h"
#include "netd.h"
#include "util.h"

/*
 * Why a launcher: a seccomp filter survives fork and exec, so a
 * slirp4netns started by kiln-netd itself would run under kiln-netd's
 * allowlist and die at its first syscall. The launcher is forked in
 * setup, before the filter is loaded; it only reads fixed-size requests
 * (a struct launch_req and exactly LAUNCH_NFDS descriptors), builds the
 * command line itself and starts slirp4netns with CLONE_PARENT, so that
 * kiln-netd, not the launcher, is its parent: kiln-netd reaps it, gets
 * its SIGCHLD, and slirp4netns's PDEATHSIG follows kiln-netd.
 */

/* Where the child's descriptors go before exec (the fd contract of the
 * command line built below). */
static const int child_fd[LAUNCH_NFDS] = {
	[LAUNCH_FD_STDOUT] = 1, [LAUNCH_FD_STDERR] = 2, [LAUNCH_FD_READY] = 3,
	[LAUNCH_FD_EXIT] = 4, [LAUNCH_FD_USERNS] = 5, [LAUNCH_FD_NETNS] = 6,
};
#define CHILD_FD_MAX	6

/* fork() with CLONE_PARENT: the child's parent is our parent, and its
 * exit signal ours (SIGCHLD): clone3 refuses another with CLONE_PARENT. */
static pid_t
clone_parent(void)
{
	struct clone_args ca = { .flags = CLONE_PARENT, .exit_signal = 0 };
	long r = syscall(SYS_clone3, &ca, sizeof(ca));

	if (r >= 0 || errno != ENOSYS)
		return (pid_t)r;
#if defined(__s390__) || defined(__CRIS__)
	return (pid_t)syscall(SYS_clone, 0, CLONE_PARENT | SIGCHLD, 0, 0, 0);
#else
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
#endif
}

static void __attribute__((noreturn))
child_fail(const char *what)
{
	dprintf(2, "%s: %s\n", what, strerror(errno));
	_exit(127);
}

/* In the child: fds to their places, then exec. Errors go to the stderr
 * pipe, where kiln-netd logs them and keeps them for its ERROR reply. */
static void __attribute__((noreturn))
child_exec(const char *path, const struct launch_req *req, int *fds, pid_t netd)
{
	char mtu[32], *argv[16];
	int a = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != netd)
		_exit(1);
	for (int i = 0; i < LAUNCH_NFDS; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, CHILD_FD_MAX + 1)) < 0)
			_exit(127);
	for (int i = 0; i < LAUNCH_NFDS; i++)
		if (dup2(fds[i], child_fd[i]) < 0)
			child_fail("dup2");
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	snprintf(mtu, sizeof(mtu), "--mtu=%u", req->mtu);
	argv[a++] = "slirp4netns";
	argv[a++] = "--configure";
	argv[a++] = mtu;
	if (req->flags & LAUNCH_DISABLE_HOST_LOOPBACK)
		argv[a++] = "--disable-host-loopback";
	argv[a++] = "--ready-fd=3";
	argv[a++] = "--exit-fd=4";
	argv[a++] = "--userns-path=/proc/self/fd/5";
	argv[a++] = "--netns-type=path";
	argv[a++] = "/proc/self/fd/6";
	argv[a++] = "tap0";
	argv[a] = NULL;
	execv(path, argv);
	child_fail(path);
}

static int
start_one(const struct launch_req *req, int *fds, pid_t netd)
{
	char path[PATH_MAX];
	pid_t pid;

	if (req->mtu < LAUNCH_MTU_MIN || req->mtu > LAUNCH_MTU_MAX ||
	    (req->flags & ~LAUNCH_DISABLE_HOST_LOOPBACK))
		return -EINVAL;
	if (util_which("slirp4netns", path, sizeof(path)) < 0)
		return -ENOENT;
	pid = clone_parent();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(path, req, fds, netd);
	return pid;
}

/* One request: a struct launch_req and LAUNCH_NFDS descriptors. */
static int
serve_one(int sock, pid_t netd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
	} cm;
	struct launch_req req;
	struct launch_reply rep = { 0, 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	int fds[IPC_MAX_FDS], nfds = 0, r;
	ssize_t n;

	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n == 0 || errno != EINTR ? -1 : 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
			    nfds < IPC_MAX_FDS; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	if (n != sizeof(req) || nfds != LAUNCH_NFDS || (mh.msg_flags & MSG_CTRUNC))
		r = -EINVAL;
	else
		r = start_one(&req, fds, netd);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	rep.err = r < 0 ? -r : 0;
	rep.pid = r > 0 ? r : 0;
	return send(sock, &rep, sizeof(rep), MSG_NOSIGNAL) == sizeof(rep) ? 0 : -1;
}

static void __attribute__((noreturn))
launcher_main(int sock, pid_t netd)
{
	int jfd = log_journal_fd();

	prctl(PR_SET_NAME, "kiln-netd-launch");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != netd)
		_exit(1);
	/* keep only stdio, the journal and our socket: not the control
	 * channel nor kiln-netd's event loop */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != sock && fd != jfd)
			close(fd);
	while (serve_one(sock, netd) == 0)
		;
	_exit(0);
}

int
launch_start(pid_t *pid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t netd = getpid();
	*pid = fork();
	if (*pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (*pid == 0) {
		close(sv[0]);
		launcher_main(sv[1], netd);
	}
	close(sv[1]);
	return sv[0];
}

/* kiln-netd's side: a blocking exchange, answered at once (the launcher
 * waits for nothing but clone). fds stay the caller's. */
pid_t
launch_slirp(int sock, const struct launch_req *req, const int *fds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * LAUNCH_NFDS)];
	} cm;
	struct iovec iov = { (void *)req, sizeof(*req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct launch_reply rep;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	ssize_t n;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * LAUNCH_NFDS);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * LAUNCH_NFDS);
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	do
		n = recv(sock, &rep, sizeof(rep), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(rep))
		return -EPIPE;	/* the launcher is gone */
	return rep.err ? -rep.err : rep.pid;
}
