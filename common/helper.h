/* helper.h: the life of a kiln helper: options, lockdown in a fixed order, wiring, event loop. */
#ifndef KILN_HELPER_H
#define KILN_HELPER_H

#include <stddef.h>
#include <sys/capability.h>
#include "ipc.h"
#include "sandbox.h"

/*
 * fd contract, set up by kilnd before exec (supervisor/spawn.c):
 *   0     /dev/null
 *   1, 2  kilnd's stdout and stderr (journald's stream under systemd)
 *   3     HELPER_CONTROL_FD: SOCK_SEQPACKET control channel to kilnd
 *   >3    closed
 * Sockets to the other helpers arrive later as PEER_CONNECT frames.
 */
#define HELPER_CONTROL_FD	3

struct helper;

struct helper_def {
	enum kiln_proc		 self;
	const int		*syscalls;
	size_t			 nsyscalls;
	/* syscalls allowed only for some arguments (sandbox.h); may be NULL */
	const struct sandbox_rule *rules;
	size_t			 nrules;
	const cap_value_t	*caps;
	size_t			 ncaps;
	/* handlers for frames from each peer, besides the common ones */
	const struct ipc_handler *handlers[PROC_MAX];
	/* Opens everything the helper needs, before lockdown. May be NULL. */
	int (*setup)(struct helper *h);
	/* A socket to peer was (re)connected. May be NULL. */
	void (*peer_up)(struct helper *h, enum kiln_proc peer);
	/* A socket to a helper peer closed (p is freed after). May be NULL. */
	void (*peer_down)(struct helper *h, enum kiln_proc peer, struct ipc_peer *p);
	/* --key=value options beyond the common ones; NULL: none. */
	int (*option)(struct helper *h, const char *key, const char *value);
};

struct helper {
	const struct helper_def	*def;
	struct event_base	*base;
	struct ipc_peer		*peers[PROC_MAX];	/* [PROC_SUPERVISOR]: control */
	int			 seccomp_mode;
	int			 test_hooks;
	int			 shutting_down;
	char			 uid_map[256], gid_map[256];
	void			*priv;
};

/* Runs the helper; returns main's exit status. */
int helper_main(const struct helper_def *def, int argc, char **argv);
/* Sends p this helper's STATUS_REPLY (who it is, as it sees itself). */
int helper_reply_status(struct helper *h, struct ipc_peer *p, uint32_t id);
/* The helper behind a peer's handlers. */
struct helper *helper_of(struct ipc_peer *peer);
/* p, if it is still one of h's connections, else NULL: for answers to
 * requests that outlive a transfer, whose asker may have gone. */
struct ipc_peer *helper_peer_alive(const struct helper *h, struct ipc_peer *p);

#endif
