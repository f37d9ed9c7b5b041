/* container.c: the step's side of the clone: namespaces, root, identity, lockdown, then execve. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "execd.h"
#include "util.h"

#define STEP_HOSTNAME	"kiln"

extern char **environ;

int
exec_fail_set(struct exec_fail *f, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	f->err = err;
	return -err;
}

unsigned long
container_clone_flags(const struct exec_spec *spec)
{
	return CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
	    (spec->network_none ? CLONE_NEWNET : 0);
}

/* An empty network namespace still wants its loopback up. */
static int
loopback_up(struct exec_fail *f)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (s < 0)
		return exec_fail_set(f, errno, "socket for lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		r = exec_fail_set(f, errno, "reading the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (r == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		r = exec_fail_set(f, errno, "bringing lo up");
	close(s);
	return r;
}

/* stdin is /dev/null (opened before the pivot); stdout and stderr the
 * requester's pipes; nothing else crosses execve. */
static int
setup_stdio(int out_fd, int err_fd, struct exec_fail *f)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0)
		return exec_fail_set(f, errno, "opening /dev/null");
	if (dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		return exec_fail_set(f, errno, "setting up stdio");
	close(null);
	/* whatever the spawner holds stays behind at execve */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return exec_fail_set(f, errno, "close_range");
	return 0;
}

/* Docker creates a missing WORKDIR. */
static int
enter_cwd(const char *cwd, struct exec_fail *f)
{
	int r = util_mkdir_p(cwd, 0755);

	if (r < 0 && r != -EEXIST)
		return exec_fail_set(f, -r, "creating the working directory %s", cwd);
	if (chdir(cwd) < 0)
		return exec_fail_set(f, errno, "entering the working directory %s", cwd);
	return 0;
}

static int
setup_root(const struct exec_spec *spec, int out_fd, int err_fd,
    struct exec_fail *f)
{
	int r;

	if ((r = setup_stdio(out_fd, err_fd, f)) < 0 ||
	    (r = mounts_setup(spec->rootfs, f)) < 0 ||
	    (r = mounts_pivot(spec->rootfs, f)) < 0)
		return r;
	if (sethostname(STEP_HOSTNAME, strlen(STEP_HOSTNAME)) < 0)
		return exec_fail_set(f, errno, "sethostname");
	if (spec->network_none && (r = loopback_up(f)) < 0)
		return r;
	return enter_cwd(spec->cwd, f);
}

/* Who we are, then what we may do: the order of STYLE rules 3 and 4. */
static int
lock_down(const struct exec_spec *spec, int sync_fd, struct exec_fail *f)
{
	struct pollfd sync = { sync_fd, 0, 0 };
	int r;

	if ((r = caps_step_apply(spec->uid, spec->gid, f)) < 0)
		return r;
	umask(0022);
	/* after the last credential change; then make sure the spawner did
	 * not die before it was set, which would leave the step orphaned.
	 * getppid() is 0 for the init of a pid namespace, so the check is
	 * the sync pipe instead: its read end closes with the spawner. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return exec_fail_set(f, errno, "PR_SET_PDEATHSIG");
	if (poll(&sync, 1, 0) < 0 || (sync.revents & POLLERR))
		return exec_fail_set(f, ESRCH, "kiln-execd went away");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return exec_fail_set(f, errno, "PR_SET_NO_NEW_PRIVS");
	return profile_step_load(f);
}

/*
 * Runs in the step's pid 1, just cloned into its namespaces. sync_fd is
 * CLOEXEC: a successful execve closes it, which the spawner reads as
 * "started"; any failure before is written to it instead.
 */
void
container_child(const struct exec_spec *spec, int out_fd, int err_fd,
    int sync_fd)
{
	struct exec_fail f = { 0, "" };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	if (setup_root(spec, out_fd, err_fd, &f) < 0 ||
	    lock_down(spec, sync_fd, &f) < 0)
		goto fail;
	environ = spec->env;
	execvp(spec->argv[0], spec->argv);
	exec_fail_set(&f, errno, "exec %s", spec->argv[0]);
fail:
	(void)!write(sync_fd, &f, sizeof(f));
	_exit(127);
}
