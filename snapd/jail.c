/* jail.c: runs untrusted parsing (layers, archives) in a forked child with only its fds and a tighter seccomp filter. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <seccomp.h>
#include "files.h"
#include "log.h"
#include "sandbox.h"

#define JAIL_MAX_KEEP	16
#define JAIL_SIGSYS	0x5ec5ec	/* data[6] of the SIGSYS handler's answer */

static int jail_mode = -1;
static int report_fd = -1;

void
jail_set_mode(int mode)
{
	jail_mode = mode;
}

/* Async-signal-safe: the child's answer is the syscall it was refused. */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	struct jail_out out;

	memset(&out, 0, sizeof(out));
	out.rc = -ENOSYS;
	out.data[6] = JAIL_SIGSYS;
	out.data[7] = (uint64_t)(unsigned)si->si_syscall;
	if (report_fd >= 0)
		(void)!write(report_fd, &out, sizeof(out));
	_exit(126);
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every fd but the kept ones, with close_range between them. */
static void
close_others(const int *keep, int nkeep, int pipe_fd)
{
	int k[JAIL_MAX_KEEP + 5], n = 0, from = 0;

	k[n++] = 0;
	k[n++] = 1;
	k[n++] = 2;
	k[n++] = pipe_fd;
	if (log_journal_fd() >= 0)
		k[n++] = log_journal_fd();
	for (int i = 0; i < nkeep && i < JAIL_MAX_KEEP; i++)
		k[n++] = keep[i];
	qsort(k, (size_t)n, sizeof(int), cmp_int);
	for (int i = 0; i < n; i++) {
		if (k[i] > from)
			close_range((unsigned)from, (unsigned)k[i] - 1, 0);
		if (k[i] + 1 > from)
			from = k[i] + 1;
	}
	close_range((unsigned)from, ~0U, 0);
}

static void
child(jail_fn fn, void *arg, const int *keep, int nkeep, int wfd, int filter)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct jail_out out;
	int r;

	memset(&out, 0, sizeof(out));
	close_others(keep, nkeep, wfd);
	report_fd = wfd;
	/* an answer to snapd or nothing: not an orphan that goes on writing */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (filter && jail_mode >= 0) {
		r = sandbox_seccomp_load(snapd_jail_syscalls, snapd_jail_nsyscalls,
		    jail_mode, -1);
		if (r < 0) {
			out.rc = snap_errf(&out.err, r, "loading the jail's seccomp "
			    "filter: %s", strerror(-r));
			goto out;
		}
		sigaction(SIGSYS, &sa, NULL);
	}
	out.rc = fn(arg, &out);
out:
	(void)!write(wfd, &out, sizeof(out));
	_exit(0);
}

static int
child_failed(pid_t pid, int status, struct jail_out *out)
{
	char *name;

	if (out->data[6] == JAIL_SIGSYS) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
		    (int)out->data[7]);
		log_error("jail %ld: seccomp refused syscall %s (%llu): add it to "
		    "snapd/policy_files.c if the file work needs it", (long)pid,
		    name ? name : "?", (unsigned long long)out->data[7]);
		snap_errf(&out->err, -ENOSYS, "internal error: the unpacking process "
		    "was refused syscall %s (see kilnd's log)", name ? name : "?");
		free(name);
		return -ENOSYS;
	}
	if (WIFSIGNALED(status))
		return snap_errf(&out->err, -EIO, "internal error: the unpacking "
		    "process died of signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	return snap_errf(&out->err, -EIO, "internal error: the unpacking process "
	    "exited with status %d and no answer", WEXITSTATUS(status));
}

pid_t
jail_fork(jail_fn fn, void *arg, const int *keep, int nkeep, int filter, int *rfd,
    struct snap_err *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return snap_errf(err, -errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return snap_errf(err, -errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		child(fn, arg, keep, nkeep, p[1], filter);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

int
jail_wait(pid_t pid, int rfd, struct jail_out *out)
{
	int status = 0;
	size_t got = 0;

	memset(out, 0, sizeof(*out));
	while (got < sizeof(*out)) {
		ssize_t n = read(rfd, (char *)out + got, sizeof(*out) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(rfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(*out) && out->data[6] != JAIL_SIGSYS)
		return out->rc;
	if (got != sizeof(*out))
		memset(out, 0, sizeof(*out));
	return child_failed(pid, status, out);
}

int
jail_run(jail_fn fn, void *arg, const int *keep, int nkeep, struct jail_out *out)
{
	int rfd;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if ((pid = jail_fork(fn, arg, keep, nkeep, 1, &rfd, &out->err)) < 0)
		return (int)pid;
	return jail_wait(pid, rfd, out);
}
