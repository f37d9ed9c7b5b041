/* policy_files.c: the seccomp allowlist of kiln-snapd's jails, the children that parse untrusted archives. */
#include "files.h"
#include "policy_base.h"
#include "policy_files.h"
#include "util.h"

/* No sockets, mounts, exec or namespaces: what libarchive, zlib and zstd
 * need to read a layer from an fd and the tree calls that write it
 * beneath its root. sendmsg is the journal's (the only socket left open);
 * prctl and seccomp load the filter of a nested jail. */
const int snapd_jail_syscalls[] = {
	POLICY_BASE_MEMORY
	ALLOW(read) ALLOW(write) ALLOW(close) ALLOW(fcntl) ALLOW(getpid)
	ALLOW(gettid) ALLOW(futex) ALLOW(clock_gettime) ALLOW(gettimeofday)
	ALLOW(getuid) ALLOW(geteuid) ALLOW(getgid) ALLOW(getegid)
	POLICY_BASE_SIGNALS
	ALLOW(sendmsg) ALLOW(writev)
	POLICY_BASE_EXIT
	POLICY_BASE_SANITIZER
	POLICY_FILES_TREE
	ALLOW(prctl) ALLOW(seccomp)
	/* EXPORT_TAR's writer: libarchive sizes its buffers by the memory */
	ALLOW(sysinfo)
};
const size_t snapd_jail_nsyscalls = ARRAY_SIZE(snapd_jail_syscalls);
