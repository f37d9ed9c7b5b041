/* policy_base.h: the syscalls every helper's event loop, allocator, IPC and logging need. */
#ifndef KILN_POLICY_BASE_H
#define KILN_POLICY_BASE_H

#include "sandbox.h"

/* memory */
#define POLICY_BASE_MEMORY \
	ALLOW(brk) ALLOW(mmap) ALLOW(munmap) ALLOW(mremap) ALLOW(madvise) \
	ALLOW(mprotect)
/* libevent's epoll backend and its timers and signal pipe */
#define POLICY_BASE_EVENTS \
	ALLOW(epoll_wait) ALLOW(epoll_pwait) ALLOW(epoll_ctl) ALLOW(poll) \
	ALLOW(clock_gettime) ALLOW(gettimeofday) ALLOW(clock_nanosleep) \
	ALLOW(nanosleep) ALLOW(restart_syscall) ALLOW(read) ALLOW(write) \
	ALLOW(close) ALLOW(fcntl) ALLOW(getpid) ALLOW(gettid) ALLOW(futex) \
	ALLOW(getuid) ALLOW(geteuid) ALLOW(getgid) ALLOW(getegid)
/* signals: the handlers libevent and the SIGSYS reporter install */
#define POLICY_BASE_SIGNALS \
	ALLOW(rt_sigaction) ALLOW(rt_sigprocmask) ALLOW(rt_sigreturn)
/* IPC frames, fd passing, journald datagrams */
#define POLICY_BASE_IPC \
	ALLOW(recvmsg) ALLOW(sendmsg) ALLOW(sendto) ALLOW(recvfrom) \
	ALLOW(writev)
/* STATUS: every helper reports its capability sets (libcap) */
#define POLICY_BASE_STATUS \
	ALLOW(capget)
#define POLICY_BASE_EXIT \
	ALLOW(exit) ALLOW(exit_group)

/* ASan and UBSan report through /proc and, for leak checks, a tracer
 * thread: only sanitizer builds allow these. */
#if defined(__SANITIZE_ADDRESS__) || defined(KILN_SANITIZERS)
#define POLICY_BASE_SANITIZER \
	ALLOW(sched_yield) ALLOW(sigaltstack) ALLOW(open) ALLOW(openat) \
	ALLOW(readlink) ALLOW(readlinkat) ALLOW(newfstatat) ALLOW(fstat) \
	ALLOW(prctl) ALLOW(clone) ALLOW(clone3) ALLOW(ptrace) ALLOW(wait4) \
	ALLOW(tgkill) ALLOW(getrlimit) ALLOW(prlimit64) ALLOW(pipe2) \
	ALLOW(execve) ALLOW(dup2) ALLOW(lseek) ALLOW(getppid) ALLOW(uname) \
	ALLOW(pread64) ALLOW(sched_getaffinity) ALLOW(process_vm_readv) \
	ALLOW(set_robust_list) ALLOW(rseq) ALLOW(kill) ALLOW(getdents64)
#else
#define POLICY_BASE_SANITIZER
#endif

#define POLICY_BASE \
	POLICY_BASE_MEMORY POLICY_BASE_EVENTS POLICY_BASE_SIGNALS \
	POLICY_BASE_IPC POLICY_BASE_STATUS POLICY_BASE_EXIT \
	POLICY_BASE_SANITIZER

#endif
