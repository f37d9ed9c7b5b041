/* policy.c: kiln-netd's seccomp allowlist. */
#include "policy_base.h"
#include "netd.h"
#include "util.h"

/*
 * slirp4netns itself is started by the launcher (launch.c), forked before
 * this filter is loaded, so none of its syscalls (clone, execve, setns,
 * ioctl ...) need be allowed here: only what kiln-netd does to own it.
 * Credential helpers run from their own runner (auth_helper.c) for the
 * same reason.
 */
const int netd_syscalls[] = {
	POLICY_BASE
	/* slirp4netns: pipes for its stdout, stderr, --ready-fd and --exit-fd */
	ALLOW(pipe2)
	/* slirp4netns: reaping it and the launcher (SIGCHLD), stopping it */
	ALLOW(wait4) ALLOW(kill)
	/* registries (libcurl): TCP connections, their options and addresses */
	ALLOW(socket) ALLOW(connect) ALLOW(getsockopt) ALLOW(setsockopt)
	ALLOW(getsockname) ALLOW(getpeername) ALLOW(shutdown)
	/* name resolution: glibc's stub resolver (UDP, A and AAAA at once),
	 * run by libcurl in a thread that signals over a socketpair */
	ALLOW(sendmmsg) ALLOW(socketpair) ALLOW(clone) ALLOW(clone3)
	ALLOW(set_robust_list) ALLOW(rseq) ALLOW(sched_getaffinity)
	/* the resolver asks FIONREAD of its UDP socket, and uname for the
	 * host name; netd has no capability an ioctl could use */
	ALLOW(ioctl) ALLOW(uname)
	/* reading /etc/resolv.conf, /etc/hosts, nsswitch, CA bundles, the
	 * Docker config file: netd runs as the user, with the user's view */
	ALLOW(openat) ALLOW(newfstatat) ALLOW(fstat) ALLOW(lseek)
	/* blobs into and out of the fds snapd hands over, at their offsets */
	ALLOW(pread64) ALLOW(pwrite64)
	/* TLS: OpenSSL's entropy */
	ALLOW(getrandom)
};
const size_t netd_nsyscalls = ARRAY_SIZE(netd_syscalls);
