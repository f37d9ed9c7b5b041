/* policy.c: kiln-netd's seccomp allowlist. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
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
	ALLOW(sendmmsg) ALLOW(socketpair)
	ALLOW(set_robust_list) ALLOW(rseq) ALLOW(sched_getaffinity)
	/* the resolver asks uname for the host name */
	ALLOW(uname)
	/* see netd_rules for clone, ioctl and openat */
	ALLOW(newfstatat) ALLOW(fstat) ALLOW(lseek)
	/* blobs into and out of the fds snapd hands over, at their offsets */
	ALLOW(pread64) ALLOW(pwrite64)
	/* TLS: OpenSSL's entropy */
	ALLOW(getrandom)
	/* libcurl is dlopened on the first registry request, after this
	 * filter (curl_lazy.c): the loader and the constructors of its
	 * libraries need only openat (read-only), newfstatat, read, mmap,
	 * mprotect and close, all above; curl_global_init's OpenSSL setup
	 * sorts its cipher table with glibc's qsort, which asks sysinfo for
	 * the machine's memory size (get_phys_pages). sysinfo only reads
	 * system-wide totals (memory, load, uptime; /proc/meminfo has them
	 * too) and changes nothing. */
	ALLOW(sysinfo)
};
const size_t netd_nsyscalls = ARRAY_SIZE(netd_syscalls);

/*
 * The syscalls netd needs that would give too much if allowed outright:
 * - clone only makes threads (libcurl's resolver thread); a new process
 *   is a violation. clone3 passes its flags in memory, out of the
 *   filter's sight, so it fails with ENOSYS and glibc falls back to clone.
 * - ioctl: FIONREAD, which the resolver asks of its UDP socket. Any other
 *   request fails with ENOTTY rather than killing netd, as a terminal
 *   query from a library would.
 * - openat only reads (resolv.conf, hosts, nsswitch, CA bundles, the
 *   Docker config file): opening to write, create or truncate is a
 *   violation. netd writes only into fds snapd hands over.
 */
const struct sandbox_rule netd_rules[] = {
	RULE_ALLOW_IF(clone, 0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)
	RULE_ERRNO(clone3, ENOSYS)
	RULE_ALLOW_IF(ioctl, 1, SCMP_CMP_EQ, FIONREAD, 0)
	RULE_ERRNO_IF(ioctl, ENOTTY, 1, SCMP_CMP_NE, FIONREAD, 0)
	RULE_ALLOW_IF(openat, 2, SCMP_CMP_MASKED_EQ,
	    O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)
};
const size_t netd_nrules = ARRAY_SIZE(netd_rules);
