/* policy_files.h: the syscalls kiln-snapd's file and image work needs, for its own filter and its jails'. */
#ifndef KILN_SNAPD_POLICY_FILES_H
#define KILN_SNAPD_POLICY_FILES_H

#include "sandbox.h"

/* walking, making and changing files beneath a root (fsutil.c, layers,
 * copies, exports) */
#define POLICY_FILES_TREE \
	ALLOW(openat) ALLOW(openat2) ALLOW(newfstatat) ALLOW(fstat) \
	ALLOW(statx) ALLOW(getdents64) ALLOW(readlinkat) ALLOW(lseek) \
	ALLOW(pread64) ALLOW(pwrite64) ALLOW(ftruncate) ALLOW(fallocate) \
	ALLOW(copy_file_range) ALLOW(mkdirat) ALLOW(unlinkat) \
	ALLOW(symlinkat) ALLOW(linkat) ALLOW(mknodat) ALLOW(renameat2) \
	ALLOW(fchown) ALLOW(fchownat) ALLOW(fchmod) ALLOW(fchmodat) \
	ALLOW(utimensat) ALLOW(fsetxattr) ALLOW(fgetxattr) \
	ALLOW(flistxattr) ALLOW(lgetxattr) ALLOW(llistxattr) ALLOW(close_range) \
	ALLOW(dup) ALLOW(fsync) ALLOW(fdatasync) ALLOW(umask)
/* the jails themselves: fork, the answer pipe, the wait */
#define POLICY_FILES_JAIL \
	ALLOW(clone) ALLOW(clone3) ALLOW(fork) ALLOW(vfork) ALLOW(pipe2) \
	ALLOW(wait4) ALLOW(kill) ALLOW(set_robust_list) ALLOW(prctl) \
	ALLOW(seccomp)

/* made-up content on its way into a blob (a docker-save image's manifest) */
#define POLICY_FILES_MEM \
	ALLOW(memfd_create) \
	/* libarchive sizes its write buffers by the memory there is */ \
	ALLOW(sysinfo)

/* kiln-snapd's own filter adds these */
#define POLICY_FILES POLICY_FILES_TREE POLICY_FILES_JAIL POLICY_FILES_MEM

#endif
