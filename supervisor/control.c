/* control.c: what kilnd answers on its control channels to the helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kilnd.h"
#include "log.h"

static int
on_setup_done(struct ipc_peer *p, struct ipc_msg *m)
{
	struct slot *s = ipc_peer_ctx(p);

	helpers_on_setup_done(kilnd_of_slot(s), s);
	return 0;
}

/* Sent from the helper's SIGSYS handler just before it dies. */
static int
on_seccomp_note(struct ipc_peer *p, struct ipc_msg *m)
{
	struct slot *s = ipc_peer_ctx(p);
	struct ipc_rd rd;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &s->note_nr) < 0 ||
	    ipc_rd_u64(&rd, &s->note_arch) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	s->have_note = 1;
	return 0;
}

static void
pack_map(struct ipc_wr *w, const struct idmap *map, int n)
{
	msgpack_pack_array(&w->pk, n);
	for (int i = 0; i < n; i++) {
		msgpack_pack_array(&w->pk, 3);
		msgpack_pack_uint64(&w->pk, map[i].inside);
		msgpack_pack_uint64(&w->pk, map[i].outside);
		msgpack_pack_uint64(&w->pk, map[i].count);
	}
}

static int
on_info(struct ipc_peer *p, struct ipc_msg *m)
{
	struct kilnd *kd = kilnd_of_slot(ipc_peer_ctx(p));
	struct ipc_wr w;
	int nhelpers = 0, r;

	for (int i = 0; i < PROC_MAX; i++)
		nhelpers += proc_is_helper(i);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 9);
	ipc_wr_str(&w, kilnd_version);
	ipc_wr_str(&w, kd->net_mode == NET_SLIRP4NETNS ? "slirp4netns" : "host");
	ipc_wr_str(&w, kd->net_reason);
	pack_map(&w, kd->ns.uid_map, kd->ns.n_uid);
	pack_map(&w, kd->ns.gid_map, kd->ns.n_gid);
	msgpack_pack_array(&w.pk, nhelpers);
	for (int i = 0; i < PROC_MAX; i++) {
		struct slot *s = &kd->slots[i];

		if (!proc_is_helper(i))
			continue;
		msgpack_pack_array(&w.pk, 5);
		ipc_wr_str(&w, proc_name(i));
		msgpack_pack_int64(&w.pk, s->pid);
		ipc_wr_str(&w, slot_state_name(s->state));
		msgpack_pack_uint64(&w.pk, s->restarts);
		ipc_wr_str(&w, kd->cfg.seccomp_mode ? "log" : "enforce");
	}
	ipc_wr_str(&w, kd->warnings);
	ipc_wr_str(&w, kd->snapshotter);
	ipc_wr_str(&w, kd->snapshotter_why);
	r = ipc_send(p, IPC_INFO_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

/* Test hook: makes a helper break its seccomp filter. */
static int
on_debug_violate(struct ipc_peer *p, struct ipc_msg *m)
{
	struct kilnd *kd = kilnd_of_slot(ipc_peer_ctx(p));
	struct ipc_rd rd;
	const char *name;
	char buf[32];
	size_t len;
	int who;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &name, &len) < 0 ||
	    ipc_rd_end(&rd) < 0 || len >= sizeof(buf))
		return -EBADMSG;
	if (!kd->cfg.test_hooks)
		return ipc_reply_error(p, m->hdr.id, EPERM,
		    "test hooks are off: start kilnd with --test-hooks");
	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	who = proc_from_name(buf);
	if (!proc_is_helper(who) || kd->slots[who].ctl == NULL)
		return ipc_reply_error(p, m->hdr.id, ESRCH, "no running helper '%s'", buf);
	log_warn("test hook: asking %s to break its seccomp filter", proc_name(who));
	ipc_send(kd->slots[who].ctl, IPC_TEST_VIOLATE, 0, NULL, NULL, 0);
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}

/* net: kiln-netd says slirp4netns died (pid 0) or is back. */
static int
on_net_state(struct ipc_peer *p, struct ipc_msg *m)
{
	struct kilnd *kd = kilnd_of_slot(ipc_peer_ctx(p));
	struct ipc_rd rd;
	char *what = NULL;
	int64_t pid;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_i64(&rd, &pid) < 0 ||
	    ipc_rd_strdup(&rd, &what) < 0 || ipc_rd_end(&rd) < 0 || pid < 0) {
		free(what);
		return -EBADMSG;
	}
	net_on_state(kd, (pid_t)pid, what);
	free(what);
	return 0;
}

/* kiln-snapd says which snapshotter it chose and why, for INFO. */
static int
on_snap_driver(struct ipc_peer *p, struct ipc_msg *m)
{
	struct kilnd *kd = kilnd_of_slot(ipc_peer_ctx(p));
	const char *name, *why;
	size_t nlen, wlen;
	struct ipc_rd rd;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &name, &nlen) < 0 ||
	    ipc_rd_str(&rd, &why, &wlen) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	snprintf(kd->snapshotter, sizeof(kd->snapshotter), "%.*s", (int)nlen, name);
	snprintf(kd->snapshotter_why, sizeof(kd->snapshotter_why), "%.*s", (int)wlen, why);
	return 0;
}

static int
on_ping(struct ipc_peer *p, struct ipc_msg *m)
{
	return ipc_reply_empty(p, IPC_PONG, m->hdr.id);
}

/* Replies from helpers to kilnd's own requests go to their callbacks;
 * these are the frames helpers start. */
const struct ipc_handler control_handlers[] = {
	{ IPC_SETUP_DONE, on_setup_done },
	{ IPC_SECCOMP_NOTE, on_seccomp_note },
	{ IPC_INFO, on_info },
	{ IPC_DEBUG_VIOLATE, on_debug_violate },
	{ IPC_PING, on_ping },
	{ IPC_NET_STATE, on_net_state },
	{ IPC_SNAP_DRIVER, on_snap_driver },
	IPC_HANDLERS_END
};
