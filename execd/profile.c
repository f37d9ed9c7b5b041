/* profile.c: the steps' default seccomp profile: Docker/Moby's default as an allowlist, EPERM for the rest. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sched.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "execd.h"
#include "sandbox.h"
#include "util.h"

/*
 * Moby's profiles/seccomp/default.json, the rules that hold for the
 * default capability set (caps.c): allowed with any argument.
 */
static const int step_allow[] = {
	/* files and directories */
	ALLOW(access) ALLOW(chdir) ALLOW(chmod) ALLOW(chown) ALLOW(chown32)
	ALLOW(close) ALLOW(close_range) ALLOW(copy_file_range) ALLOW(creat)
	ALLOW(dup) ALLOW(dup2) ALLOW(dup3) ALLOW(faccessat) ALLOW(faccessat2)
	ALLOW(fadvise64) ALLOW(fadvise64_64) ALLOW(fallocate) ALLOW(fanotify_mark)
	ALLOW(fchdir) ALLOW(fchmod) ALLOW(fchmodat) ALLOW(fchown)
	ALLOW(fchown32) ALLOW(fchownat) ALLOW(fcntl) ALLOW(fcntl64) ALLOW(fdatasync)
	ALLOW(fgetxattr) ALLOW(flistxattr) ALLOW(flock) ALLOW(fremovexattr)
	ALLOW(fsetxattr) ALLOW(fstat) ALLOW(fstat64) ALLOW(fstatat64) ALLOW(fstatfs)
	ALLOW(fstatfs64) ALLOW(fsync) ALLOW(ftruncate) ALLOW(ftruncate64)
	ALLOW(futimesat) ALLOW(getcwd) ALLOW(getdents) ALLOW(getdents64)
	ALLOW(getxattr) ALLOW(inotify_add_watch) ALLOW(inotify_init)
	ALLOW(inotify_init1) ALLOW(inotify_rm_watch) ALLOW(ioctl) ALLOW(lchown)
	ALLOW(lchown32) ALLOW(lgetxattr) ALLOW(link) ALLOW(linkat) ALLOW(listxattr)
	ALLOW(llistxattr) ALLOW(_llseek) ALLOW(lremovexattr) ALLOW(lseek)
	ALLOW(lsetxattr) ALLOW(lstat) ALLOW(lstat64) ALLOW(mkdir) ALLOW(mkdirat)
	ALLOW(mknod) ALLOW(mknodat) ALLOW(name_to_handle_at) ALLOW(newfstatat)
	ALLOW(open) ALLOW(openat) ALLOW(openat2) ALLOW(pread64) ALLOW(preadv)
	ALLOW(preadv2) ALLOW(pwrite64) ALLOW(pwritev) ALLOW(pwritev2) ALLOW(read)
	ALLOW(readahead) ALLOW(readlink) ALLOW(readlinkat) ALLOW(readv)
	ALLOW(removexattr) ALLOW(rename) ALLOW(renameat) ALLOW(renameat2)
	ALLOW(rmdir) ALLOW(sendfile) ALLOW(sendfile64) ALLOW(setxattr) ALLOW(splice)
	ALLOW(stat) ALLOW(stat64) ALLOW(statfs) ALLOW(statfs64) ALLOW(statx)
	ALLOW(symlink) ALLOW(symlinkat) ALLOW(sync) ALLOW(sync_file_range)
	ALLOW(syncfs) ALLOW(tee) ALLOW(truncate) ALLOW(truncate64) ALLOW(umask)
	ALLOW(unlink) ALLOW(unlinkat) ALLOW(utime) ALLOW(utimensat)
	ALLOW(utimensat_time64) ALLOW(utimes) ALLOW(vmsplice) ALLOW(write)
	ALLOW(writev) ALLOW(memfd_create) ALLOW(memfd_secret)
	/* asynchronous I/O and polling */
	ALLOW(epoll_create) ALLOW(epoll_create1) ALLOW(epoll_ctl) ALLOW(epoll_ctl_old)
	ALLOW(epoll_pwait) ALLOW(epoll_pwait2) ALLOW(epoll_wait) ALLOW(epoll_wait_old)
	ALLOW(eventfd) ALLOW(eventfd2) ALLOW(io_cancel) ALLOW(io_destroy)
	ALLOW(io_getevents) ALLOW(io_pgetevents) ALLOW(io_pgetevents_time64)
	ALLOW(io_setup) ALLOW(io_submit) ALLOW(ioprio_get) ALLOW(ioprio_set)
	ALLOW(pipe) ALLOW(pipe2) ALLOW(poll) ALLOW(ppoll) ALLOW(ppoll_time64)
	ALLOW(pselect6) ALLOW(pselect6_time64) ALLOW(select) ALLOW(_newselect)
	ALLOW(signalfd) ALLOW(signalfd4) ALLOW(timerfd_create)
	ALLOW(timerfd_gettime) ALLOW(timerfd_gettime64) ALLOW(timerfd_settime)
	ALLOW(timerfd_settime64)
	/* memory */
	ALLOW(brk) ALLOW(madvise) ALLOW(map_shadow_stack) ALLOW(membarrier)
	ALLOW(mincore) ALLOW(mlock) ALLOW(mlock2) ALLOW(mlockall) ALLOW(mmap)
	ALLOW(mmap2) ALLOW(mprotect) ALLOW(mremap) ALLOW(msync) ALLOW(munlock)
	ALLOW(munlockall) ALLOW(munmap) ALLOW(pkey_alloc) ALLOW(pkey_free)
	ALLOW(pkey_mprotect) ALLOW(remap_file_pages)
	/* processes, credentials, signals */
	ALLOW(capget) ALLOW(capset) ALLOW(execve) ALLOW(execveat) ALLOW(exit)
	ALLOW(exit_group) ALLOW(fork) ALLOW(vfork) ALLOW(getcpu) ALLOW(getegid)
	ALLOW(getegid32) ALLOW(geteuid) ALLOW(geteuid32) ALLOW(getgid)
	ALLOW(getgid32) ALLOW(getgroups) ALLOW(getgroups32) ALLOW(getpgid)
	ALLOW(getpgrp) ALLOW(getpid) ALLOW(getppid) ALLOW(getpriority)
	ALLOW(getresgid) ALLOW(getresgid32) ALLOW(getresuid) ALLOW(getresuid32)
	ALLOW(getrlimit) ALLOW(get_robust_list) ALLOW(getrusage) ALLOW(getsid)
	ALLOW(get_thread_area) ALLOW(gettid) ALLOW(getuid) ALLOW(getuid32)
	ALLOW(kill) ALLOW(pidfd_open) ALLOW(pidfd_send_signal) ALLOW(prctl)
	ALLOW(prlimit64) ALLOW(process_mrelease) ALLOW(rseq) ALLOW(rt_sigaction)
	ALLOW(rt_sigpending) ALLOW(rt_sigprocmask) ALLOW(rt_sigqueueinfo)
	ALLOW(rt_sigreturn) ALLOW(rt_sigsuspend) ALLOW(rt_sigtimedwait)
	ALLOW(rt_sigtimedwait_time64) ALLOW(rt_tgsigqueueinfo) ALLOW(sched_getaffinity)
	ALLOW(sched_getattr) ALLOW(sched_getparam) ALLOW(sched_get_priority_max)
	ALLOW(sched_get_priority_min) ALLOW(sched_getscheduler)
	ALLOW(sched_rr_get_interval) ALLOW(sched_rr_get_interval_time64)
	ALLOW(sched_setaffinity) ALLOW(sched_setattr) ALLOW(sched_setparam)
	ALLOW(sched_setscheduler) ALLOW(sched_yield) ALLOW(seccomp)
	ALLOW(setfsgid) ALLOW(setfsgid32) ALLOW(setfsuid) ALLOW(setfsuid32)
	ALLOW(setgid) ALLOW(setgid32) ALLOW(setgroups) ALLOW(setgroups32)
	ALLOW(setpgid) ALLOW(setpriority) ALLOW(setregid) ALLOW(setregid32)
	ALLOW(setresgid) ALLOW(setresgid32) ALLOW(setresuid) ALLOW(setresuid32)
	ALLOW(setreuid) ALLOW(setreuid32) ALLOW(setrlimit) ALLOW(set_robust_list)
	ALLOW(setsid) ALLOW(set_thread_area) ALLOW(set_tid_address) ALLOW(setuid)
	ALLOW(setuid32) ALLOW(sigaltstack) ALLOW(sigprocmask) ALLOW(sigreturn)
	ALLOW(tgkill) ALLOW(tkill) ALLOW(ugetrlimit) ALLOW(wait4) ALLOW(waitid)
	ALLOW(waitpid) ALLOW(landlock_add_rule) ALLOW(landlock_create_ruleset)
	ALLOW(landlock_restrict_self)
	/* Moby allows these from kernel 4.8, where ptrace no longer bypasses
	 * seccomp */
	ALLOW(ptrace) ALLOW(kcmp) ALLOW(process_vm_readv) ALLOW(process_vm_writev)
	/* CAP_SYS_CHROOT is in the default set */
	ALLOW(chroot)
	/* time, futexes, System V and POSIX IPC */
	ALLOW(alarm) ALLOW(clock_adjtime) ALLOW(clock_adjtime64) ALLOW(adjtimex)
	ALLOW(clock_getres) ALLOW(clock_getres_time64) ALLOW(clock_gettime)
	ALLOW(clock_gettime64) ALLOW(clock_nanosleep) ALLOW(clock_nanosleep_time64)
	ALLOW(getitimer) ALLOW(gettimeofday) ALLOW(nanosleep) ALLOW(pause)
	ALLOW(restart_syscall) ALLOW(setitimer) ALLOW(time) ALLOW(timer_create)
	ALLOW(timer_delete) ALLOW(timer_getoverrun) ALLOW(timer_gettime)
	ALLOW(timer_gettime64) ALLOW(timer_settime) ALLOW(timer_settime64)
	ALLOW(times) ALLOW(futex)  ALLOW(futex_time64)
	ALLOW(futex_waitv) ALLOW(ipc)
	ALLOW(mq_getsetattr) ALLOW(mq_notify) ALLOW(mq_open) ALLOW(mq_timedreceive)
	ALLOW(mq_timedreceive_time64) ALLOW(mq_timedsend) ALLOW(mq_timedsend_time64)
	ALLOW(mq_unlink) ALLOW(msgctl) ALLOW(msgget) ALLOW(msgrcv) ALLOW(msgsnd)
	ALLOW(semctl) ALLOW(semget) ALLOW(semop) ALLOW(semtimedop)
	ALLOW(semtimedop_time64) ALLOW(shmat) ALLOW(shmctl) ALLOW(shmdt)
	ALLOW(shmget)
	/* sockets (socket itself below) */
	ALLOW(accept) ALLOW(accept4) ALLOW(bind) ALLOW(connect) ALLOW(getpeername)
	ALLOW(getsockname) ALLOW(getsockopt) ALLOW(listen) ALLOW(recv)
	ALLOW(recvfrom) ALLOW(recvmmsg) ALLOW(recvmmsg_time64) ALLOW(recvmsg)
	ALLOW(send) ALLOW(sendmmsg) ALLOW(sendmsg) ALLOW(sendto) ALLOW(setsockopt)
	ALLOW(shutdown) ALLOW(socketcall) ALLOW(socketpair)
	/* the rest */
	ALLOW(getrandom) ALLOW(sysinfo) ALLOW(uname)
#if defined(__x86_64__) || defined(__i386__)
	ALLOW(arch_prctl) ALLOW(modify_ldt)
#endif
#if defined(__arm__) || defined(__aarch64__)
	ALLOW(arm_fadvise64_64) ALLOW(arm_sync_file_range) ALLOW(sync_file_range2)
	ALLOW(breakpoint) ALLOW(cacheflush) ALLOW(set_tls)
#endif
};

/* personality(2): only the personas Moby lets through */
static const uint64_t personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* The namespace flags clone(2) may not carry without CAP_SYS_ADMIN. */
#define NS_FLAGS	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static int
add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int r = seccomp_rule_add_array(ctx, action, nr, n, cmp);

	/* -EDOM/-EINVAL: not a syscall of one of the architectures; a
	 * negative nr is libseccomp's stand-in for a syscall the native
	 * architecture lacks, which its older tables may not know at all */
	return r == -EDOM || r == -EINVAL || (r < 0 && nr < 0) ? 0 : r;
}

static int
add_arg_rules(scmp_filter_ctx ctx, int setup)
{
	struct scmp_arg_cmp c;
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(personas); i++) {
		c = SCMP_A0(SCMP_CMP_EQ, personas[i]);
		r = add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1, &c);
	}
	/* clone with flags in arg 0 (x86, arm: the same slot) */
	c = SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0);
	if (r == 0 && !setup)
		r = add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &c);
	/* clone3 hides its flags in memory seccomp cannot read: ENOSYS makes
	 * glibc fall back to clone, whose flags it can */
	if (r == 0)
		r = add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);
	/* every socket family but AF_VSOCK */
	c = SCMP_A0(SCMP_CMP_NE, AF_VSOCK);
	if (r == 0)
		r = add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, &c);
	return r;
}

/*
 * What the spawner and a step's setup call beyond the profile: the
 * namespaces, mounts and pivot of a step, its hostname, and clone with
 * namespace flags (allowed whole: the profile's rule for clone is not
 * added to this filter).
 */
static const int setup_allow[] = {
	ALLOW(clone) ALLOW(mount) ALLOW(umount2) ALLOW(pivot_root)
	ALLOW(sethostname) ALLOW(open_tree) ALLOW(move_mount) ALLOW(fsopen)
	ALLOW(fsconfig) ALLOW(fsmount) ALLOW(mount_setattr)
};

/* The profile; with setup, the spawner's filter: the profile plus the
 * setup calls, so that a step under both sees the profile alone. */
static int
profile_build(scmp_filter_ctx ctx, int setup)
{
	int r = sandbox_add_arches(ctx);

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(step_allow); i++)
		r = add_rule(ctx, SCMP_ACT_ALLOW, step_allow[i], 0, NULL);
	for (size_t i = 0; setup && r == 0 && i < ARRAY_SIZE(setup_allow); i++)
		r = add_rule(ctx, SCMP_ACT_ALLOW, setup_allow[i], 0, NULL);
	if (r == 0)
		r = add_arg_rules(ctx, setup);
	return r;
}

static int
profile_load(int setup, struct exec_fail *f)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (ctx == NULL)
		return exec_fail_set(f, ENOMEM, "building the seccomp profile");
	/* the step runs under this filter too: a tree costs it less a call */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = profile_build(ctx, setup);
	if (r < 0) {
		seccomp_release(ctx);
		return exec_fail_set(f, -r, "building the seccomp profile");
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return exec_fail_set(f, -r, "loading the seccomp profile");
	return 0;
}

/*
 * The step profile as BPF, compiled once in the spawner: libseccomp takes
 * tens of milliseconds to build a filter of this size for three
 * architectures, which each step would pay again. STYLE rule 15: built
 * where it is convenient, loaded by the process it guards.
 */
static struct sock_fprog step_prog;

int
profile_step_prepare(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	struct sock_filter *insns = NULL;
	off_t size;
	int fd = -1, r;

	if (ctx == NULL)
		return -ENOMEM;
	/* a binary tree of syscall numbers: fewer instructions run per call
	 * and a shorter filter for the kernel to check at each step's load */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
	    (r = profile_build(ctx, 0)) < 0)
		goto out;
	if ((fd = memfd_create("kiln-step-profile", MFD_CLOEXEC)) < 0 ||
	    (r = seccomp_export_bpf(ctx, fd)) < 0 || (size = lseek(fd, 0, SEEK_END)) <= 0 ||
	    size % (off_t)sizeof(*insns) != 0 || size / (off_t)sizeof(*insns) > 0xffff ||
	    (insns = malloc((size_t)size)) == NULL ||
	    pread(fd, insns, (size_t)size, 0) != size) {
		r = r < 0 ? r : errno ? -errno : -EIO;
		free(insns);
		goto out;
	}
	step_prog.len = (unsigned short)(size / (off_t)sizeof(*insns));
	step_prog.filter = insns;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return r;
}

/* Last thing before execve (STYLE rule 15): no_new_privs is already set. */
int
profile_step_load(struct exec_fail *f)
{
	if (step_prog.filter == NULL)
		return profile_load(0, f);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &step_prog) < 0)
		return exec_fail_set(f, errno, "loading the seccomp profile");
	return 0;
}

/* The spawner's own, before its loop; no_new_privs is set here. */
int
profile_spawner_load(struct exec_fail *f)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return exec_fail_set(f, errno, "PR_SET_NO_NEW_PRIVS");
	return profile_load(1, f);
}
