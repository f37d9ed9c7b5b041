/* policy.c: kiln-snapd's seccomp allowlist. */
#include "policy_base.h"
#include "policy_files.h"
#include "snapd.h"
#include "util.h"

const int snapd_syscalls[] = {
	POLICY_BASE
	/* files and trees of the stores: libc's plain and *at forms both */
	ALLOW(open) ALLOW(openat) ALLOW(pread64) ALLOW(pwrite64) ALLOW(lseek)
	ALLOW(fstat) ALLOW(newfstatat) ALLOW(statx) ALLOW(lstat) ALLOW(stat)
	ALLOW(statfs) ALLOW(fstatfs) ALLOW(getdents64) ALLOW(access)
	ALLOW(faccessat) ALLOW(faccessat2) ALLOW(readlink) ALLOW(readlinkat)
	ALLOW(mkdir) ALLOW(mkdirat) ALLOW(rmdir) ALLOW(unlink) ALLOW(unlinkat)
	ALLOW(rename) ALLOW(renameat) ALLOW(renameat2) ALLOW(link) ALLOW(linkat)
	ALLOW(symlink) ALLOW(symlinkat) ALLOW(mknod) ALLOW(mknodat)
	ALLOW(ftruncate) ALLOW(fallocate) ALLOW(fsync) ALLOW(fdatasync)
	ALLOW(umask) ALLOW(getcwd) ALLOW(dup) ALLOW(dup3)
	/* owners, modes, times and xattrs a layer keeps */
	ALLOW(chown) ALLOW(lchown) ALLOW(fchown) ALLOW(fchownat) ALLOW(chmod)
	ALLOW(fchmod) ALLOW(fchmodat) ALLOW(utimensat)
	ALLOW(listxattr) ALLOW(llistxattr) ALLOW(flistxattr) ALLOW(getxattr)
	ALLOW(lgetxattr) ALLOW(fgetxattr) ALLOW(setxattr) ALLOW(lsetxattr)
	ALLOW(fsetxattr)
	/* native copies: reflinks (ioctl FICLONE) or in-kernel copies */
	ALLOW(ioctl) ALLOW(copy_file_range)
	/* snapshot mounts: the new mount API, and umount2 */
	ALLOW(fsopen) ALLOW(fsconfig) ALLOW(fsmount) ALLOW(move_mount)
	ALLOW(open_tree) ALLOW(mount_setattr) ALLOW(umount2)
	/* checksums of an unchanged context without a walk (checksum_watch.c) */
	ALLOW(inotify_init1) ALLOW(inotify_add_watch) ALLOW(inotify_rm_watch)
	/* checksums' hashing threads (checksum_pool.c): clone (CLONE_THREAD)
	 * and set_robust_list are the jails' already; a new thread registers
	 * rseq, and the count of CPUs sizes the pool (and glibc's arenas) */
	ALLOW(rseq) ALLOW(sched_getaffinity)
	/* sqlite3 and OpenSSL's seeding */
	ALLOW(getrandom)
	/* the fuse spawner (fuse_spawner.c): its requests, its end at exit */
	ALLOW(wait4)
	/* the file and image half: openat2 beneath roots, jails (fork, the
	 * answer pipe, the child's own filter) */
	POLICY_FILES
};
const size_t snapd_nsyscalls = ARRAY_SIZE(snapd_syscalls);
