/* check.c: kilnd --check: every rootless prerequisite, with the fix for each. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "kilnd.h"
#include "util.h"

#define MIN_SUBIDS	65536

/* The fixes, each written once: several checks and explanations name them. */
#define FIX_MAX_USERNS	"sudo sysctl -w user.max_user_namespaces=28633; to keep it: " \
	"echo user.max_user_namespaces=28633 | sudo tee /etc/sysctl.d/90-kiln.conf"
#define FIX_USERNS_CLONE	"sudo sysctl -w kernel.unprivileged_userns_clone=1; to keep " \
	"it: echo kernel.unprivileged_userns_clone=1 | sudo tee /etc/sysctl.d/90-kiln.conf"
#define FIX_APPARMOR	"sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, " \
	"or let kilnd alone create them with an AppArmor profile: printf " \
	"'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile kilnd %s flags=(unconfined) " \
	"{\\n  userns,\\n}\\n' | sudo tee /etc/apparmor.d/kilnd && " \
	"sudo apparmor_parser -r /etc/apparmor.d/kilnd"
#define FIX_SECCOMP	"run the container with --security-opt seccomp=unconfined, or " \
	"with a seccomp profile that allows unshare and clone with CLONE_NEWUSER"
#define FIX_UIDMAP	"sudo apt-get install uidmap (dnf install shadow-utils)"
#define FIX_PROC	"run the container with --security-opt systempaths=unconfined " \
	"(Kubernetes: securityContext.procMount: Unmasked), or start kilnd " \
	"--no-process-sandbox (RUN steps then share one pid namespace)"

enum check_level { CHECK_OK, CHECK_WARN, CHECK_FAIL };

/* Which start failure a check explains (check_explain_start_failure). */
enum {
	GROUP_USERNS	= 1 << 0,	/* creating the user namespace */
	GROUP_IDMAP	= 1 << 1,	/* newuidmap/newgidmap and the ranges */
};

struct check_res {
	enum check_level	level;
	char			detail[768];
	char			fix[768];
};

struct check {
	const char	*name;
	int		 required;	/* a failure stops kilnd from working */
	unsigned	 groups;
	void		(*fn)(struct check_res *, const void *arg);
	const void	*arg;
};

static void
say(struct check_res *r, enum check_level level, const char *fmt, ...)
{
	va_list ap;

	r->level = level;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static void
fix(struct check_res *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->fix, sizeof(r->fix), fmt, ap);
	va_end(ap);
}

static const char *
user_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "$USER";
}

/* ---- trials: a forked child tries what kilnd will do ---- */

struct trial_report {
	int	err;
	char	step[64];
};

typedef int (*trial_fn)(const void *arg, const char **step);

/* Runs fn in a child; 0, or -errno with the failed step in t->step. */
static int
trial_run(trial_fn fn, const void *arg, struct trial_report *t)
{
	int p[2], status;
	const char *step = "?";
	pid_t pid;

	memset(t, 0, sizeof(*t));
	if (pipe2(p, O_CLOEXEC) < 0)
		return t->err = -errno;
	if ((pid = fork()) < 0) {
		t->err = -errno;
		close(p[0]);
		close(p[1]);
		return t->err;
	}
	if (pid == 0) {
		close(p[0]);
		t->err = fn(arg, &step);
		snprintf(t->step, sizeof(t->step), "%s", step);
		(void)!write(p[1], t, sizeof(*t));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], t, sizeof(*t)) != (ssize_t)sizeof(*t)) {
		t->err = -EIO;
		snprintf(t->step, sizeof(t->step), "trial child died");
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	return t->err;
}

struct ids {
	uid_t	uid;
	gid_t	gid;
};

/* After unshare(CLONE_NEWUSER): map our own ids, as kilnd does without
 * newuidmap; the new namespace then holds every capability over itself. */
static int
map_self(const struct ids *ids)
{
	char line[64];
	int r;

	r = util_write_file("/proc/self/setgroups", "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)ids->uid);
	if ((r = util_write_file("/proc/self/uid_map", line)) < 0)
		return r;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)ids->gid);
	return util_write_file("/proc/self/gid_map", line);
}

/* A step of a trial: a libc call (-1 and errno) or ours (-errno). */
#define STEP(name, call) do {						\
	*step = (name);							\
	if ((call) < 0)							\
		return errno ? -errno : -EIO;				\
} while (0)
#define STEP_R(name, call) do {						\
	int r_;								\
	*step = (name);							\
	if ((r_ = (call)) < 0)						\
		return r_;						\
} while (0)

static int
userns_child(const void *arg, const char **step)
{
	STEP("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	STEP_R("mapping its own uid and gid", map_self(arg));
	STEP("unshare(CLONE_NEWNS) inside it", unshare(CLONE_NEWNS));
	return 0;
}

struct overlay_dirs {
	struct ids	ids;
	int		made;		/* base exists: remove it */
	char		base[PATH_MAX - 32];
};

static int
overlay_child(const void *arg, const char **step)
{
	const struct overlay_dirs *o = arg;
	char opts[3 * PATH_MAX], merged[PATH_MAX];
	const char *b = o->base;

	snprintf(opts, sizeof(opts), "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,"
	    "userxattr", b, b, b);
	snprintf(merged, sizeof(merged), "%s/m", b);
	STEP("unshare(CLONE_NEWUSER|CLONE_NEWNS)", unshare(CLONE_NEWUSER | CLONE_NEWNS));
	STEP_R("mapping its own uid and gid", map_self(&o->ids));
	STEP("mount -t overlay -o userxattr", mount("overlay", merged, "overlay", 0, opts));
	return 0;
}

/* unshare(CLONE_NEWPID) moves only the children: the grandchild, pid 1
 * of the new pid namespace, mounts its /proc as execd will for RUN. */
static int
procfs_child(const void *arg, const char **step)
{
	int status;
	pid_t pid;

	STEP("unshare(CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS)",
	    unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS));
	STEP_R("mapping its own uid and gid", map_self(arg));
	STEP("fork into the new pid namespace", pid = fork());
	if (pid == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL) < 0)
			_exit(errno);
		_exit(0);
	}
	STEP("waiting for pid 1", waitpid(pid, &status, 0));
	*step = "mount -t proc in a new pid namespace";
	if (!WIFEXITED(status))
		return -EIO;
	return -WEXITSTATUS(status);
}

/* ---- the checks ---- */

static void
check_max_userns(struct check_res *r, const void *arg)
{
	long v;

	(void)arg;
	if (util_sysctl_int("user.max_user_namespaces", &v) < 0)
		say(r, CHECK_OK, "not present on this kernel");
	else if (v == 0) {
		say(r, CHECK_FAIL, "is 0: no user namespace can be created");
		fix(r, FIX_MAX_USERNS);
	} else
		say(r, CHECK_OK, "%ld", v);
}

static void
check_userns_clone(struct check_res *r, const void *arg)
{
	long v;

	(void)arg;
	if (util_sysctl_int("kernel.unprivileged_userns_clone", &v) < 0)
		say(r, CHECK_OK, "not present on this kernel (only Debian's has it)");
	else if (v == 0) {
		say(r, CHECK_FAIL, "is 0: only root may create user namespaces");
		fix(r, FIX_USERNS_CLONE);
	} else
		say(r, CHECK_OK, "%ld", v);
}

static void
exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(buf, size, "/usr/bin/kilnd");
}

/* Ubuntu 24.04: at 1 an unconfined process gets a user namespace without
 * capabilities, unless an AppArmor profile grants it `userns,`. */
static void
check_apparmor(struct check_res *r, const void *arg)
{
	struct ids ids = { getuid(), getgid() };
	struct trial_report t;
	char exe[PATH_MAX];
	long v;

	(void)arg;
	if (util_sysctl_int("kernel.apparmor_restrict_unprivileged_userns", &v) < 0)
		say(r, CHECK_OK, "not present on this kernel");
	else if (v == 0)
		say(r, CHECK_OK, "0");
	else if (trial_run(userns_child, &ids, &t) == 0)
		say(r, CHECK_OK, "is 1, but an AppArmor profile lets kilnd use user "
		    "namespaces");
	else {
		exe_path(exe, sizeof(exe));
		say(r, CHECK_FAIL, "is 1: AppArmor denies capabilities in unprivileged "
		    "user namespaces");
		fix(r, FIX_APPARMOR, exe);
	}
}

/* "why" and "fix" for a user namespace that could not be made. */
static void
userns_cause(struct check_res *r, int err)
{
	char status[4096], *s;
	long v;

	if (util_sysctl_int("user.max_user_namespaces", &v) == 0 && v == 0)
		fix(r, "user.max_user_namespaces is 0: " FIX_MAX_USERNS);
	else if (util_sysctl_int("kernel.unprivileged_userns_clone", &v) == 0 && v == 0)
		fix(r, "kernel.unprivileged_userns_clone is 0: " FIX_USERNS_CLONE);
	else if (util_sysctl_int("kernel.apparmor_restrict_unprivileged_userns", &v) == 0 &&
	    v == 1) {
		char exe[PATH_MAX];

		exe_path(exe, sizeof(exe));
		fix(r, "kernel.apparmor_restrict_unprivileged_userns is 1: " FIX_APPARMOR, exe);
	} else if (err == ENOSPC)
		fix(r, "the limit of user namespaces (user.max_user_namespaces, or 32 "
		    "levels of nesting) is reached: " FIX_MAX_USERNS);
	else if (util_read_small_file("/proc/self/status", status, sizeof(status)) > 0 &&
	    (s = strstr(status, "Seccomp:")) && strtol(s + 8, NULL, 10) == 2)
		fix(r, "a seccomp filter (a container's profile) refuses it: " FIX_SECCOMP);
	else
		fix(r, "no sysctl explains it: a security module or a container runtime "
		    "refuses user namespaces to this process");
}

static void
check_userns(struct check_res *r, const void *arg)
{
	struct ids ids = { getuid(), getgid() };
	struct trial_report t;

	(void)arg;
	if (trial_run(userns_child, &ids, &t) == 0) {
		say(r, CHECK_OK, "a user namespace with a mount namespace inside can be "
		    "created");
		return;
	}
	say(r, CHECK_FAIL, "%s: %s", t.step, strerror(-t.err));
	userns_cause(r, -t.err);
}

static void
check_subids(struct check_res *r, const void *arg)
{
	const char *file = arg, *user = user_name();
	struct subid_range sr[KILND_MAX_RANGES];
	uint64_t total = 0;
	int n;

	n = subid_lookup(file, user, getuid(), sr, KILND_MAX_RANGES);
	for (int i = 0; i < n; i++)
		total += sr[i].count;
	if (n > 0 && total >= MIN_SUBIDS) {
		say(r, CHECK_OK, "%s has %llu ids from %llu%s in %s", user,
		    (unsigned long long)total, (unsigned long long)sr[0].start,
		    n > 1 ? " (and more ranges)" : "", file);
		return;
	}
	if (n < 0)
		say(r, CHECK_WARN, "cannot read %s: %s: only one id will be mapped", file,
		    strerror(-n));
	else if (n == 0)
		say(r, CHECK_WARN, "no range for %s in %s: only one id will be mapped "
		    "(uid 0 inside), so images with files of other owners will not "
		    "unpack", user, file);
	else
		say(r, CHECK_WARN, "%s has only %llu ids in %s, fewer than %d: images "
		    "with higher uids or gids will not unpack", user,
		    (unsigned long long)total, file, MIN_SUBIDS);
	fix(r, "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s",
	    user);
}

/* Does the file capability set of path hold cap in its permitted set? */
static int
has_file_cap(const char *path, int cap)
{
	struct vfs_ns_cap_data d;
	ssize_t n;

	memset(&d, 0, sizeof(d));
	n = getxattr(path, "security.capability", &d, sizeof(d));
	if (n < (ssize_t)XATTR_CAPS_SZ_1)
		return 0;
	return (le32toh(d.data[CAP_TO_INDEX(cap)].permitted) & CAP_TO_MASK(cap)) != 0;
}

struct idmap_tool {
	const char	*name;
	int		 cap;
	const char	*capname;
};

static void
check_idmap_tool(struct check_res *r, const void *arg)
{
	const struct idmap_tool *tool = arg;
	char path[PATH_MAX];
	struct statvfs sv;
	struct stat st;

	if (util_which(tool->name, path, sizeof(path)) < 0) {
		say(r, CHECK_WARN, "not found on PATH (package uidmap): only one id will "
		    "be mapped (uid 0 inside)");
		fix(r, FIX_UIDMAP);
		return;
	}
	if (stat(path, &st) < 0) {
		say(r, CHECK_FAIL, "%s: %s", path, strerror(errno));
		fix(r, FIX_UIDMAP);
	} else if (statvfs(path, &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
		say(r, CHECK_FAIL, "%s is on a nosuid file system: it cannot map ids",
		    path);
		fix(r, "put PATH's newuidmap/newgidmap (package uidmap) on a file system "
		    "mounted without nosuid");
	} else if ((st.st_mode & S_ISUID) && st.st_uid == 0)
		say(r, CHECK_OK, "%s is setuid root", path);
	else if (has_file_cap(path, tool->cap))
		say(r, CHECK_OK, "%s has %s", path, tool->capname);
	else {
		say(r, CHECK_FAIL, "%s is neither setuid root nor has %s: it will refuse "
		    "to map ids", path, tool->capname);
		fix(r, "sudo setcap %s+ep %s (or reinstall package uidmap)",
		    tool->capname, path);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP || type == FTW_DNR)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

/* Where kiln's snapshots will live, so the trial meets the same file
 * system; else the temporary directory. */
static void
trial_parent(char *buf, size_t size)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (x && *x)
		snprintf(buf, size, "%s/kiln", x);
	else
		snprintf(buf, size, "%s/.local/share/kiln", home ? home : "/");
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode) || access(buf, W_OK) < 0)
		snprintf(buf, size, "%s", tmp && *tmp ? tmp : "/tmp");
}

static int
overlay_mkdirs(struct overlay_dirs *o, const char *parent)
{
	char sub[PATH_MAX];
	static const char *const names[] = { "l", "u", "w", "m" };

	snprintf(o->base, sizeof(o->base), "%s/.kiln-check.XXXXXX", parent);
	if (mkdtemp(o->base) == NULL)
		return -errno;
	o->made = 1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", o->base, names[i]);
		if (mkdir(sub, 0700) < 0)
			return -errno;
	}
	return 0;
}

static const char *
overlay_fix(const struct trial_report *t)
{
	if (strncmp(t->step, "unshare", 7) == 0)
		return "see the userns line";
	if (-t->err == EINVAL)
		return "use a file system overlayfs accepts as upper layer for kiln's "
		    "state (not overlayfs, NFS or FUSE)";
	return "use Linux 5.11 or later, where overlayfs mounts in user namespaces";
}

static void
check_overlayfs(struct check_res *r, const void *arg)
{
	struct overlay_dirs o = { { getuid(), getgid() }, 0, "" };
	char parent[PATH_MAX - 64];
	struct trial_report t;
	int e;

	(void)arg;
	trial_parent(parent, sizeof(parent));
	if ((e = overlay_mkdirs(&o, parent)) < 0) {
		say(r, CHECK_WARN, "cannot make a trial directory in %s: %s", parent,
		    strerror(-e));
		fix(r, "make $XDG_DATA_HOME/kiln or $TMPDIR writable");
	} else if (trial_run(overlay_child, &o, &t) == 0)
		say(r, CHECK_OK, "overlay with userxattr mounts in a user namespace "
		    "(tried in %s)", parent);
	else {
		say(r, CHECK_WARN, "%s (tried in %s): %s: the slower fuse-overlayfs or "
		    "native snapshotter will be used", t.step, parent, strerror(-t.err));
		fix(r, "%s", overlay_fix(&t));
	}
	if (o.made)
		nftw(o.base, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int
dev_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void
check_fuse(struct check_res *r, const void *arg)
{
	char path[PATH_MAX];
	int e = dev_open("/dev/fuse");

	(void)arg;
	if (e < 0) {
		say(r, CHECK_WARN, "/dev/fuse: %s: fuse-overlayfs cannot run, the native "
		    "snapshotter (full copies) is the fallback", strerror(-e));
		fix(r, "sudo modprobe fuse && sudo chmod 666 /dev/fuse (in a container: "
		    "--device /dev/fuse)");
	} else if (util_which("fuse-overlayfs", path, sizeof(path)) < 0) {
		say(r, CHECK_WARN, "fuse-overlayfs not found on PATH: the native "
		    "snapshotter (full copies) is the fallback where overlayfs fails");
		fix(r, "sudo apt-get install fuse-overlayfs");
	} else
		say(r, CHECK_OK, "/dev/fuse opens and %s is there", path);
}

static void
check_tun(struct check_res *r, const void *arg)
{
	char path[PATH_MAX];
	int e = dev_open("/dev/net/tun");

	(void)arg;
	if (e < 0) {
		say(r, CHECK_WARN, "/dev/net/tun: %s: host networking only", strerror(-e));
		fix(r, "sudo chmod 666 /dev/net/tun (in a container: --device "
		    "/dev/net/tun)");
	} else if (util_which("slirp4netns", path, sizeof(path)) < 0) {
		say(r, CHECK_WARN, "slirp4netns not found on PATH: host networking only");
		fix(r, "sudo apt-get install slirp4netns");
	} else
		say(r, CHECK_OK, "/dev/net/tun opens and %s is there", path);
}

/* Mounts over /proc/... (a container runtime's masks of /proc/kcore and
 * others) make the kernel refuse a fresh proc mount that would reveal
 * them; binfmt_misc sits on an empty directory and hides nothing. */
static int
proc_is_masked(void)
{
	char line[4096], point[PATH_MAX];
	int masked = 0;
	FILE *f;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return 0;
	while (!masked && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    strncmp(point, "/proc/", 6) == 0 &&
		    strcmp(point, "/proc/sys/fs/binfmt_misc") != 0)
			masked = 1;
	fclose(f);
	return masked;
}

static void
check_procfs(struct check_res *r, const void *arg)
{
	struct ids ids = { getuid(), getgid() };
	struct trial_report t;

	(void)arg;
	if (trial_run(procfs_child, &ids, &t) == 0) {
		say(r, CHECK_OK, "a new /proc mounts in a new pid namespace");
		return;
	}
	if (-t.err == EPERM && proc_is_masked()) {
		say(r, CHECK_WARN, "%s: %s: /proc is masked (parts of it are covered by "
		    "other mounts, as a container runtime does), so the kernel refuses "
		    "a new one; RUN steps cannot have their own pid namespace", t.step,
		    strerror(-t.err));
		fix(r, FIX_PROC);
	} else {
		say(r, CHECK_WARN, "%s: %s: RUN steps cannot have their own pid "
		    "namespace", t.step, strerror(-t.err));
		fix(r, "%s", -t.err == EPERM ? FIX_PROC : "see the userns line");
	}
}

static void
check_cgroup(struct check_res *r, const void *arg)
{
	struct statfs sf;

	(void)arg;
	if (statfs("/sys/fs/cgroup", &sf) < 0)
		say(r, CHECK_OK, "/sys/fs/cgroup: %s: no cgroups", strerror(errno));
	else if (sf.f_type == CGROUP2_SUPER_MAGIC)
		say(r, CHECK_OK, "v2 (unified)");
	else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 &&
	    sf.f_type == CGROUP2_SUPER_MAGIC)
		say(r, CHECK_OK, "hybrid (v1 controllers, v2 at /sys/fs/cgroup/unified)");
	else
		say(r, CHECK_OK, "v1");
}

static const struct idmap_tool newuidmap = { "newuidmap", CAP_SETUID, "cap_setuid" };
static const struct idmap_tool newgidmap = { "newgidmap", CAP_SETGID, "cap_setgid" };

static const struct check checks[] = {
	{ "user.max_user_namespaces", 1, GROUP_USERNS, check_max_userns, NULL },
	{ "kernel.unprivileged_userns_clone", 1, GROUP_USERNS, check_userns_clone, NULL },
	{ "kernel.apparmor_restrict_unprivileged_userns", 1, GROUP_USERNS,
	    check_apparmor, NULL },
	{ "userns", 1, GROUP_USERNS, check_userns, NULL },
	{ "subuid", 0, GROUP_IDMAP, check_subids, "/etc/subuid" },
	{ "subgid", 0, GROUP_IDMAP, check_subids, "/etc/subgid" },
	{ "newuidmap", 1, GROUP_IDMAP, check_idmap_tool, &newuidmap },
	{ "newgidmap", 1, GROUP_IDMAP, check_idmap_tool, &newgidmap },
	{ "overlayfs", 0, 0, check_overlayfs, NULL },
	{ "fuse", 0, 0, check_fuse, NULL },
	{ "tun", 0, 0, check_tun, NULL },
	{ "procfs", 0, 0, check_procfs, NULL },
	{ "cgroup", 0, 0, check_cgroup, NULL },
};

/* Runs one check and prints its line; returns its level as counted. */
static enum check_level
check_one(const struct check *c, FILE *out)
{
	static const char *const tags[] = { "OK  ", "WARN", "FAIL" };
	struct check_res r;

	memset(&r, 0, sizeof(r));
	c->fn(&r, c->arg);
	if (r.level == CHECK_FAIL && !c->required)
		r.level = CHECK_WARN;
	if (r.level == CHECK_OK || r.fix[0] == '\0')
		fprintf(out, "%s %s: %s\n", tags[r.level], c->name, r.detail);
	else
		fprintf(out, "%s %s: %s \xe2\x80\x94 %s\n", tags[r.level], c->name, r.detail,
		    r.fix);
	fflush(out);
	return r.level;
}

/* Explains why creating the namespaces failed, with the lines --check
 * prints for that cause. */
void
check_explain_start_failure(const char *what, int err, FILE *out)
{
	unsigned group;

	if (strstr(what, "mapping ids"))
		group = GROUP_IDMAP;
	else if (err == EPERM || err == ENOSPC || err == EACCES)
		group = GROUP_USERNS;
	else
		return;
	fprintf(out, "kilnd: what kilnd --check finds about %s:\n", what);
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		if (checks[i].groups & group)
			check_one(&checks[i], out);
}

int
check_run(const struct kilnd_config *cfg, FILE *out)
{
	int n[3] = { 0, 0, 0 };

	(void)cfg;
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		n[check_one(&checks[i], out)]++;
	fprintf(out, "%d ok, %d warnings, %d failures: %s\n", n[CHECK_OK], n[CHECK_WARN],
	    n[CHECK_FAIL], n[CHECK_FAIL] ? "kilnd cannot run until the FAIL lines are "
	    "fixed" : n[CHECK_WARN] ? "kilnd can run, with less (see the WARN lines)" :
	    "kilnd can run");
	return n[CHECK_FAIL] ? 1 : 0;
}
