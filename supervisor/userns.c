/* userns.c: creates the kiln user, mount (and network) namespaces and maps ids with newuidmap/newgidmap. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "kilnd.h"
#include "log.h"
#include "util.h"

/* What the child tells the parent over the sync socket. */
struct ns_report {
	int	err;		/* 0: step done */
	char	what[240];	/* the step that failed */
};

static void
child_fail(int sock, const char *what, int err)
{
	struct ns_report r = { err ? err : EIO, "" };

	snprintf(r.what, sizeof(r.what), "%s", what);
	(void)!write(sock, &r, sizeof(r));
	_exit(1);
}

static void
child_ok(int sock)
{
	struct ns_report r = { 0, "" };

	(void)!write(sock, &r, sizeof(r));
}

static int
lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (r == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* slirp4netns mode: the copied-up /etc gets a resolv.conf of its own that
 * points at slirp's DNS forwarder, as RootlessKit writes it; only when
 * /etc was copied up, so the host's file is never touched. */
static int
write_resolv_conf(const struct kilnd *kd)
{
	static const char text[] = "nameserver 10.0.2.3\n";
	int copied = 0, fd, r = 0;

	for (int i = 0; i < kd->cfg.ncopy_up; i++)
		copied |= strcmp(kd->cfg.copy_up[i], "/etc") == 0 ||
		    strcmp(kd->cfg.copy_up[i], "/etc/") == 0;
	if (!copied)
		return 0;
	/* the tmpfs holds a symlink into the original /etc: replace it */
	if (unlink("/etc/resolv.conf") < 0 && errno != ENOENT)
		return -errno;
	fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

/* The child: a user namespace first (so the rest belongs to it), mapped
 * by the parent, then mount and network namespaces. */
static void
ns_child(struct kilnd *kd, int sock, int want_net)
{
	char err[256], c;
	int r;

	if (unshare(CLONE_NEWUSER) < 0)
		child_fail(sock, "unshare(CLONE_NEWUSER)", errno);
	child_ok(sock);
	if (read(sock, &c, 1) != 1)
		_exit(1);	/* the parent reported the mapping failure */
	if (unshare(CLONE_NEWNS | (want_net ? CLONE_NEWNET : 0)) < 0)
		child_fail(sock, want_net ? "unshare(CLONE_NEWNS|CLONE_NEWNET)" :
		    "unshare(CLONE_NEWNS)", errno);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(sock, "making / private", errno);
	for (int i = 0; i < kd->cfg.ncopy_up; i++) {
		r = copyup_dir(kd->cfg.copy_up[i], err, sizeof(err));
		if (r < 0)
			child_fail(sock, err, -r);
	}
	if (want_net && lo_up() < 0)
		child_fail(sock, "bringing up lo in the new network namespace", errno);
	if (want_net && (r = write_resolv_conf(kd)) < 0)
		child_fail(sock, "writing /etc/resolv.conf for slirp4netns", -r);
	child_ok(sock);
	/* the parent opens /proc/PID/ns/{user,mnt,net}, then closes */
	(void)!read(sock, &c, 1);
	_exit(0);
}

static int
read_report(int sock, struct ns_report *r)
{
	ssize_t n = read(sock, r, sizeof(*r));

	if (n == (ssize_t)sizeof(*r))
		return r->err ? -r->err : 0;
	snprintf(r->what, sizeof(r->what), "namespace child died");
	return -EIO;
}

static int
build_maps(struct kilnd *kd, const char *user)
{
	struct subid_range su[KILND_MAX_RANGES], sg[KILND_MAX_RANGES];
	int nu, ng;
	struct kilnd_ns *ns = &kd->ns;
	char path[64];

	ns->uid_map[0] = (struct idmap){ 0, getuid(), 1 };
	ns->gid_map[0] = (struct idmap){ 0, getgid(), 1 };
	ns->n_uid = ns->n_gid = 1;
	nu = subid_lookup("/etc/subuid", user, getuid(), su, KILND_MAX_RANGES);
	ng = subid_lookup("/etc/subgid", user, getuid(), sg, KILND_MAX_RANGES);
	if (nu <= 0 || ng <= 0 || util_which("newuidmap", path, sizeof(path)) < 0 ||
	    util_which("newgidmap", path, sizeof(path)) < 0) {
		ns->single_mapping = 1;
		return 0;
	}
	for (int i = 0; i < nu; i++) {
		struct idmap *prev = &ns->uid_map[ns->n_uid - 1];
		ns->uid_map[ns->n_uid++] = (struct idmap){ prev->inside + prev->count,
		    su[i].start, su[i].count };
	}
	for (int i = 0; i < ng; i++) {
		struct idmap *prev = &ns->gid_map[ns->n_gid - 1];
		ns->gid_map[ns->n_gid++] = (struct idmap){ prev->inside + prev->count,
		    sg[i].start, sg[i].count };
	}
	return 0;
}

static int
run_idmap_tool(const char *tool, pid_t pid, const struct idmap *m, int n)
{
	char *argv[2 + 3 * (KILND_MAX_RANGES + 1) + 1], buf[3 * (KILND_MAX_RANGES + 1)][24];
	char pidstr[24];
	int a = 0, status, b = 0;
	pid_t c;

	snprintf(pidstr, sizeof(pidstr), "%ld", (long)pid);
	argv[a++] = (char *)tool;
	argv[a++] = pidstr;
	for (int i = 0; i < n; i++) {
		snprintf(buf[b], 24, "%llu", (unsigned long long)m[i].inside);
		argv[a++] = buf[b++];
		snprintf(buf[b], 24, "%llu", (unsigned long long)m[i].outside);
		argv[a++] = buf[b++];
		snprintf(buf[b], 24, "%llu", (unsigned long long)m[i].count);
		argv[a++] = buf[b++];
	}
	argv[a] = NULL;
	c = fork();
	if (c < 0)
		return -errno;
	if (c == 0) {
		execvp(tool, argv);
		fprintf(stderr, "kilnd: exec %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	if (waitpid(c, &status, 0) < 0)
		return -errno;
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -EPERM;
}

/* Without newuidmap an unprivileged process may still map its own id. */
static int
write_single_maps(struct kilnd *kd, pid_t pid)
{
	char path[64], line[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%ld/setgroups", (long)pid);
	if ((r = util_write_file(path, "deny")) < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%ld/uid_map", (long)pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)getuid());
	if ((r = util_write_file(path, line)) < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)getgid());
	return util_write_file(path, line);
}

static int
map_ids(struct kilnd *kd, pid_t pid, const char *user)
{
	int r;

	if (kd->ns.single_mapping) {
		snprintf(kd->warnings, sizeof(kd->warnings),
		    "only uid 0 is mapped (to %u): no range for user %s in /etc/subuid "
		    "and /etc/subgid, or newuidmap/newgidmap (package uidmap) missing. "
		    "Images with files owned by other users will not unpack and USER "
		    "steps will fail. Fix: usermod --add-subuids 100000-165535 "
		    "--add-subgids 100000-165535 %s", (unsigned)getuid(), user, user);
		log_warn("%s", kd->warnings);
		check_explain_start_failure("mapping ids", 0, stderr);
		return write_single_maps(kd, pid);
	}
	r = run_idmap_tool("newuidmap", pid, kd->ns.uid_map, kd->ns.n_uid);
	if (r == 0)
		r = run_idmap_tool("newgidmap", pid, kd->ns.gid_map, kd->ns.n_gid);
	if (r < 0)
		log_error("newuidmap/newgidmap refused the mapping for user %s: check "
		    "/etc/subuid and /etc/subgid, and that newuidmap is setuid root "
		    "(ls -l /usr/bin/newuidmap)", user);
	return r;
}

static int
open_ns_fds(struct kilnd *kd, pid_t pid, int want_net)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/ns/user", (long)pid);
	kd->ns.userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%ld/ns/mnt", (long)pid);
	kd->ns.mntns_fd = open(path, O_RDONLY | O_CLOEXEC);
	kd->ns.netns_fd = -1;
	if (want_net) {
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
		kd->ns.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (kd->ns.userns_fd < 0 || kd->ns.mntns_fd < 0 ||
	    (want_net && kd->ns.netns_fd < 0))
		return -errno;
	return 0;
}

int
ns_create(struct kilnd *kd)
{
	int sv[2], want_net = kd->net_mode == NET_SLIRP4NETNS, r, status;
	struct passwd *pw = getpwuid(getuid());
	const char *user = pw ? pw->pw_name : "?";
	struct ns_report rep = { 0, "" };
	pid_t pid;

	kd->ns.userns_fd = kd->ns.mntns_fd = kd->ns.netns_fd = -1;
	build_maps(kd, user);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		ns_child(kd, sv[1], want_net);
	}
	close(sv[1]);
	r = read_report(sv[0], &rep);
	if (r == 0) {
		r = map_ids(kd, pid, user);
		if (r == 0 && write(sv[0], "m", 1) != 1)
			r = -EIO;
		if (r == 0)
			r = read_report(sv[0], &rep);
		else
			snprintf(rep.what, sizeof(rep.what), "mapping ids");
	}
	if (r == 0)
		r = open_ns_fds(kd, pid, want_net);
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (r < 0) {
		log_error("creating the kiln namespaces: %s: %s", rep.what, strerror(-r));
		check_explain_start_failure(rep.what, -r, stderr);
		ns_close(&kd->ns);
	}
	return r;
}

void
ns_close(struct kilnd_ns *ns)
{
	int *fds[] = { &ns->userns_fd, &ns->mntns_fd, &ns->netns_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
