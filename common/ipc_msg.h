/* ipc_msg.h: every message type kiln's processes exchange, written down once. */
#ifndef KILN_IPC_MSG_H
#define KILN_IPC_MSG_H

#include <stdint.h>
#include "proc.h"

/*
 * Each message is a frame: struct ipc_hdr (ipc.h), then a msgpack body.
 * Bodies are msgpack arrays read field by field (ipc_rd_*); the layout of
 * each is given beside its line below as [field type, ...]; "-" means no
 * body. Kinds:
 *   REQ    a request; the receiver answers with a REPLY kind carrying the
 *          same id (or ERROR).
 *   REPLY  ends a request.
 *   EVENT  a stream event for an open request (same id); the request stays
 *          open until its REPLY.
 *   NOTE   one-way; no answer expected; id 0.
 * "senders" lists who may send the type; a frame of another sender is
 * refused before its body is parsed. "fds" is the most descriptors the
 * frame may carry.
 *
 * X(NAME, code, kind, senders, fds)
 */
#define IPC_MESSAGES(X) \
	/* [i64 errno, str message] */ \
	X(ERROR,         1, REPLY, P_ANY,     0) \
	/* - */ \
	X(OK,            2, REPLY, P_ANY,     0) \
	/* - */ \
	X(PING,          3, REQ,   P_ANY,     0) \
	/* - */ \
	X(PONG,          4, REPLY, P_ANY,     0) \
	/* - */ \
	X(STATUS,        5, REQ,   P_SUP | P_SOLVERD, 0) \
	/* [str name, i64 pid, str uid_map, str gid_map, str seccomp_mode, u64 caps] */ \
	X(STATUS_REPLY,  6, REPLY, P_HELPERS, 0) \
	/* helper -> kilnd after lockdown: - */ \
	X(SETUP_DONE,   10, NOTE,  P_HELPERS, 0) \
	/* kilnd -> helper: [i64 peer proc] + fd: a socket to that peer */ \
	X(PEER_CONNECT, 11, NOTE,  P_SUP,     1) \
	/* kilnd -> solverd: - + fd: the listening API socket */ \
	X(API_LISTEN,   12, NOTE,  P_SUP,     1) \
	/* kilnd -> helper: - ; finish and exit 0 */ \
	X(SHUTDOWN,     13, NOTE,  P_SUP,     0) \
	/* helper -> kilnd from the SIGSYS handler: [u64 syscall nr, u64 audit arch] */ \
	X(SECCOMP_NOTE, 14, NOTE,  P_HELPERS, 0) \
	/* kilnd (test hooks on) -> helper: - ; issue a forbidden syscall */ \
	X(TEST_VIOLATE, 15, NOTE,  P_SUP,     0) \
	/* client -> solverd -> kilnd: - */ \
	X(INFO,         20, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [str version, str net_mode, str net_reason, \
	 *  [[u64 inside, u64 outside, u64 count]...] uid_map, (same) gid_map, \
	 *  [[str name, i64 pid, str state, u64 restarts, str seccomp]...] helpers, \
	 *  str warnings] */ \
	X(INFO_REPLY,   21, REPLY, P_SUP | P_SOLVERD, 0) \
	/* client -> solverd -> kilnd: [str helper]; needs kilnd --test-hooks */ \
	X(DEBUG_VIOLATE, 22, REQ,  P_CLIENT | P_SOLVERD, 0) \
	/* --- network (30-39) --- */ \
	/* kilnd -> netd: [u64 mtu, bool disable_host_loopback] + fds: the kiln \
	 * user and network namespaces; runs slirp4netns for them, answered \
	 * with NET_STARTED once it is ready, or ERROR with its own message */ \
	X(NET_START,    30, REQ,   P_SUP,     2) \
	/* [i64 slirp4netns pid] */ \
	X(NET_STARTED,  31, REPLY, P_NETD,    0) \
	/* netd -> kilnd when slirp4netns died or came back: \
	 * [i64 pid (0: down), str what happened] */ \
	X(NET_STATE,    32, NOTE,  P_NETD,    0) \
	/* --- end of network --- */ \
	/* --- execd (40-59) --- */ \
	/* solverd -> execd -> execd's spawner (and, with --test-hooks, client -> \
	 * solverd): [str rootfs, [str argv...], [str env...], str cwd, \
	 *  str user "uid[:gid]", bool network_none] + 2 fds: the write ends of \
	 * the step's stdout and stderr pipes. Answered by EXEC_EXIT, or ERROR \
	 * when the step could not be started */ \
	X(EXEC_RUN,     40, REQ,   P_CLIENT | P_SOLVERD | P_EXECD, 2) \
	/* [i64 exit code (-1 if signalled), i64 signal, str error ("" or \
	 *  "cancelled")] once the step's pid 1 was reaped */ \
	X(EXEC_EXIT,    41, REPLY, P_SOLVERD | P_EXECD, 0) \
	/* [u32 id of the EXEC_RUN on this connection]: kill the step */ \
	X(EXEC_CANCEL,  42, NOTE,  P_CLIENT | P_SOLVERD | P_EXECD, 0) \
	/* an EXEC_RUN's step passed execve: [i64 pid of its pid 1, as kiln \
	 * sees it, for strace -p] */ \
	X(EXEC_STARTED, 43, EVENT, P_SOLVERD | P_EXECD, 0) \
	/* --- end of execd --- */

enum ipc_kind { IPC_KIND_REQ = 1, IPC_KIND_REPLY, IPC_KIND_EVENT, IPC_KIND_NOTE };

enum ipc_type {
#define IPC_X_ENUM(name, code, kind, senders, fds) IPC_##name = code,
	IPC_MESSAGES(IPC_X_ENUM)
#undef IPC_X_ENUM
};

struct ipc_type_info {
	uint16_t	type;
	const char	*name;
	enum ipc_kind	kind;
	unsigned	senders;
	int		max_fds;
};

/* NULL for a type kiln does not know. */
const struct ipc_type_info *ipc_type_lookup(uint16_t type);
/* "PING", or "unknown" */
const char *ipc_type_name(uint16_t type);

#endif
