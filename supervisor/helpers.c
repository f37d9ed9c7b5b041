/* helpers.c: the helpers' life cycle: start, wire to each other, watch, restart with backoff, stop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <event2/event.h>
#include <seccomp.h>
#include "kilnd.h"
#include "log.h"
#include "util.h"

/* Who talks to whom: one socketpair per line (DESIGN.md, IPC). */
static const enum kiln_proc links[][2] = {
	{ PROC_SOLVERD, PROC_EXECD },
	{ PROC_SOLVERD, PROC_SNAPD },
	{ PROC_SOLVERD, PROC_NETD },
	{ PROC_EXECD, PROC_SNAPD },
	{ PROC_SNAPD, PROC_NETD },
};

static const enum kiln_proc start_order[] = {
	PROC_SNAPD, PROC_EXECD, PROC_NETD, PROC_SOLVERD,
};

static void slot_timer_cb(evutil_socket_t fd, short what, void *arg);

const char *
slot_state_name(enum slot_state st)
{
	static const char *const names[] = { "stopped", "starting", "ready", "backoff" };
	return (unsigned)st < ARRAY_SIZE(names) ? names[st] : "?";
}

static struct kilnd *the_kd;

static void
pidfile_write(struct kilnd *kd, struct slot *s)
{
	char path[PATH_MAX + 32], buf[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pid", kd->runtime_dir, proc_name(s->id));
	if (s->pid <= 0) {
		unlink(path);
		return;
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)s->pid);
	f = fopen(path, "we");
	if (f == NULL || fputs(buf, f) < 0)
		log_warn("writing %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
}

static void
ctl_closed(struct ipc_peer *p, void *arg)
{
	struct slot *s = arg;

	if (s->ctl == p)
		s->ctl = NULL;
}

static void
arm_timer(struct kilnd *kd, struct slot *s, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (s->timer == NULL)
		s->timer = evtimer_new(kd->base, slot_timer_cb, s);
	evtimer_add(s->timer, &tv);
}

static int
slot_start(struct kilnd *kd, struct slot *s)
{
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	s->ctl = ipc_peer_new(kd->base, sv[0], s->id, control_handlers, s);
	if (s->ctl == NULL) {
		close(sv[1]);
		return -ENOMEM;
	}
	ipc_peer_set_close_cb(s->ctl, ctl_closed, s);
	s->have_note = 0;
	s->state = SLOT_STARTING;
	r = spawn_helper(kd, s, sv[1]);
	close(sv[1]);
	pidfile_write(kd, s);
	arm_timer(kd, s, KILND_SETUP_TIMEOUT_MS);
	return r;
}

int
helpers_start_all(struct kilnd *kd)
{
	the_kd = kd;
	for (int i = 0; i < PROC_MAX; i++)
		kd->slots[i].id = i;
	for (size_t i = 0; i < ARRAY_SIZE(start_order); i++) {
		int r = slot_start(kd, &kd->slots[start_order[i]]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
send_fd(struct slot *s, uint16_t type, int who, int fd)
{
	struct ipc_wr w;
	int r;

	if (s->ctl == NULL) {
		close(fd);
		return -EPIPE;
	}
	ipc_wr_init(&w);
	if (who >= 0) {
		msgpack_pack_array(&w.pk, 1);
		msgpack_pack_int64(&w.pk, who);
	}
	r = ipc_send(s->ctl, type, 0, who >= 0 ? &w : NULL, &fd, 1);
	ipc_wr_free(&w);
	return r;
}

static void
wire_pair(struct kilnd *kd, struct slot *a, struct slot *b)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_error("socketpair for %s and %s: %s", proc_name(a->id),
		    proc_name(b->id), strerror(errno));
		return;
	}
	send_fd(a, IPC_PEER_CONNECT, b->id, sv[0]);
	send_fd(b, IPC_PEER_CONNECT, a->id, sv[1]);
}

static int
all_ready(struct kilnd *kd)
{
	for (int p = 0; p < PROC_MAX; p++)
		if (proc_is_helper(p) && kd->slots[p].state != SLOT_READY)
			return 0;
	return 1;
}

void
helpers_on_setup_done(struct kilnd *kd, struct slot *s)
{
	/* net: a failed slirp4netns start stops kilnd while helpers still start */
	if (s->state != SLOT_STARTING || kd->stopping)
		return;
	s->state = SLOT_READY;
	evtimer_del(s->timer);
	log_debug("%s (pid %ld) is ready", proc_name(s->id), (long)s->pid);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		enum kiln_proc a = links[i][0], b = links[i][1];
		enum kiln_proc other = a == s->id ? b : b == s->id ? a : PROC_MAX;

		if (other != PROC_MAX && kd->slots[other].state == SLOT_READY)
			wire_pair(kd, s, &kd->slots[other]);
	}
	if (s->id == PROC_SOLVERD) {
		int fd = dup(kd->api_fd);
		if (fd < 0 || send_fd(s, IPC_API_LISTEN, -1, fd) < 0)
			log_error("handing the API socket to kiln-solverd failed");
	}
	/* net: in slirp4netns mode, each kiln-netd runs it (again) */
	if (s->id == PROC_NETD)
		net_start(kd, s);
	helpers_check_ready(kd);
}

void
helpers_check_ready(struct kilnd *kd)
{
	/* net: READY=1 waits for the network too */
	if (!kd->ready_notified && all_ready(kd) && net_is_up(kd)) {
		kd->ready_notified = 1;
		log_info("ready: API socket %s, network %s", kd->cfg.addr,
		    kd->net_mode == NET_SLIRP4NETNS ? "slirp4netns" : "host");
		notify_systemd("READY=1\nSTATUS=kilnd is ready");
	}
}

static void
describe_death(struct slot *s, int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WTERMSIG(status) == SIGSYS && s->have_note) {
		char *name = seccomp_syscall_resolve_num_arch((uint32_t)s->note_arch,
		    (int)s->note_nr);
		snprintf(buf, size, "killed by SIGSYS: seccomp forbade syscall %s (%llu)",
		    name ? name : "?", (unsigned long long)s->note_nr);
		free(name);
	} else
		snprintf(buf, size, "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "?");
}

/* Counts deaths in the window; 1 when the helper has failed too often. */
static int
too_many_deaths(struct slot *s, long long now)
{
	int recent = 0;

	s->deaths[s->ndeaths++ % ARRAY_SIZE(s->deaths)] = now;
	for (size_t i = 0; i < ARRAY_SIZE(s->deaths) && i < s->ndeaths; i++)
		if (now - s->deaths[i] <= KILND_RESTART_WINDOW_MS)
			recent++;
	return recent > KILND_RESTART_LIMIT;
}

static long
backoff_ms(struct slot *s, long long now)
{
	int recent = 0;

	for (size_t i = 0; i < ARRAY_SIZE(s->deaths) && i < s->ndeaths; i++)
		if (now - s->deaths[i] <= KILND_RESTART_WINDOW_MS)
			recent++;
	return 50L << (recent > 1 ? recent - 1 : 0);
}

static void
slot_died(struct kilnd *kd, struct slot *s, int status)
{
	long long now = util_now_ms();
	char why[160];

	/* read what the helper said before dying, e.g. its SECCOMP_NOTE */
	if (s->ctl)
		ipc_peer_drain(s->ctl);
	if (s->ctl)
		ipc_peer_close(s->ctl);
	describe_death(s, status, why, sizeof(why));
	s->pid = 0;
	pidfile_write(kd, s);
	if (s->timer)
		evtimer_del(s->timer);
	s->state = SLOT_STOPPED;
	if (kd->stopping) {
		log_debug("%s %s", proc_name(s->id), why);
		return;
	}
	log_error("%s %s", proc_name(s->id), why);
	if (too_many_deaths(s, now)) {
		log_error("%s died more than %d times in %d s (last: %s); giving up. "
		    "Run kilnd --check, and read the lines above for the cause",
		    proc_name(s->id), KILND_RESTART_LIMIT, KILND_RESTART_WINDOW_MS / 1000, why);
		kd->exit_code = 1;
		helpers_stop_all(kd);
		return;
	}
	s->state = SLOT_BACKOFF;
	arm_timer(kd, s, backoff_ms(s, now));
}

static void
slot_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct slot *s = arg;
	struct kilnd *kd = the_kd;
	int r;

	if (s->state == SLOT_STARTING) {
		log_error("%s did not finish its setup in %d ms; killing it",
		    proc_name(s->id), KILND_SETUP_TIMEOUT_MS);
		kill(s->pid, SIGKILL);
		return;
	}
	if (s->state != SLOT_BACKOFF || kd->stopping)
		return;
	s->restarts++;
	log_info("restarting %s (restart %u)", proc_name(s->id), s->restarts);
	r = slot_start(kd, s);
	if (r < 0)
		log_error("restarting %s: %s", proc_name(s->id), strerror(-r));
}

static int
any_running(struct kilnd *kd)
{
	for (int p = 0; p < PROC_MAX; p++)
		if (proc_is_helper(p) && kd->slots[p].pid > 0)
			return 1;
	return 0;
}

void
helpers_on_sigchld(struct kilnd *kd)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int p = 0; p < PROC_MAX; p++)
			if (proc_is_helper(p) && kd->slots[p].pid == pid)
				slot_died(kd, &kd->slots[p], status);
	}
	if (kd->stopping && !any_running(kd))
		event_base_loopexit(kd->base, NULL);
}

static void
stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kilnd *kd = arg;

	for (int p = 0; p < PROC_MAX; p++)
		if (proc_is_helper(p) && kd->slots[p].pid > 0) {
			log_warn("%s did not stop in %d ms; killing it", proc_name(p),
			    KILND_STOP_TIMEOUT_MS);
			kill(kd->slots[p].pid, SIGKILL);
		}
}

void
helpers_stop_all(struct kilnd *kd)
{
	struct timeval tv = { KILND_STOP_TIMEOUT_MS / 1000, 0 };

	if (kd->stopping)
		return;
	kd->stopping = 1;
	notify_systemd("STOPPING=1");
	api_close(kd);
	for (int p = 0; p < PROC_MAX; p++) {
		struct slot *s = &kd->slots[p];

		if (!proc_is_helper(p))
			continue;
		if (s->timer)
			evtimer_del(s->timer);
		if (s->ctl && s->pid > 0)
			ipc_send(s->ctl, IPC_SHUTDOWN, 0, NULL, NULL, 0);
		else if (s->pid > 0)
			kill(s->pid, SIGTERM);
	}
	kd->stop_timer = evtimer_new(kd->base, stop_timeout_cb, kd);
	evtimer_add(kd->stop_timer, &tv);
	if (!any_running(kd))
		event_base_loopexit(kd->base, NULL);
}
