/* auth_helper.c: runs docker-credential-NAME get from a process forked before kiln-netd's seccomp filter, and reads its answer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "auth.h"
#include "log.h"
#include "util.h"

/*
 * Why a separate process: a credential helper is a program to exec, and
 * kiln-netd's filter allows neither fork nor execve. The runner is forked
 * in setup, before the filter, and does only this: one request (a helper
 * name and a server URL), one reply (the helper's exit status and its
 * stdout, which holds the secret and so goes nowhere else: not to a log,
 * not to another helper).
 */

#define HELPER_OUT_MAX		16384
#define HELPER_TIMEOUT_MS	10000

struct helper_req {
	char	name[64];
	char	server[512];
};

struct helper_rep {
	int32_t	err;		/* errno of running it, or 0 */
	int32_t	status;		/* its exit status; -1: killed */
	uint32_t len;
	char	out[HELPER_OUT_MAX];
};

static int runner_sock = -1;
static pid_t runner_pid;

static int
name_ok(const char *n)
{
	if (!*n)
		return 0;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		    (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' || *n == '.'))
			return 0;
	return 1;
}

static void __attribute__((noreturn))
child_exec(const char *name, int in, int out)
{
	char prog[96];

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(127);
	util_close_from(3);
	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	execlp(prog, prog, "get", (char *)NULL);
	_exit(127);
}

/* Reads the child's stdout to its end, within the timeout. */
static int
read_all(int fd, struct helper_rep *rep)
{
	long long end = util_now_ms() + HELPER_TIMEOUT_MS;
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	for (;;) {
		long long left = end - util_now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		n = read(fd, rep->out + rep->len, sizeof(rep->out) - 1 - rep->len);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0 && (rep->len += (uint32_t)n) >= sizeof(rep->out) - 1)
			return -E2BIG;
	}
}

static void
run_one(const struct helper_req *req, struct helper_rep *rep)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, st;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		rep->err = errno;
		goto out;
	}
	if ((pid = fork()) < 0) {
		rep->err = errno;
		goto out;
	}
	if (pid == 0)
		child_exec(req->name, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	(void)!write(in[1], req->server, strlen(req->server));
	close(in[1]);
	in[1] = -1;
	rep->err = -read_all(out[0], rep);
	if (rep->err)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rep->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
}

static void __attribute__((noreturn))
runner_main(int sock, pid_t netd)
{
	static struct helper_rep rep;
	struct helper_req req;
	int jfd = log_journal_fd();
	ssize_t n;

	prctl(PR_SET_NAME, "kiln-netd-creds");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != netd)
		_exit(1);
	for (int fd = 3; fd < 1024; fd++)
		if (fd != sock && fd != jfd)
			close(fd);
	while ((n = recv(sock, &req, sizeof(req), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		explicit_bzero(&rep, sizeof(rep));
		req.name[sizeof(req.name) - 1] = req.server[sizeof(req.server) - 1] = '\0';
		if (n != sizeof(req) || !name_ok(req.name))
			rep.err = EINVAL;
		else
			run_one(&req, &rep);
		if (send(sock, &rep, sizeof(rep), MSG_NOSIGNAL) < 0)
			break;
	}
	_exit(0);
}

int
auth_helper_setup(void)
{
	struct timeval tv = { HELPER_TIMEOUT_MS / 1000 + 2, 0 };
	pid_t netd = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if ((runner_pid = fork()) < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (runner_pid == 0) {
		close(sv[0]);
		runner_main(sv[1], netd);
	}
	close(sv[1]);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	runner_sock = sv[0];
	return 0;
}

void
auth_helper_shutdown(void)
{
	if (runner_sock >= 0)
		close(runner_sock);	/* the runner reads EOF and exits */
	runner_sock = -1;
	if (runner_pid > 0)
		waitpid(runner_pid, NULL, 0);
	runner_pid = 0;
}

/* The helper's JSON: {"ServerURL", "Username", "Secret"} */
static int
parse_answer(const char *name, struct helper_rep *rep, struct auth_creds *c,
    char *why, size_t ws)
{
	json_t *j = json_loadb(rep->out, rep->len, 0, NULL);
	const char *u = json_string_value(json_object_get(j, "Username"));
	const char *s = json_string_value(json_object_get(j, "Secret"));
	int r = 0;

	if (u == NULL || s == NULL) {
		snprintf(why, ws, "docker-credential-%s get: its answer is not "
		    "{\"Username\", \"Secret\"} JSON", name);
		r = -EINVAL;
	} else {
		snprintf(c->user, sizeof(c->user), "%s", u);
		snprintf(c->secret, sizeof(c->secret), "%s", s);
	}
	json_decref(j);
	return r;
}

int
auth_helper_get(const char *name, const char *server, struct auth_creds *c,
    char *why, size_t ws)
{
	static struct helper_rep rep;
	struct helper_req req;
	ssize_t n;
	int r;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", name);
	snprintf(req.server, sizeof(req.server), "%s", server);
	if (runner_sock < 0)
		return snprintf(why, ws, "the credential helper runner is gone"), -EPIPE;
	if (send(runner_sock, &req, sizeof(req), MSG_NOSIGNAL) < 0) {
		r = -errno;
		snprintf(why, ws, "the credential helper runner: %s", strerror(-r));
		return r;
	}
	do
		n = recv(runner_sock, &rep, sizeof(rep), 0);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(rep))
		return snprintf(why, ws, "docker-credential-%s did not answer", name), -EIO;
	rep.out[rep.len < sizeof(rep.out) ? rep.len : sizeof(rep.out) - 1] = '\0';
	if (rep.err) {
		snprintf(why, ws, "docker-credential-%s get: %s", name,
		    strerror(rep.err));
		r = -rep.err;
	} else if (rep.status == 1 && strstr(rep.out, "not found"))
		r = -ENOENT;	/* the helper knows nothing of this registry */
	else if (rep.status != 0) {
		snprintf(why, ws, "docker-credential-%s get exited with status "
		    "%d%s", name, rep.status, rep.status == 127 ?
		    " (is docker-credential-NAME on $PATH?)" : "");
		r = -EIO;
	} else
		r = parse_answer(name, &rep, c, why, ws);
	explicit_bzero(&rep, sizeof(rep));
	return r;
}
