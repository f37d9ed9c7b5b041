/* policy.c: kiln-solverd's seccomp allowlist. */
#include "policy_base.h"
#include "solverd.h"
#include "util.h"

const int solverd_syscalls[] = {
	POLICY_BASE
	/* API socket: accept clients, check their credentials */
	ALLOW(accept4) ALLOW(getsockopt) ALLOW(setsockopt)
	/* sqlite3: the cache and history database, opened before the filter;
	 * sqlite may reopen its -wal and -shm files and, as uid 0 of the
	 * user namespace, chowns them like the database. Files only: no
	 * mount, exec or network call is here */
	ALLOW(openat) ALLOW(fstat) ALLOW(newfstatat) ALLOW(lseek) ALLOW(pread64)
	ALLOW(pwrite64) ALLOW(fsync) ALLOW(fdatasync) ALLOW(ftruncate)
	ALLOW(unlink) ALLOW(unlinkat) ALLOW(fchown) ALLOW(access) ALLOW(faccessat)
	ALLOW(faccessat2) ALLOW(stat) ALLOW(lstat) ALLOW(readlink) ALLOW(getcwd)
	/* the Dockerfile and secrets the client passed, read from their fds */
	/* (pread64, fstat above) */
	/* steps' output pipes, and memfds of secrets and heredocs for execd
	 * and snapd */
	ALLOW(pipe2) ALLOW(memfd_create)
};
const size_t solverd_nsyscalls = ARRAY_SIZE(solverd_syscalls);
