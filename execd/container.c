/* container.c: the step's side of the clone: namespaces, root, identity, lockdown, then execve. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "execd.h"
#include "util.h"

#define STEP_NOFILE	1048576

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
	return CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
	    (execd_opts.no_process_sandbox ? 0 : CLONE_NEWPID) |
	    (spec->network == EXEC_NET_NONE ? CLONE_NEWNET : 0);
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

/* Docker creates a missing working directory, BuildKit as the step's
 * user: each directory made here is then the user's. */
static int
enter_cwd(const char *cwd, const struct exec_ids *ids, struct exec_fail *f)
{
	char path[PATH_MAX];
	size_t len = strlen(cwd);

	if (len >= sizeof(path))
		return exec_fail_set(f, ENAMETOOLONG, "working directory");
	for (size_t i = 1; i <= len; i++) {
		if (cwd[i] != '/' && cwd[i] != '\0')
			continue;
		memcpy(path, cwd, i);
		path[i] = '\0';
		if (mkdir(path, 0755) == 0) {
			if (chown(path, ids->uid, ids->gid) < 0)
				return exec_fail_set(f, errno, "chown of the working "
				    "directory %s", path);
		} else if (errno != EEXIST)
			return exec_fail_set(f, errno, "creating the working "
			    "directory %s", path);
	}
	if (chdir(cwd) < 0)
		return exec_fail_set(f, errno, "entering the working directory %s", cwd);
	return 0;
}

/* Docker's default for builds where kiln's hard limit allows it. */
static void
set_rlimits(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > STEP_NOFILE)
		rl.rlim_max = STEP_NOFILE;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* HOME from the image's passwd, as runc sets it, unless the step has one. */
static char **
step_env(char **env, const struct exec_ids *ids, char *home, size_t size)
{
	static char *with_home[4096 + 2];
	size_t n = 0;

	for (char **e = env; *e; e++, n++)
		if (strncmp(*e, "HOME=", 5) == 0)
			return env;
	if (n >= ARRAY_SIZE(with_home) - 1)
		return env;
	snprintf(home, size, "HOME=%s", ids->home[0] ? ids->home : "/");
	memcpy(with_home, env, n * sizeof(*env));
	with_home[n] = home;
	with_home[n + 1] = NULL;
	return with_home;
}

static int
setup_root(const struct exec_child *c, struct exec_ids *ids, struct exec_fail *f)
{
	const struct exec_spec *spec = c->spec;
	int rootfd = -1, r;

	if ((r = setup_stdio(c->fds[EXEC_FD_OUT], c->fds[EXEC_FD_ERR], f)) < 0)
		return r;
	r = mounts_setup(c, &rootfd, f);
	if (r == 0)
		r = stepmounts_apply(c, rootfd, f);
	if (rootfd >= 0)
		close(rootfd);
	if (r < 0 || (r = mounts_pivot(spec->rootfs, f)) < 0)
		return r;
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return exec_fail_set(f, errno, "sethostname");
	if (spec->network == EXEC_NET_NONE && (r = loopback_up(f)) < 0)
		return r;
	/* the image's files, now that its root is ours */
	if ((r = user_resolve(spec->user, ids, f)) < 0)
		return r;
	set_rlimits();
	return enter_cwd(spec->cwd, ids, f);
}

/* Who we are, then what we may do: the order of STYLE rules 3 and 4. */
static int
lock_down(const struct exec_child *c, const struct exec_ids *ids,
    struct exec_fail *f)
{
	struct pollfd sync = { c->sync_fd, 0, 0 };
	int r;

	if ((r = caps_step_apply(ids, c->spec->insecure, f)) < 0)
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
	/* security=insecure: as a privileged container, no profile at all */
	if (c->spec->insecure)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return exec_fail_set(f, errno, "PR_SET_NO_NEW_PRIVS");
	return profile_step_load(f);
}

/*
 * Runs in the step's pid 1, just cloned into its namespaces. sync_fd is
 * CLOEXEC: a successful execve closes it, which the spawner reads as
 * "started"; any failure before is written to it instead. Without the
 * process sandbox it leads a session of its own, so that cancel can
 * kill its process group.
 */
void
container_child(const struct exec_child *c)
{
	struct exec_fail f = { 0, "" };
	struct exec_ids ids;
	char home[300];
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	if (execd_opts.no_process_sandbox)
		setsid();
	if (setup_root(c, &ids, &f) < 0 || lock_down(c, &ids, &f) < 0)
		goto fail;
	environ = step_env(c->spec->env, &ids, home, sizeof(home));
	execvp(c->spec->argv[0], c->spec->argv);
	exec_fail_set(&f, errno, "exec %s", c->spec->argv[0]);
fail:
	(void)!write(c->sync_fd, &f, sizeof(f));
	_exit(127);
}
