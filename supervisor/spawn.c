/* spawn.c: starts one helper: enters the kiln namespaces, sets the fd contract, execs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include "helper.h"
#include "kilnd.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

#define MAX_ARGS	(32 + KILND_MAX_REGISTRIES)

/* A failure in the child before exec, sent to the parent (STYLE rule 19). */
struct spawn_error {
	int	err;
	char	what[120];
};

static void __attribute__((noreturn))
child_fail(int errfd, const char *what)
{
	struct spawn_error e = { errno, "" };

	snprintf(e.what, sizeof(e.what), "%s", what);
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

#define OPT_MAX		(PATH_MAX + 32)
#define NOPTS		7

/* kiln-snapd's own: its state dir and what kilnd.8 says of its flags */
static int
snapd_opts(struct kilnd *kd, char **argv, int a, char opts[][OPT_MAX])
{
	char data[PATH_MAX];

	snprintf(opts[3], OPT_MAX, "--snapshotter=%s", kd->cfg.snapshotter);
	argv[a++] = opts[3];
	if (config_data_dir(data, sizeof(data) - 16) == 0) {
		snprintf(opts[4], OPT_MAX, "--state-dir=%s/snapd", data);
		argv[a++] = opts[4];
	}
	if (kd->cfg.gc_keep_storage) {
		snprintf(opts[5], OPT_MAX, "--gc-keep-storage=%llu",
		    (unsigned long long)kd->cfg.gc_keep_storage);
		argv[a++] = opts[5];
	}
	if (kd->cfg.checksum_watch_off) {
		snprintf(opts[6], OPT_MAX, "--checksum-watch=off");
		argv[a++] = opts[6];
	}
	return a;
}

static int
build_argv(struct kilnd *kd, struct slot *s, char *path, char **argv,
    char *words, size_t wsize, char opts[NOPTS][OPT_MAX])
{
	const struct kilnd_config *cfg = &kd->cfg;
	const char *wrap = cfg->debug_wrap[s->id];
	int a = 0;

	if (wrap) {
		snprintf(words, wsize, "%s", wrap);
		for (char *save, *w = strtok_r(words, " \t", &save); w && a < MAX_ARGS - 8;
		    w = strtok_r(NULL, " \t", &save))
			argv[a++] = w;
	}
	argv[a++] = path;
	snprintf(opts[0], OPT_MAX, "--log-level=%s", log_level_name(cfg->log_level));
	snprintf(opts[1], OPT_MAX, "--log-target=%s", cfg->log_target == LOG_TARGET_JOURNAL ?
	    "journal" : cfg->log_target == LOG_TARGET_STDERR ? "stderr" : "auto");
	snprintf(opts[2], OPT_MAX, "--seccomp=%s",
	    sandbox_seccomp_mode_name(cfg->seccomp_mode));
	argv[a++] = opts[0];
	argv[a++] = opts[1];
	argv[a++] = opts[2];
	if (cfg->test_hooks)
		argv[a++] = "--test-hooks";
	if (s->id == PROC_EXECD && cfg->no_process_sandbox)
		argv[a++] = "--no-process-sandbox";
	if (s->id == PROC_EXECD && cfg->allow_insecure)
		argv[a++] = "--allow-insecure-entitlement=security.insecure";
	if (s->id == PROC_SNAPD)
		a = snapd_opts(kd, argv, a, opts);
	if (s->id == PROC_SOLVERD && cfg->max_parallelism) {
		snprintf(opts[3], OPT_MAX, "--max-parallelism=%d", cfg->max_parallelism);
		argv[a++] = opts[3];
	}
	for (int i = 0; s->id == PROC_NETD && i < cfg->nregistry; i++)
		argv[a++] = cfg->registry[i];
	argv[a] = NULL;
	return a;
}

/* In the child: netd stays in the host namespaces (slirp4netns and the
 * registries need the host network); the others join the kiln ones. */
static void
child_enter(struct kilnd *kd, struct slot *s, int errfd)
{
	if (s->id == PROC_NETD)
		return;
	if (setns(kd->ns.userns_fd, CLONE_NEWUSER) < 0)
		child_fail(errfd, "setns(user)");
	if (setns(kd->ns.mntns_fd, CLONE_NEWNS) < 0)
		child_fail(errfd, "setns(mnt)");
	if (kd->ns.netns_fd >= 0 && setns(kd->ns.netns_fd, CLONE_NEWNET) < 0)
		child_fail(errfd, "setns(net)");
}

static void __attribute__((noreturn))
child_exec(struct kilnd *kd, struct slot *s, int ctl_fd, int errfd, pid_t parent)
{
	char path[PATH_MAX + 32], words[1024], opts[NOPTS][OPT_MAX], *argv[MAX_ARGS];
	int devnull;

	snprintf(path, sizeof(path), "%s/%s", kd->cfg.helper_dir, proc_name(s->id));
	build_argv(kd, s, path, argv, words, sizeof(words), opts);
	child_enter(kd, s, errfd);
	/* after the last credential change (setns), then check the parent
	 * did not die before it was set (bubblewrap) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(errfd, "prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		_exit(1);
	/*
	 * fd contract (helper.h):
	 *   0 /dev/null, 1 and 2 inherited from kilnd,
	 *   3 the control socket, errfd moved above it until exec succeeds,
	 *   everything else closed.
	 */
	if (errfd <= HELPER_CONTROL_FD) {
		int e = fcntl(errfd, F_DUPFD_CLOEXEC, HELPER_CONTROL_FD + 1);
		if (e < 0)
			child_fail(errfd, "moving the error pipe");
		errfd = e;
	}
	if (ctl_fd == HELPER_CONTROL_FD ? fcntl(ctl_fd, F_SETFD, 0) < 0 :
	    dup2(ctl_fd, HELPER_CONTROL_FD) < 0)
		child_fail(errfd, "dup2(control, 3)");
	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0)
		child_fail(errfd, "opening /dev/null");
	for (int fd = HELPER_CONTROL_FD + 1; fd < 1024; fd++)
		if (fd != errfd)
			close(fd);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	execvp(argv[0], argv);
	child_fail(errfd, argv[0]);
}

int
spawn_helper(struct kilnd *kd, struct slot *s, int ctl_fd)
{
	struct spawn_error e;
	int pipefd[2];
	pid_t parent = getpid(), pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_exec(kd, s, ctl_fd, pipefd[1], parent);
	}
	close(pipefd[1]);
	/* EOF: exec succeeded and closed the pipe */
	n = read(pipefd[0], &e, sizeof(e));
	close(pipefd[0]);
	s->pid = pid;
	if (n == (ssize_t)sizeof(e)) {
		log_error("starting %s: %s: %s", proc_name(s->id), e.what, strerror(e.err));
		return -e.err;
	}
	return 0;
}
