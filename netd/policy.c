/* policy.c: kiln-netd's seccomp allowlist. */
#include "policy_base.h"
#include "netd.h"
#include "util.h"

/*
 * slirp4netns itself is started by the launcher (launch.c), forked before
 * this filter is loaded, so none of its syscalls (clone, execve, setns,
 * ioctl ...) need be allowed here: only what kiln-netd does to own it.
 */
const int netd_syscalls[] = {
	POLICY_BASE
	/* slirp4netns: pipes for its stdout, stderr, --ready-fd and --exit-fd */
	ALLOW(pipe2)
	/* slirp4netns: reaping it and the launcher (SIGCHLD), stopping it */
	ALLOW(wait4) ALLOW(kill)
};
const size_t netd_nsyscalls = ARRAY_SIZE(netd_syscalls);
