/* mounts.c: the step's mount namespace: private root, /proc, /dev, /sys, masked and read-only paths, pivot_root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include "execd.h"
#include "util.h"

/* As Docker masks them: files get /dev/null, directories an empty tmpfs. */
static const char *const masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
static const char *const host_devices[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

/* path = a + b; -ENAMETOOLONG rather than a cut path */
static int
join(char *path, size_t size, const char *a, const char *b)
{
	int n = snprintf(path, size, "%s%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static const char proc_advice[] =
    ": /proc cannot be mounted here, as when kilnd runs in a container whose "
    "/proc is masked. Run that container with --security-opt "
    "systempaths=unconfined (Kubernetes: securityContext.procMount: Unmasked), "
    "or start kilnd with --no-process-sandbox";

/* Where mounts_setup writes down the mount points it makes (stubs.c);
 * the child is single-threaded and sets up one root. */
static struct exec_stubs *top_stubs;

/*
 * A mount point at the top of the rootfs, opened without following a
 * symlink the image may have put there, so no mount lands outside the
 * root. The mount then targets /proc/self/fd/N (crun does the same).
 * One the image lacks is made, and removed after the step.
 */
static int
open_top(int rootfd, const char *name, char *path, size_t size)
{
	struct exec_fail ignored;
	char top[16];
	int fd;

	snprintf(top, sizeof(top), "/%s", name);
	if (faccessat(rootfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
	    (fd = stubs_open(rootfd, top, 1, top_stubs, &ignored)) >= 0)
		close(fd);
	fd = openat(rootfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

static int
mount_top(int rootfd, const char *name, const char *src, const char *type,
    unsigned long flags, const char *data)
{
	char path[64];
	int fd = open_top(rootfd, name, path, sizeof(path)), r = 0;

	if (fd < 0)
		return fd;
	if (mount(src, path, type, flags, data) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Adds MS_RDONLY to a bind mount, keeping the flags the kernel locked
 * when the mount came from a more privileged namespace. */
static int
remount_ro(const char *path)
{
	struct statvfs sv;
	unsigned long keep = 0;

	if (statvfs(path, &sv) < 0)
		return -errno;
	keep |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	keep |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	keep |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	keep |= sv.f_flag & ST_NOATIME ? MS_NOATIME : 0;
	keep |= sv.f_flag & ST_RELATIME ? MS_RELATIME : 0;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
		return -errno;
	return 0;
}

/* The bind and every mount under it (cgroups, tracefs ...) read-only;
 * before Linux 5.12 only the top one. */
static int
remount_ro_rec(const char *path)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	return remount_ro(path);
}

static int
mount_dev_nodes(const char *dev, struct exec_fail *f)
{
	char path[PATH_MAX], src[64];

	for (size_t i = 0; i < ARRAY_SIZE(host_devices); i++) {
		int fd;

		if (join(path, sizeof(path), dev, host_devices[i]) < 0)
			return exec_fail_set(f, ENAMETOOLONG, "/dev/%s", host_devices[i]);
		(void)!snprintf(src, sizeof(src), "/dev/%s", host_devices[i]);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			return exec_fail_set(f, errno, "creating /dev/%s", host_devices[i]);
		close(fd);
		if (mount(src, path, NULL, MS_BIND, NULL) < 0)
			return exec_fail_set(f, errno, "bind-mounting %s", src);
	}
	return 0;
}

static int
dev_links(const char *dev, struct exec_fail *f)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		if (join(path, sizeof(path), dev, links[i][1]) < 0 ||
		    symlink(links[i][0], path) < 0)
			return exec_fail_set(f, errno, "symlink /dev/%s", links[i][1]);
	}
	return 0;
}

static int
mount_dev(int rootfd, const char *rootfs, struct exec_fail *f)
{
	char dev[PATH_MAX], sub[PATH_MAX];
	int r;

	r = mount_top(rootfd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
	    "mode=755,size=65536k");
	if (r < 0)
		return exec_fail_set(f, -r, "mounting a tmpfs on /dev");
	/* dev ends in '/' so the names below join to it */
	if (join(dev, sizeof(dev), rootfs, "/dev/") < 0)
		return exec_fail_set(f, ENAMETOOLONG, "/dev");
	if ((r = mount_dev_nodes(dev, f)) < 0 || (r = dev_links(dev, f)) < 0)
		return r;
	if (join(sub, sizeof(sub), dev, "pts") < 0 || mkdir(sub, 0755) < 0 || mount("devpts", sub, "devpts", MS_NOSUID |
	    MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0)
		return exec_fail_set(f, errno, "mounting /dev/pts");
	if (join(sub, sizeof(sub), dev, "shm") < 0 || mkdir(sub, 01777) < 0 || mount("shm", sub, "tmpfs", MS_NOSUID |
	    MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
		return exec_fail_set(f, errno, "mounting /dev/shm");
	/* an ipc namespace of our own allows it; a kernel without mqueue not */
	if (join(sub, sizeof(sub), dev, "mqueue") == 0 && mkdir(sub, 0755) == 0)
		(void)mount("mqueue", sub, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return 0;
}

/* sysfs mounts only in a network namespace of our own; else a read-only
 * recursive bind of kiln's /sys, as rootless runtimes do. */
static int
mount_sys(int rootfd, const char *rootfs, struct exec_fail *f)
{
	char sys[PATH_MAX];
	int r;

	r = mount_top(rootfd, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID |
	    MS_NODEV | MS_NOEXEC, NULL);
	if (r == 0)
		return 0;
	r = mount_top(rootfd, "sys", "/sys", NULL, MS_BIND | MS_REC, NULL);
	if (r < 0)
		return exec_fail_set(f, -r, "bind-mounting /sys");
	r = join(sys, sizeof(sys), rootfs, "/sys");
	if (r == 0)
		r = remount_ro_rec(sys);
	if (r < 0)
		return exec_fail_set(f, -r, "making /sys read-only");
	return 0;
}

static int
mask_path(const char *rootfs, const char *p, struct exec_fail *f)
{
	char path[PATH_MAX];
	struct stat st;

	if (join(path, sizeof(path), rootfs, p) < 0)
		return exec_fail_set(f, ENAMETOOLONG, "masking %s", p);
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : exec_fail_set(f, errno, "masking %s", p);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") < 0)
			return exec_fail_set(f, errno, "masking %s", p);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return exec_fail_set(f, errno, "masking %s", p);
	return 0;
}

static int
readonly_path(const char *rootfs, const char *p, struct exec_fail *f)
{
	char path[PATH_MAX];
	int r;

	if (join(path, sizeof(path), rootfs, p) < 0)
		return exec_fail_set(f, ENAMETOOLONG, "binding %s", p);
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : exec_fail_set(f, errno, "binding %s", p);
	r = remount_ro(path);
	return r < 0 ? exec_fail_set(f, -r, "making %s read-only", p) : 0;
}

/* Without the process sandbox the step shares kiln's pid namespace, so
 * it gets kiln's /proc (a new one would show the same processes, and is
 * what fails where /proc is masked). */
static int
mount_proc(int rootfd, struct exec_fail *f)
{
	int r;

	if (execd_opts.no_process_sandbox) {
		r = mount_top(rootfd, "proc", "/proc", NULL, MS_BIND | MS_REC, NULL);
		return r < 0 ? exec_fail_set(f, -r, "bind-mounting kiln's /proc") : 0;
	}
	r = mount_top(rootfd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL);
	if (r == -EPERM || r == -EACCES)
		return exec_fail_set(f, -r, "mounting /proc%s", proc_advice);
	if (r < 0)
		return exec_fail_set(f, -r, "mounting /proc");
	return 0;
}

/* Docker's masked and read-only paths; a step run with
 * security=insecure, like a privileged container, has neither. */
static int
restrict_paths(const char *rootfs, int insecure, struct exec_fail *f)
{
	int r = 0;

	for (size_t i = 0; !insecure && r == 0 && i < ARRAY_SIZE(masked_paths); i++)
		r = mask_path(rootfs, masked_paths[i], f);
	for (size_t i = 0; !insecure && r == 0 && i < ARRAY_SIZE(readonly_paths); i++)
		r = readonly_path(rootfs, readonly_paths[i], f);
	return r;
}

/*
 * In the child, in its new mount namespace: nothing of ours may
 * propagate back into kiln's, then the root becomes a mount of its own
 * (pivot_root needs one) and gets its file systems. *rootfd stays open
 * for the step's own mounts.
 */
int
mounts_setup(const struct exec_child *c, int *rootfd, struct exec_fail *f)
{
	const char *rootfs = c->spec->rootfs;
	int r;

	top_stubs = c->stubs;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return exec_fail_set(f, errno, "making / private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return exec_fail_set(f, errno, "bind-mounting the rootfs %s", rootfs);
	*rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return exec_fail_set(f, errno, "opening the rootfs %s", rootfs);
	if ((r = mount_proc(*rootfd, f)) < 0 ||
	    (r = mount_dev(*rootfd, rootfs, f)) < 0 ||
	    (r = mount_sys(*rootfd, rootfs, f)) < 0)
		return r;
	return restrict_paths(rootfs, c->spec->insecure, f);
}

/* STYLE rule 13: the old root stacks on the new one and is detached. */
int
mounts_pivot(const char *rootfs, struct exec_fail *f)
{
	if (chdir(rootfs) < 0)
		return exec_fail_set(f, errno, "entering the rootfs %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return exec_fail_set(f, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return exec_fail_set(f, errno, "detaching the old root");
	if (chdir("/") < 0)
		return exec_fail_set(f, errno, "chdir /");
	return 0;
}
