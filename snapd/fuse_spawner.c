/* fuse_spawner.c: kiln-snapd's pre-seccomp child that runs each fuse-overlayfs, waits until it has mounted, and reaps it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "driver.h"
#include "log.h"
#include "snapd.h"
#include "util.h"

/*
 * Why a child. A seccomp filter is inherited by every process forked and
 * exec'd after it, so fuse-overlayfs started by kiln-snapd after its
 * lockdown would run under snapd's allowlist and die of SIGSYS on the
 * first call outside it. The spawner is forked in snapd's setup, before
 * its filter, talks to snapd alone over a socketpair, and runs one
 * fuse-overlayfs per mount in the foreground (-f), so that each one is
 * its child: it is reaped here, and dies with the spawner
 * (PR_SET_PDEATHSIG), which dies with snapd. A mount whose fuse-overlayfs
 * died is dead (ENOTCONN) and swept at the next start.
 *
 * Protocol, one SOCK_SEQPACKET record each way:
 *   request  "OPTIONS\0TARGET\0": fuse-overlayfs -f -o OPTIONS TARGET
 *   answer   struct fuse_answer: 0 once TARGET is mounted, or -errno and why
 */

#define FUSE_MOUNT_TIMEOUT_MS	10000
#define FUSE_REQ_MAX		(256 * 1024)

struct fuse_answer {
	int	err;
	char	why[256];
};

static int spawner_sock = -1;
static pid_t spawner_pid;

/* Mounted once the target's device differs from its parent's. */
static int
is_mounted(const char *target)
{
	char parent[PATH_MAX];
	struct stat a, b;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", target);
	if ((slash = strrchr(parent, '/')) == NULL)
		return 0;
	*slash = '\0';
	return stat(target, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static void
reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void __attribute__((noreturn))
child_exec(const char *opts, const char *target, pid_t parent)
{
	char *argv[] = { "fuse-overlayfs", "-f", "-o", (char *)opts, (char *)target,
	    NULL };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	execvp(argv[0], argv);
	fprintf(stderr, "kiln-snapd: exec fuse-overlayfs: %s\n", strerror(errno));
	_exit(127);
}

/* Starts one fuse-overlayfs and waits until it mounted or failed. */
static void
mount_one(const char *opts, const char *target, struct fuse_answer *a)
{
	pid_t self = getpid(), pid;
	int status;

	if ((pid = fork()) < 0) {
		a->err = -errno;
		snprintf(a->why, sizeof(a->why), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		child_exec(opts, target, self);
	for (long long end = util_now_ms() + FUSE_MOUNT_TIMEOUT_MS;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			a->err = -EIO;
			snprintf(a->why, sizeof(a->why), "fuse-overlayfs %s %d before it "
			    "mounted (its messages are in kilnd's log)",
			    WIFEXITED(status) ? "exited with status" : "was killed by signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return;
		}
		if (is_mounted(target))
			return;
		if (util_now_ms() > end) {
			kill(pid, SIGKILL);
			a->err = -ETIMEDOUT;
			snprintf(a->why, sizeof(a->why), "fuse-overlayfs did not mount in %d ms",
			    FUSE_MOUNT_TIMEOUT_MS);
			return;
		}
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

static void
serve(int sock, char *buf)
{
	struct pollfd pfd = { sock, POLLIN, 0 };

	for (;;) {
		struct fuse_answer a = { 0, "" };
		ssize_t n;
		size_t ol;

		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			break;
		reap();
		if (!(pfd.revents & POLLIN)) {
			if (pfd.revents & (POLLHUP | POLLERR))
				break;
			continue;
		}
		if ((n = recv(sock, buf, FUSE_REQ_MAX, 0)) <= 0)
			break;
		ol = strnlen(buf, (size_t)n);
		if (ol + 1 >= (size_t)n || buf[n - 1] != '\0') {
			a.err = -EBADMSG;
			snprintf(a.why, sizeof(a.why), "a malformed request");
		} else
			mount_one(buf, buf + ol + 1, &a);
		if (send(sock, &a, sizeof(a), MSG_NOSIGNAL) < 0)
			break;
	}
	/* snapd is gone: so are its mounts' daemons */
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
}

/* Called in setup, before the capabilities are dropped and the filter is
 * loaded; the spawner keeps fds 0-2 and its socket only. */
int
fuse_spawner_start(void)
{
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if ((spawner_pid = fork()) < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (spawner_pid == 0) {
		char *buf = malloc(FUSE_REQ_MAX);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || buf == NULL || dup2(sv[1], 3) < 0)
			_exit(1);
		util_close_from(4);
		/* its own process group: the TERM at the end reaches its
		 * children only */
		setpgid(0, 0);
		prctl(PR_SET_NAME, "kiln-snapd-fuse");
		serve(3, buf);
		_exit(0);
	}
	close(sv[1]);
	spawner_sock = sv[0];
	return 0;
}

int
fuse_spawner_mount(const char *opts, const char *target, char *why, size_t len)
{
	size_t ol = strlen(opts), tl = strlen(target);
	struct fuse_answer a;
	char *req;
	ssize_t n;

	if (spawner_sock < 0) {
		snprintf(why, len, "no fuse spawner");
		return -ENOTCONN;
	}
	if (ol + tl + 2 > FUSE_REQ_MAX || (req = malloc(ol + tl + 2)) == NULL) {
		snprintf(why, len, "the layer list is too long");
		return -E2BIG;
	}
	memcpy(req, opts, ol + 1);
	memcpy(req + ol + 1, target, tl + 1);
	n = send(spawner_sock, req, ol + tl + 2, MSG_NOSIGNAL);
	free(req);
	if (n < 0 || (n = recv(spawner_sock, &a, sizeof(a), 0)) != (ssize_t)sizeof(a)) {
		snprintf(why, len, "the fuse spawner is gone");
		return -EPIPE;
	}
	a.why[sizeof(a.why) - 1] = '\0';
	if (a.err)
		snprintf(why, len, "%s", a.why);
	return a.err;
}

void
fuse_spawner_stop(void)
{
	if (spawner_sock >= 0)
		close(spawner_sock);
	spawner_sock = -1;
	/* it ends its daemons and exits at the end of its socket */
	if (spawner_pid > 0)
		waitpid(spawner_pid, NULL, 0);
	spawner_pid = 0;
}
