/* slirp.c: runs slirp4netns for the kiln network namespace: start, readiness, logs, restart with backoff, stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <event2/event.h>
#include "log.h"
#include "netd.h"
#include "util.h"

#define SLIRP_READY_TIMEOUT_MS	10000
#define SLIRP_BACKOFF_MIN_MS	100
#define SLIRP_BACKOFF_MAX_MS	5000
#define SLIRP_STABLE_MS		30000	/* up this long: the backoff starts over */
#define SLIRP_STOP_WAIT_MS	1000

enum slirp_state { ST_IDLE, ST_STARTING, ST_UP, ST_BACKOFF, ST_STOPPING };

/* slirp4netns's stdout or stderr, logged line by line. */
struct line_pipe {
	int		 fd;
	struct event	*ev;
	int		 level;
	size_t		 len;
	char		 buf[512];
};

static struct {
	struct helper	*h;
	int		 launch_sock;
	pid_t		 launch_pid;
	struct event	*sigchld, *timer, *ready_ev;
	int		 userns_fd, netns_fd;
	struct launch_req req;
	enum slirp_state state;
	pid_t		 pid;
	int		 ready_fd, exit_fd;
	struct line_pipe out, err;
	int		 replying;	/* a NET_START waits for its answer */
	uint32_t	 reply_id;
	long		 backoff_ms;
	long long	 up_since;
	char		 last_err[512];	/* slirp4netns's last stderr line */
} sl = {
	.launch_sock = -1, .userns_fd = -1, .netns_fd = -1, .ready_fd = -1,
	.exit_fd = -1, .out = { .fd = -1 }, .err = { .fd = -1 },
};

static void
fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
ev_close(struct event **ev)
{
	if (*ev)
		event_free(*ev);
	*ev = NULL;
}

static void
timer_arm(long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(sl.timer, &tv);
}

static void
line_emit(struct line_pipe *lp, const char *line)
{
	log_msg(lp->level, "slirp4netns[%ld]: %s", (long)sl.pid, line);
	if (lp == &sl.err)
		snprintf(sl.last_err, sizeof(sl.last_err), "%s", line);
}

static void
line_feed(struct line_pipe *lp, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] != '\n' && lp->len < sizeof(lp->buf) - 1) {
			lp->buf[lp->len++] = data[i];
			continue;
		}
		lp->buf[lp->len] = '\0';
		line_emit(lp, lp->buf);
		lp->len = 0;
		if (data[i] != '\n')	/* an over-long line goes on in the next */
			lp->buf[lp->len++] = data[i];
	}
}

static void
line_close(struct line_pipe *lp)
{
	if (lp->len) {
		lp->buf[lp->len] = '\0';
		line_emit(lp, lp->buf);
		lp->len = 0;
	}
	ev_close(&lp->ev);
	fd_close(&lp->fd);
}

/* Reads what is there; closes the pipe at its end. */
static void
line_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct line_pipe *lp = arg;
	char buf[1024];
	ssize_t n;

	while ((n = read(lp->fd, buf, sizeof(buf))) > 0)
		line_feed(lp, buf, (size_t)n);
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		line_close(lp);
}

static int
line_open(struct line_pipe *lp, int fd, int level)
{
	lp->fd = fd;
	lp->level = level;
	lp->len = 0;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	lp->ev = event_new(sl.h->base, fd, EV_READ | EV_PERSIST, line_read_cb, lp);
	if (lp->ev == NULL || event_add(lp->ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

/* Everything that belongs to one run of slirp4netns. */
static void
instance_close(void)
{
	if (sl.out.fd >= 0)
		line_read_cb(sl.out.fd, EV_READ, &sl.out);
	if (sl.err.fd >= 0)
		line_read_cb(sl.err.fd, EV_READ, &sl.err);
	line_close(&sl.out);
	line_close(&sl.err);
	ev_close(&sl.ready_ev);
	fd_close(&sl.ready_fd);
	fd_close(&sl.exit_fd);
	sl.pid = 0;
}

static void
send_state(pid_t pid, const char *what)
{
	struct ipc_peer *ctl = sl.h->peers[PROC_SUPERVISOR];
	struct ipc_wr w;

	if (ctl == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_int64(&w.pk, pid);
	ipc_wr_str(&w, what);
	ipc_send(ctl, IPC_NET_STATE, 0, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void
answer_started(void)
{
	struct ipc_peer *ctl = sl.h->peers[PROC_SUPERVISOR];
	struct ipc_wr w;

	sl.replying = 0;
	if (ctl == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_int64(&w.pk, sl.pid);
	ipc_send(ctl, IPC_NET_STARTED, sl.reply_id, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void
answer_error(int err, const char *what)
{
	struct ipc_peer *ctl = sl.h->peers[PROC_SUPERVISOR];

	sl.replying = 0;
	if (ctl)
		ipc_reply_error(ctl, sl.reply_id, err, "slirp4netns: %s", what);
}

static void
became_up(void)
{
	evtimer_del(sl.timer);
	sl.state = ST_UP;
	sl.up_since = util_now_ms();
	sl.last_err[0] = '\0';	/* what it said while starting is no cause of death */
	log_info("slirp4netns (pid %ld) is up: mtu %u, host loopback %s",
	    (long)sl.pid, sl.req.mtu,
	    (sl.req.flags & LAUNCH_DISABLE_HOST_LOOPBACK) ? "disabled" : "enabled");
	if (sl.replying)
		answer_started();
	else
		send_state(sl.pid, "restarted");
}

/* slirp4netns writes "1" on --ready-fd once tap0 is configured. */
static void
ready_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	ssize_t n = read(sl.ready_fd, &c, 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_close(&sl.ready_ev);
	fd_close(&sl.ready_fd);
	if (n == 1 && sl.state == ST_STARTING)
		became_up();
	/* at EOF slirp4netns is dying: SIGCHLD tells the rest */
}

static int
make_pipes(int p[4][2])
{
	for (int i = 0; i < 4; i++)
		p[i][0] = p[i][1] = -1;
	for (int i = 0; i < 4; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0)
			return -errno;
	return 0;
}

/* Keeps our ends of the pipes and watches them. */
static int
watch_pipes(int p[4][2])
{
	int r;

	sl.ready_fd = p[LAUNCH_FD_READY][0];
	sl.exit_fd = p[LAUNCH_FD_EXIT][1];
	p[LAUNCH_FD_READY][0] = p[LAUNCH_FD_EXIT][1] = -1;
	if ((r = line_open(&sl.out, p[LAUNCH_FD_STDOUT][0], LOG_LVL_DEBUG)) < 0)
		return r;
	p[LAUNCH_FD_STDOUT][0] = -1;
	if ((r = line_open(&sl.err, p[LAUNCH_FD_STDERR][0], LOG_LVL_INFO)) < 0)
		return r;
	p[LAUNCH_FD_STDERR][0] = -1;
	sl.ready_ev = event_new(sl.h->base, sl.ready_fd, EV_READ | EV_PERSIST,
	    ready_cb, NULL);
	if (sl.ready_ev == NULL || event_add(sl.ready_ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

static int
spawn(void)
{
	int p[4][2], fds[LAUNCH_NFDS], r;
	pid_t pid;

	sl.last_err[0] = '\0';
	if ((r = make_pipes(p)) < 0)
		goto out;
	/* the child's ends: write ends of stdout, stderr and ready, read end of exit */
	fds[LAUNCH_FD_STDOUT] = p[LAUNCH_FD_STDOUT][1];
	fds[LAUNCH_FD_STDERR] = p[LAUNCH_FD_STDERR][1];
	fds[LAUNCH_FD_READY] = p[LAUNCH_FD_READY][1];
	fds[LAUNCH_FD_EXIT] = p[LAUNCH_FD_EXIT][0];
	fds[LAUNCH_FD_USERNS] = sl.userns_fd;
	fds[LAUNCH_FD_NETNS] = sl.netns_fd;
	pid = sl.launch_sock < 0 ? -EPIPE : launch_slirp(sl.launch_sock, &sl.req, fds);
	if (pid < 0) {
		r = pid;
		goto out;
	}
	sl.pid = pid;
	sl.state = ST_STARTING;
	timer_arm(SLIRP_READY_TIMEOUT_MS);
	log_debug("started slirp4netns (pid %ld)", (long)pid);
	r = watch_pipes(p);
	if (r < 0)
		kill(pid, SIGKILL);	/* reaped and reported as a failed start */
out:
	for (int i = 0; i < 4; i++) {
		fd_close(&p[i][0]);
		fd_close(&p[i][1]);
	}
	return r;
}

static void
describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, size, "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "?");
}

static void
schedule_restart(void)
{
	sl.state = ST_BACKOFF;
	timer_arm(sl.backoff_ms);
	log_info("restarting slirp4netns in %ld ms", sl.backoff_ms);
	sl.backoff_ms = sl.backoff_ms * 2 > SLIRP_BACKOFF_MAX_MS ?
	    SLIRP_BACKOFF_MAX_MS : sl.backoff_ms * 2;
}

static void
slirp_died(int status)
{
	char why[64], msg[600];
	pid_t pid = sl.pid;
	enum slirp_state was = sl.state;

	instance_close();
	evtimer_del(sl.timer);
	describe_status(status, why, sizeof(why));
	if (was == ST_STOPPING)
		return;
	snprintf(msg, sizeof(msg), "%s%s%s", why, sl.last_err[0] ? ": " : "", sl.last_err);
	if (was == ST_STARTING && sl.replying) {
		log_error("slirp4netns (pid %ld) failed to start: %s", (long)pid, msg);
		sl.state = ST_IDLE;
		answer_error(EIO, msg);
		return;
	}
	log_error("slirp4netns (pid %ld) %s", (long)pid, msg);
	if (was == ST_UP) {
		if (util_now_ms() - sl.up_since > SLIRP_STABLE_MS)
			sl.backoff_ms = SLIRP_BACKOFF_MIN_MS;
		send_state(0, msg);
	}
	schedule_restart();
}

static void
sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == sl.pid)
			slirp_died(status);
		else if (pid == sl.launch_pid) {
			log_error("the slirp4netns launcher (pid %ld) died", (long)pid);
			sl.launch_pid = 0;
			fd_close(&sl.launch_sock);
		}
	}
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	int r;

	if (sl.state == ST_STARTING) {
		log_error("slirp4netns (pid %ld) not ready in %d ms; killing it",
		    (long)sl.pid, SLIRP_READY_TIMEOUT_MS);
		kill(sl.pid, SIGKILL);
		return;
	}
	if (sl.state != ST_BACKOFF)
		return;
	if ((r = spawn()) < 0) {
		log_error("restarting slirp4netns: %s", strerror(-r));
		schedule_restart();
	}
}

static int
on_net_start(struct ipc_peer *p, struct ipc_msg *m)
{
	struct ipc_rd rd;
	uint64_t mtu;
	int dhl, r;

	if (m->nfds != 2 || ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &mtu) < 0 ||
	    ipc_rd_bool(&rd, &dhl) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if (mtu < LAUNCH_MTU_MIN || mtu > LAUNCH_MTU_MAX)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "mtu %llu is not in %d..%d",
		    (unsigned long long)mtu, LAUNCH_MTU_MIN, LAUNCH_MTU_MAX);
	if (sl.state != ST_IDLE)
		return ipc_reply_error(p, m->hdr.id, EALREADY,
		    "slirp4netns is already managed (pid %ld)", (long)sl.pid);
	fd_close(&sl.userns_fd);
	fd_close(&sl.netns_fd);
	sl.userns_fd = m->fds[0];
	sl.netns_fd = m->fds[1];
	m->fds[0] = m->fds[1] = -1;
	sl.req = (struct launch_req){ (uint32_t)mtu, dhl ? LAUNCH_DISABLE_HOST_LOOPBACK : 0 };
	sl.backoff_ms = SLIRP_BACKOFF_MIN_MS;
	sl.reply_id = m->hdr.id;
	sl.replying = 1;
	if ((r = spawn()) < 0) {
		sl.replying = 0;
		sl.state = ST_IDLE;
		return ipc_reply_error(p, m->hdr.id, -r, "starting slirp4netns: %s",
		    strerror(-r));
	}
	return 0;
}

const struct ipc_handler slirp_control_handlers[] = {
	{ IPC_NET_START, on_net_start },
	IPC_HANDLERS_END
};

/* Before lockdown: the SIGCHLD event (libevent makes its signal socket
 * now) and the launcher (which must not inherit the filter). */
int
slirp_setup(struct helper *h)
{
	int r;

	sl.h = h;
	sl.timer = evtimer_new(h->base, timer_cb, NULL);
	sl.sigchld = evsignal_new(h->base, SIGCHLD, sigchld_cb, NULL);
	if (sl.timer == NULL || sl.sigchld == NULL || evsignal_add(sl.sigchld, NULL) < 0)
		return -ENOMEM;
	r = launch_start(&sl.launch_pid);
	if (r < 0)
		return r;
	sl.launch_sock = r;
	return 0;
}

/* Waits up to ms for pid to exit; 1 when it did. */
static int
reap_within(pid_t pid, long ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	long long end = util_now_ms() + ms;

	do {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return 1;
		nanosleep(&ts, NULL);
	} while (util_now_ms() < end);
	return 0;
}

void
slirp_shutdown(void)
{
	pid_t pid = sl.pid;

	sl.state = ST_STOPPING;
	if (pid > 0) {
		/* closing the exit fd asks slirp4netns to leave; then signals */
		fd_close(&sl.exit_fd);
		if (!reap_within(pid, SLIRP_STOP_WAIT_MS)) {
			kill(pid, SIGTERM);
			if (!reap_within(pid, SLIRP_STOP_WAIT_MS)) {
				kill(pid, SIGKILL);
				reap_within(pid, SLIRP_STOP_WAIT_MS);
			}
		}
		instance_close();
		log_debug("slirp4netns (pid %ld) stopped", (long)pid);
	}
	fd_close(&sl.launch_sock);
	if (sl.launch_pid > 0 && !reap_within(sl.launch_pid, SLIRP_STOP_WAIT_MS))
		kill(sl.launch_pid, SIGKILL);
	fd_close(&sl.userns_fd);
	fd_close(&sl.netns_fd);
	ev_close(&sl.timer);
	ev_close(&sl.sigchld);
}
