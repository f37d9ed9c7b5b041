/* ready-time.c: times a command from fork to its sd_notify READY=1, then from SIGTERM to its exit. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/*
 * Output, one line on stdout:
 *   ready_ms=R stop_ms=S status=N    READY=1 came R ms after fork; the
 *                                    command exited S ms after SIGTERM
 *   ready_ms=none exit_ms=E status=N the command exited E ms after fork
 *                                    without sending READY=1
 * status is the exit status, or 128+signal. Exit 0 when READY=1 came,
 * 1 when it did not (exit or timeout), 2 on a usage or system error.
 * ready-time -n sends READY=1 to $NOTIFY_SOCKET and exits: a stand-in
 * command for wrappers that do not notify themselves (rootlesskit).
 */

struct run {
	char		 dir[64];
	char		 path[108];
	int		 sock, sfd;
	pid_t		 pid;
	int		 status;
	const char	*log;
	int		 timeout_ms;
	struct timespec	 t_fork;
};

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
notify_open(struct run *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(r->dir, "/tmp/ready-time.XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		return -errno;
	snprintf(r->path, sizeof(r->path), "%s/notify", r->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->path);
	r->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->sock < 0)
		return -errno;
	if (bind(r->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return setenv("NOTIFY_SOCKET", r->path, 1) < 0 ? -errno : 0;
}

static void
notify_close(struct run *r)
{
	if (r->sock >= 0)
		close(r->sock);
	if (r->path[0] != '\0')
		unlink(r->path);
	if (r->dir[0] != '\0')
		rmdir(r->dir);
}

/* The child's output goes to the log (or /dev/null) so that a caller
 * reading our stdout does not wait for daemons the command leaves. */
static void
child_exec(const struct run *r, char **argv)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open(r->log ? r->log : "/dev/null",
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	execvp(argv[0], argv);
	dprintf(fd >= 0 ? fd : STDERR_FILENO, "ready-time: %s: %s\n",
	    argv[0], strerror(errno));
	_exit(127);
}

static int
spawn(struct run *r, char **argv)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
		return -errno;
	r->sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r->sfd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &r->t_fork);
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (r->pid == 0)
		child_exec(r, argv);
	return 0;
}

/* 1 when the command has exited (status filled in), else 0. */
static int
reap(struct run *r)
{
	struct signalfd_siginfo si;
	int st;

	while (read(r->sfd, &si, sizeof(si)) > 0)
		;
	if (waitpid(r->pid, &st, WNOHANG) != r->pid)
		return 0;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 1;
}

/* 1 when a datagram on the socket holds a READY=1 line. */
static int
got_ready(struct run *r)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(r->sock, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n"))
			if (strcmp(l, "READY=1") == 0)
				return 1;
	}
	return 0;
}

/* -n: be the command under test, to time a wrapper (rootlesskit) up to
 * the moment its child runs. */
static int
send_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rv = 0;

	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rv = -errno;
	close(fd);
	return rv;
}

/* Waits for READY=1 (returns 1) or the command's exit (returns 0),
 * for at most timeout_ms; -ETIMEDOUT after that. */
static int
wait_ready(struct run *r)
{
	struct pollfd pfd[2] = {
		{ .fd = r->sock, .events = POLLIN },
		{ .fd = r->sfd, .events = POLLIN },
	};
	int left;

	for (;;) {
		left = r->timeout_ms - (int)ms_since(&r->t_fork);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(pfd, 2, left) < 0 && errno != EINTR)
			return -errno;
		if ((pfd[0].revents & POLLIN) && got_ready(r))
			return 1;
		if ((pfd[1].revents & POLLIN) && reap(r))
			return 0;
	}
}

static int
wait_exit(struct run *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->sfd, .events = POLLIN };
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!reap(r)) {
		int left = timeout_ms - (int)ms_since(&t0);

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

static int
measure(struct run *r, char **argv)
{
	struct timespec t_term;
	double ready;
	int rv;

	if ((rv = notify_open(r)) < 0 || (rv = spawn(r, argv)) < 0)
		return rv;
	rv = wait_ready(r);
	if (rv < 0)
		goto out;
	if (rv == 0) {
		printf("ready_ms=none exit_ms=%.2f status=%d\n",
		    ms_since(&r->t_fork), r->status);
		return 1;
	}
	ready = ms_since(&r->t_fork);
	clock_gettime(CLOCK_MONOTONIC, &t_term);
	kill(r->pid, SIGTERM);
	if ((rv = wait_exit(r, r->timeout_ms)) < 0)
		goto out;
	printf("ready_ms=%.2f stop_ms=%.2f status=%d\n", ready,
	    ms_since(&t_term), r->status);
	return 0;
out:
	kill(r->pid, SIGKILL);
	wait_exit(r, 1000);
	fprintf(stderr, "ready-time: %s: %s\n", argv[0], strerror(-rv));
	printf("ready_ms=none exit_ms=none status=timeout\n");
	return 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ready-time [-o log] [-t seconds] command [arg ...]\n"
	    "       ready-time -n\n");
}

int
main(int argc, char **argv)
{
	struct run r = { .sock = -1, .sfd = -1, .pid = -1, .timeout_ms = 30000 };
	int c, rv;

	while ((c = getopt(argc, argv, "+no:t:")) != -1) {
		switch (c) {
		case 'n':
			rv = send_ready();
			if (rv < 0)
				fprintf(stderr, "ready-time -n: %s\n", strerror(-rv));
			return rv < 0 ? 2 : 0;
		case 'o':
			r.log = optarg;
			break;
		case 't':
			r.timeout_ms = atoi(optarg) * 1000;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind >= argc || r.timeout_ms <= 0) {
		usage();
		return 2;
	}
	rv = measure(&r, argv + optind);
	notify_close(&r);
	if (rv < 0) {
		fprintf(stderr, "ready-time: %s\n", strerror(-rv));
		return 2;
	}
	return rv;
}
