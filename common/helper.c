/* helper.c: what every kiln helper does between exec and its event loop, and the messages all answer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <event2/event.h>
#include "helper.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

#define MAX_HANDLERS	64

static struct helper the_helper;
static struct ipc_handler tables[PROC_MAX][MAX_HANDLERS];

struct helper *
helper_of(struct ipc_peer *peer)
{
	return ipc_peer_ctx(peer);
}

static int
on_ping(struct ipc_peer *p, struct ipc_msg *m)
{
	return ipc_reply_empty(p, IPC_PONG, m->hdr.id);
}

int
helper_reply_status(struct helper *h, struct ipc_peer *p, uint32_t id)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 6);
	ipc_wr_str(&w, proc_name(h->def->self));
	msgpack_pack_int64(&w.pk, getpid());
	ipc_wr_str(&w, h->uid_map);
	ipc_wr_str(&w, h->gid_map);
	ipc_wr_str(&w, sandbox_seccomp_mode_name(h->seccomp_mode));
	msgpack_pack_uint64(&w.pk, sandbox_caps_effective());
	r = ipc_send(p, IPC_STATUS_REPLY, id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static int
on_status(struct ipc_peer *p, struct ipc_msg *m)
{
	return helper_reply_status(helper_of(p), p, m->hdr.id);
}

static void
peer_closed(struct ipc_peer *p, void *arg)
{
	struct helper *h = arg;
	enum kiln_proc who = ipc_peer_who(p);

	if (h->peers[who] == p)
		h->peers[who] = NULL;
	if (who == PROC_SUPERVISOR) {
		if (!h->shutting_down)
			log_error("control channel to kilnd closed; exiting");
		h->shutting_down = 1;
		event_base_loopexit(h->base, NULL);
	} else {
		log_info("connection to %s closed", proc_name(who));
		if (h->def->peer_down)
			h->def->peer_down(h, who, p);
	}
}

static int
attach_peer(struct helper *h, enum kiln_proc who, int fd)
{
	struct ipc_peer *p = ipc_peer_new(h->base, fd, who, tables[who], h);

	if (p == NULL)
		return -errno;
	ipc_peer_set_close_cb(p, peer_closed, h);
	h->peers[who] = p;
	return 0;
}

static int
on_peer_connect(struct ipc_peer *p, struct ipc_msg *m)
{
	struct helper *h = helper_of(p);
	struct ipc_rd rd;
	int64_t who;
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_i64(&rd, &who) < 0 ||
	    ipc_rd_end(&rd) < 0 || m->nfds != 1)
		return -EBADMSG;
	if (!proc_is_helper((int)who) || who == h->def->self)
		return -EINVAL;
	if (h->peers[who])
		ipc_peer_close(h->peers[who]);
	r = attach_peer(h, (enum kiln_proc)who, m->fds[0]);
	m->fds[0] = -1;
	if (r < 0)
		return r;
	log_debug("connected to %s", proc_name((enum kiln_proc)who));
	if (h->def->peer_up)
		h->def->peer_up(h, (enum kiln_proc)who);
	return 0;
}

static int
on_shutdown(struct ipc_peer *p, struct ipc_msg *m)
{
	struct helper *h = helper_of(p);

	log_debug("shutdown requested");
	h->shutting_down = 1;
	event_base_loopexit(h->base, NULL);
	return 0;
}

static int
on_test_violate(struct ipc_peer *p, struct ipc_msg *m)
{
	struct helper *h = helper_of(p);

	if (!h->test_hooks)
		return -EPERM;
	log_warn("test hook: issuing acct(2), which no helper's filter allows");
	syscall(SYS_acct, NULL);
	return 0;
}

static const struct ipc_handler common_control[] = {
	{ IPC_PING, on_ping },
	{ IPC_STATUS, on_status },
	{ IPC_PEER_CONNECT, on_peer_connect },
	{ IPC_SHUTDOWN, on_shutdown },
	{ IPC_TEST_VIOLATE, on_test_violate },
	IPC_HANDLERS_END
};

static const struct ipc_handler common_peer[] = {
	{ IPC_PING, on_ping },
	{ IPC_STATUS, on_status },
	IPC_HANDLERS_END
};

static int
merge_tables(const struct helper_def *def)
{
	for (int who = 0; who < PROC_MAX; who++) {
		const struct ipc_handler *parts[2] = {
			who == PROC_SUPERVISOR ? common_control : common_peer,
			def->handlers[who],
		};
		int n = 0;

		for (int i = 0; i < 2; i++)
			for (const struct ipc_handler *x = parts[i]; x && x->fn; x++) {
				if (n >= MAX_HANDLERS - 1)
					return -E2BIG;
				tables[who][n++] = *x;
			}
	}
	return 0;
}

static int
parse_options(struct helper *h, int argc, char **argv, int *level, int *target)
{
	for (int i = 1; i < argc; i++) {
		char key[64], *eq;
		const char *val;

		if (strncmp(argv[i], "--", 2) != 0)
			goto bad;
		snprintf(key, sizeof(key), "%s", argv[i] + 2);
		eq = strchr(key, '=');
		val = eq ? strchr(argv[i], '=') + 1 : "";
		if (eq)
			*eq = '\0';
		if (strcmp(key, "log-level") == 0 && (*level = log_level_parse(val)) >= 0)
			continue;
		if (strcmp(key, "log-target") == 0 && (*target = log_target_parse(val)) >= 0)
			continue;
		if (strcmp(key, "seccomp") == 0 &&
		    (h->seccomp_mode = sandbox_seccomp_mode_parse(val)) >= 0)
			continue;
		if (strcmp(key, "test-hooks") == 0) {
			h->test_hooks = 1;
			continue;
		}
		if (h->def->option && h->def->option(h, key, val) == 0)
			continue;
bad:
		fprintf(stderr, "%s: unknown or bad option '%s'\n",
		    proc_name(h->def->self), argv[i]);
		return -EINVAL;
	}
	return 0;
}

/* STYLE rule 3: open everything, drop capabilities, no_new_privs and
 * seccomp, say "setup done", loop. */
static int
lockdown(struct helper *h)
{
	const struct helper_def *def = h->def;
	int r;

	util_read_small_file("/proc/self/uid_map", h->uid_map, sizeof(h->uid_map));
	util_read_small_file("/proc/self/gid_map", h->gid_map, sizeof(h->gid_map));
	if (def->setup && (r = def->setup(h)) < 0) {
		log_error("setup: %s", strerror(-r));
		return r;
	}
	/* strace -p by the user who runs kilnd */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	r = sandbox_caps_limit(def->caps, def->ncaps);
	if (r < 0) {
		log_error("dropping capabilities: %s", strerror(-r));
		return r;
	}
	r = sandbox_seccomp_load_rules(def->syscalls, def->nsyscalls,
	    def->rules, def->nrules, h->seccomp_mode, HELPER_CONTROL_FD);
	if (r < 0) {
		log_error("loading seccomp filter: %s", strerror(-r));
		return r;
	}
	return 0;
}

int
helper_main(const struct helper_def *def, int argc, char **argv)
{
	struct helper *h = &the_helper;
	int level = LOG_LVL_INFO, target = LOG_TARGET_AUTO;

	h->def = def;
	if (parse_options(h, argc, argv, &level, &target) < 0)
		return 2;
	log_init(proc_name(def->self), level, target);
	if (fcntl(HELPER_CONTROL_FD, F_GETFD) < 0) {
		log_error("no control channel on fd %d: helpers are started by kilnd",
		    HELPER_CONTROL_FD);
		return 2;
	}
	if (merge_tables(def) < 0 || (h->base = event_base_new()) == NULL)
		return 1;
	if (attach_peer(h, PROC_SUPERVISOR, HELPER_CONTROL_FD) < 0)
		return 1;
	if (lockdown(h) < 0)
		return 1;
	if (ipc_send(h->peers[PROC_SUPERVISOR], IPC_SETUP_DONE, 0, NULL, NULL, 0) < 0)
		return 1;
	log_debug("setup done, seccomp %s", sandbox_seccomp_mode_name(h->seccomp_mode));
	event_base_dispatch(h->base);
	if (!h->shutting_down) {
		log_error("event loop returned without a shutdown: this is a bug");
		return 1;
	}
	log_debug("exiting");
	return 0;
}

struct ipc_peer *
helper_peer_alive(const struct helper *h, struct ipc_peer *p)
{
	for (int i = 0; h && p && i < PROC_MAX; i++)
		if (h->peers[i] == p)
			return p;
	return NULL;
}
