/* files.c: the step's private tmpfs, mounted nowhere: /etc/hosts, /etc/resolv.conf, /etc/hostname and secrets, each bind-mounted onto its target from there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "execd.h"
#include "util.h"

/*
 * The files live on a tmpfs made with fsopen(2) and fsmount(2) and never
 * attached anywhere: each one is cloned out of it with open_tree(2) and
 * moved onto its target, so nothing of them is written to the rootfs,
 * and a secret is in no layer and in no directory the step could list.
 */

#define FILES_RESOLV_MAX	65536

int
files_open(struct exec_fail *f)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		return exec_fail_set(f, errno, "fsopen(tmpfs) for the step's files");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "2m", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int e = errno;

		close(fs);
		return exec_fail_set(f, e, "creating the step's tmpfs for its files");
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		return exec_fail_set(f, errno, "fsmount of the step's tmpfs");
	return mnt;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* name on the tmpfs, with content, mode and owner */
static int
put_file(int fs, const char *name, const char *buf, size_t len, mode_t mode,
    uid_t uid, gid_t gid)
{
	int fd = openat(fs, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode), r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0))
		r = -errno;
	close(fd);
	return r;
}

/* Moves a clone of fs's name onto the mount point tfd; read-only if ro. */
static int
bind_file(int fs, const char *name, int tfd, int ro)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree = open_tree(fs, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), r = 0;

	if (tree < 0)
		return -errno;
	if (ro && mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		r = -errno;
	if (r == 0 && move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	close(tree);
	return r;
}

/* BuildKit's: localhost and the step's hostname, then the extra hosts. */
static int
hosts_text(const struct exec_spec *spec, char **out, size_t *len)
{
	FILE *m = open_memstream(out, len);

	if (m == NULL)
		return -errno;
	fprintf(m, "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost "
	    "ip6-loopback\n", spec->hostname);
	for (char **h = spec->hosts; *h; h++) {
		const char *sp = strchr(*h, ' ');

		fprintf(m, "%s\t%.*s\n", sp + 1, (int)(sp - *h), *h);
	}
	return fclose(m) == 0 ? 0 : -ENOMEM;
}

static int
etc_file(int fs, int rootfd, const char *name, const char *buf, size_t len,
    struct exec_stubs *st, struct exec_fail *f)
{
	char target[64];
	int tfd, r;

	if ((r = put_file(fs, name, buf, len, 0644, 0, 0)) < 0)
		return exec_fail_set(f, -r, "writing the step's /etc/%s", name);
	snprintf(target, sizeof(target), "/etc/%s", name);
	if ((tfd = stubs_open(rootfd, target, 0, st, f)) < 0)
		return tfd;
	r = bind_file(fs, name, tfd, 0);
	close(tfd);
	return r < 0 ? exec_fail_set(f, -r, "bind-mounting /etc/%s", name) : 0;
}

/* Before the pivot, so /etc/resolv.conf is still kiln's (in slirp4netns
 * mode it names slirp4netns's DNS at 10.0.2.3). */
int
files_etc(int fs, const struct exec_child *c, int rootfd, struct exec_fail *f)
{
	const struct exec_spec *spec = c->spec;
	char *hosts = NULL, *resolv, line[80];
	size_t hlen = 0;
	ssize_t rlen;
	int r;

	if ((r = hosts_text(spec, &hosts, &hlen)) < 0)
		return exec_fail_set(f, -r, "making /etc/hosts");
	r = etc_file(fs, rootfd, "hosts", hosts, hlen, c->stubs, f);
	free(hosts);
	if (r < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", spec->hostname);
	if ((r = etc_file(fs, rootfd, "hostname", line, strlen(line), c->stubs, f)) < 0)
		return r;
	if ((resolv = malloc(FILES_RESOLV_MAX)) == NULL)
		return exec_fail_set(f, ENOMEM, "reading /etc/resolv.conf");
	rlen = util_read_small_file("/etc/resolv.conf", resolv, FILES_RESOLV_MAX);
	/* kiln has none: the image keeps its own */
	r = rlen < 0 ? 0 : etc_file(fs, rootfd, "resolv.conf", resolv, (size_t)rlen,
	    c->stubs, f);
	free(resolv);
	return r;
}

/* A secret's content: a file or memfd read from its start, or a pipe
 * its writer already closed; never waited for. */
static ssize_t
read_secret(int fd, char *buf, size_t size)
{
	struct stat sb;
	size_t got = 0;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode) && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	while (got < size) {
		ssize_t n = S_ISREG(sb.st_mode) ? pread(fd, buf + got, size - got,
		    (off_t)got) : read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -EPIPE : -errno;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
	}
	return -EFBIG;
}

int
files_secret(int fs, const struct exec_mount *mt, int content_fd, int tfd,
    int n, struct exec_fail *f)
{
	char name[32], *buf = malloc(EXEC_SECRET_MAX + 1);
	mode_t mode = mt->mode >= 0 ? (mode_t)mt->mode : 0400;
	ssize_t len;
	int r;

	if (buf == NULL)
		return exec_fail_set(f, ENOMEM, "secret %s", mt->target);
	len = read_secret(content_fd, buf, EXEC_SECRET_MAX + 1);
	if (len < 0) {
		free(buf);
		if (len == -EFBIG)
			return exec_fail_set(f, EFBIG, "secret %s: larger than %d bytes",
			    mt->target, EXEC_SECRET_MAX);
		return exec_fail_set(f, (int)-len, "reading the content of secret %s "
		    "(a file, a memfd, or a pipe whose writer is done)", mt->target);
	}
	snprintf(name, sizeof(name), "secret-%d", n);
	r = put_file(fs, name, buf, (size_t)len, mode, mt->uid >= 0 ? (uid_t)mt->uid : 0,
	    mt->gid >= 0 ? (gid_t)mt->gid : 0);
	explicit_bzero(buf, EXEC_SECRET_MAX + 1);
	free(buf);
	if (r == 0)
		r = bind_file(fs, name, tfd, 1);
	return r < 0 ? exec_fail_set(f, -r, "mounting secret %s", mt->target) : 0;
}
