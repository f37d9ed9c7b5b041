/* netd.h: kiln-netd's shared declarations. */
#ifndef KILN_NETD_H
#define KILN_NETD_H

#include <stdint.h>
#include <sys/types.h>
#include "helper.h"

extern const int netd_syscalls[];
extern const size_t netd_nsyscalls;
extern const struct sandbox_rule netd_rules[];
extern const size_t netd_nrules;

/* launch.c: the pre-seccomp launcher of slirp4netns */
#define LAUNCH_MTU_MIN			576
#define LAUNCH_MTU_MAX			65521	/* slirp4netns's own maximum */
#define LAUNCH_DISABLE_HOST_LOOPBACK	0x1

struct launch_req {
	uint32_t	mtu;
	uint32_t	flags;
};

struct launch_reply {
	int32_t		err;	/* errno, or 0 */
	int32_t		pid;
};

/* The descriptors riding with a struct launch_req, in this order. */
enum {
	LAUNCH_FD_STDOUT, LAUNCH_FD_STDERR, LAUNCH_FD_READY, LAUNCH_FD_EXIT,
	LAUNCH_FD_USERNS, LAUNCH_FD_NETNS, LAUNCH_NFDS
};

/* Forks the launcher; returns the socket to it, or negative errno. */
int launch_start(pid_t *pid);
/* Starts slirp4netns as a child of the caller; its pid or negative errno. */
pid_t launch_slirp(int sock, const struct launch_req *req, const int *fds);

/* slirp.c: slirp4netns's life: start, readiness, logs, restarts, stop */
extern const struct ipc_handler slirp_control_handlers[];
int slirp_setup(struct helper *h);
/* After the event loop: stops slirp4netns and the launcher. */
void slirp_shutdown(void);

#endif
