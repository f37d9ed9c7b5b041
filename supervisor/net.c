/* net.c: picks the daemon's network mode, says why, and has kiln-netd run slirp4netns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ipc.h"
#include "kilnd.h"
#include "log.h"
#include "util.h"

/* slirp4netns as kiln-netd last reported it */
static struct {
	int	up;
	pid_t	pid;
	char	why[sizeof(((struct kilnd *)0)->net_reason)];	/* net_choose's reason */
} slirp;

/* Why slirp4netns cannot be used here, or NULL when it can. */
static const char *
slirp_unusable(char *buf, size_t size)
{
	char path[PATH_MAX];
	int fd;

	if (util_which("slirp4netns", path, sizeof(path)) < 0)
		return "slirp4netns is not installed (apt-get install slirp4netns)";
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, size, "/dev/net/tun cannot be opened (%s): "
		    "ask an administrator to run chmod 666 /dev/net/tun", strerror(errno));
		return buf;
	}
	close(fd);
	return NULL;
}

void
net_choose(struct kilnd *kd)
{
	char buf[200];
	const char *why = NULL;

	kd->net_mode = NET_HOST;
	switch (kd->cfg.net_mode) {
	case NET_HOST:
		snprintf(kd->net_reason, sizeof(kd->net_reason), "--net=host");
		return;
	case NET_SLIRP4NETNS:
	case NET_AUTO:
		why = slirp_unusable(buf, sizeof(buf));
		break;
	}
	if (why == NULL) {
		kd->net_mode = NET_SLIRP4NETNS;
		snprintf(kd->net_reason, sizeof(kd->net_reason), "%s",
		    kd->cfg.net_mode == NET_AUTO ?
		    "auto: slirp4netns and /dev/net/tun are usable" : "--net=slirp4netns");
		return;
	}
	snprintf(kd->net_reason, sizeof(kd->net_reason), "%s: %s",
	    kd->cfg.net_mode == NET_AUTO ? "auto chose host" : "slirp4netns unusable", why);
	if (kd->cfg.net_mode == NET_SLIRP4NETNS)
		kd->net_mode = -1;	/* asked for and impossible: main fails */
}

/* kilnctl info's reason: why this mode, then how slirp4netns is doing. */
static void
describe(struct kilnd *kd, const char *state)
{
	if (slirp.why[0] == '\0')
		snprintf(slirp.why, sizeof(slirp.why), "%s", kd->net_reason);
	if (slirp.up)
		snprintf(kd->net_reason, sizeof(kd->net_reason), "%.100s; slirp4netns "
		    "pid %ld, mtu %d, host loopback %s", slirp.why, (long)slirp.pid,
		    kd->cfg.mtu, kd->cfg.disable_host_loopback > 0 ? "disabled" : "enabled");
	else
		snprintf(kd->net_reason, sizeof(kd->net_reason), "%.100s; slirp4netns %.120s",
		    slirp.why, state);
}

static void
on_start_error(struct kilnd *kd, const struct ipc_msg *m)
{
	const char *text = "?";
	char state[160];
	int64_t err;
	size_t len = 1;

	ipc_error_parse(m, &err, &text, &len);
	log_error("kiln-netd could not start slirp4netns: %.*s", (int)len, text);
	snprintf(state, sizeof(state), "down: %.*s", (int)len, text);
	describe(kd, state);
	if (kd->ready_notified)
		return;
	log_error("no network: stopping (start kilnd with --net=host to build without "
	    "slirp4netns)");
	kd->exit_code = 1;
	helpers_stop_all(kd);
}

/* The answer to NET_START: NULL when kiln-netd died first (its restart
 * asks again). */
static void
on_started(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct kilnd *kd = arg;
	struct ipc_rd rd;
	int64_t pid;

	if (m == NULL || kd->stopping)
		return;
	if (m->hdr.type == IPC_ERROR) {
		on_start_error(kd, m);
		return;
	}
	if (m->hdr.type != IPC_NET_STARTED || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_i64(&rd, &pid) < 0 || ipc_rd_end(&rd) < 0 || pid <= 0) {
		log_error("kiln-netd answered NET_START with a bad %s",
		    ipc_type_name(m->hdr.type));
		return;
	}
	slirp.up = 1;
	slirp.pid = (pid_t)pid;
	describe(kd, NULL);
	log_info("network: slirp4netns is up (pid %ld)", (long)pid);
	helpers_check_ready(kd);
}

void
net_start(struct kilnd *kd, struct slot *netd)
{
	struct ipc_wr w;
	int fds[2], r;

	if (kd->net_mode != NET_SLIRP4NETNS || netd->ctl == NULL)
		return;
	slirp.up = 0;
	slirp.pid = 0;
	describe(kd, "starting");
	fds[0] = fcntl(kd->ns.userns_fd, F_DUPFD_CLOEXEC, 3);
	fds[1] = fcntl(kd->ns.netns_fd, F_DUPFD_CLOEXEC, 3);
	if (fds[0] < 0 || fds[1] < 0) {
		r = -errno;
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		goto out;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_uint64(&w.pk, (uint64_t)kd->cfg.mtu);
	if (kd->cfg.disable_host_loopback > 0)
		msgpack_pack_true(&w.pk);
	else
		msgpack_pack_false(&w.pk);
	r = ipc_request(netd->ctl, IPC_NET_START, &w, fds, 2, on_started, kd);
	ipc_wr_free(&w);
out:
	if (r < 0)
		log_error("asking kiln-netd to start slirp4netns: %s", strerror(-r));
}

int
net_is_up(const struct kilnd *kd)
{
	return kd->net_mode != NET_SLIRP4NETNS || slirp.up;
}

void
net_on_state(struct kilnd *kd, pid_t pid, const char *what)
{
	char state[200];

	slirp.up = pid > 0;
	slirp.pid = pid;
	snprintf(state, sizeof(state), "down (%.150s); kiln-netd restarts it", what);
	describe(kd, state);
}
