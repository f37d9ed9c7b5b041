/* stepmounts.c: the mounts a step asks for (bind, cache, tmpfs, secret) and its /etc files, placed in the rootfs before the pivot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "execd.h"
#include "util.h"

/*
 * Every source becomes a detached mount tree first (open_tree, fsmount),
 * then moves onto a mount point opened inside the rootfs (stubs.c), so
 * a symlink the image put on the way cannot send a mount outside it.
 */

static int
move_tree(int tree, int tfd)
{
	return move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno : 0;
}

static int
set_readonly(int tree)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	return mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
	    sizeof(attr)) < 0 ? -errno : 0;
}

/*
 * In the spawner, before the clone: a directory fd names a mount of
 * kiln's mount namespace, which the step's copy of it no longer holds,
 * so the tree is cloned here, where open_tree(2) can.
 */
int
stepmounts_open_trees(const struct exec_spec *spec, int *fds, char *why,
    size_t size)
{
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct exec_mount *mt = &spec->mounts[i];
		int tree;

		if (mt->type != EXEC_MNT_BIND || mt->fd < 0)
			continue;
		tree = open_tree(fds[mt->fd], "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		    AT_EMPTY_PATH | AT_RECURSIVE);
		if (tree < 0) {
			int e = errno;

			snprintf(why, size, "bind mount on %s: the directory fd cannot "
			    "be cloned%s", mt->target, e == EINVAL ? " (it is not in "
			    "kiln's mount namespace; pass a path instead)" : "");
			return -e;
		}
		close(fds[mt->fd]);
		fds[mt->fd] = tree;
	}
	return 0;
}

/* A cache directory snapd has not made yet gets the mount's uid, gid
 * and mode, as BuildKit gives a new cache mount. */
static int
cache_dir(const struct exec_mount *mt)
{
	mode_t mode = mt->mode >= 0 ? (mode_t)mt->mode : 0755;
	char parent[PATH_MAX], *slash;
	int r = 0, fd;

	snprintf(parent, sizeof(parent), "%s", mt->source);
	if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
		*slash = '\0';
		if ((r = util_mkdir_p(parent, 0755)) < 0 && r != -EEXIST)
			return r;
	}
	if (mkdir(mt->source, 0700) < 0)
		return errno == EEXIST ? 0 : -errno;
	fd = open(mt->source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchown(fd, mt->uid >= 0 ? (uid_t)mt->uid : 0,
	    mt->gid >= 0 ? (gid_t)mt->gid : 0) < 0 || fchmod(fd, mode) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int
tmpfs_tree(const struct exec_mount *mt)
{
	char opt[32];
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), tree, r = 0;

	if (fs < 0)
		return -errno;
	snprintf(opt, sizeof(opt), "%llo", mt->mode >= 0 ? (unsigned long long)mt->mode : 01777);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", opt, 0) < 0)
		r = -errno;
	snprintf(opt, sizeof(opt), "%llu", (unsigned long long)mt->size);
	if (r == 0 && mt->size && fsconfig(fs, FSCONFIG_SET_STRING, "size", opt, 0) < 0)
		r = -errno;
	snprintf(opt, sizeof(opt), "%lld", (long long)mt->uid);
	if (r == 0 && mt->uid >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "uid", opt, 0) < 0)
		r = -errno;
	snprintf(opt, sizeof(opt), "%lld", (long long)mt->gid);
	if (r == 0 && mt->gid >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "gid", opt, 0) < 0)
		r = -errno;
	if (r == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		r = -errno;
	tree = r == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    (mt->readonly ? MOUNT_ATTR_RDONLY : 0)) : -1;
	if (r == 0 && tree < 0)
		r = -errno;
	close(fs);
	return r < 0 ? r : tree;
}

/* The mount's source as a detached tree; -errno. */
static int
source_tree(const struct exec_child *c, const struct exec_mount *mt, int *dir)
{
	struct stat sb;
	int tree, r;

	*dir = 1;
	if (mt->type == EXEC_MNT_TMPFS)
		return tmpfs_tree(mt);
	if (mt->type == EXEC_MNT_CACHE && (r = cache_dir(mt)) < 0)
		return r;
	if (mt->fd >= 0)
		tree = c->fds[mt->fd];
	else if ((tree = open_tree(AT_FDCWD, mt->source, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE)) < 0)
		return -errno;
	if (fstat(tree, &sb) == 0)
		*dir = S_ISDIR(sb.st_mode);
	/* the caller says: a bind is read-only unless rw, a cache writable */
	if (mt->readonly && (r = set_readonly(tree)) < 0) {
		if (mt->fd < 0)
			close(tree);
		return r;
	}
	return tree;
}

static const char *
type_name(int type)
{
	return type == EXEC_MNT_BIND ? "bind" : type == EXEC_MNT_CACHE ? "cache" :
	    type == EXEC_MNT_TMPFS ? "tmpfs" : "secret";
}

static int
apply_one(const struct exec_child *c, const struct exec_mount *mt, int n,
    int rootfd, int fs, struct exec_fail *f)
{
	int tree, tfd, dir, r;

	if (mt->type == EXEC_MNT_SECRET) {
		if ((tfd = stubs_open(rootfd, mt->target, 0, c->stubs, f)) < 0)
			return tfd;
		r = files_secret(fs, mt, c->fds[mt->fd], tfd, n, f);
		close(tfd);
		return r;
	}
	tree = source_tree(c, mt, &dir);
	if (tree < 0)
		return exec_fail_set(f, -tree, "%s mount %s%s%s", type_name(mt->type),
		    mt->source, mt->source[0] ? " on " : "on ", mt->target);
	if ((tfd = stubs_open(rootfd, mt->target, dir, c->stubs, f)) < 0)
		return tfd;
	r = move_tree(tree, tfd);
	close(tfd);
	if (mt->fd < 0)
		close(tree);
	return r < 0 ? exec_fail_set(f, -r, "%s mount on %s", type_name(mt->type),
	    mt->target) : 0;
}

int
stepmounts_apply(const struct exec_child *c, int rootfd, struct exec_fail *f)
{
	int fs = files_open(f), r;

	if (fs < 0)
		return fs;
	r = files_etc(fs, c, rootfd, f);
	for (size_t i = 0; r == 0 && i < c->spec->nmounts; i++)
		r = apply_one(c, &c->spec->mounts[i], (int)i, rootfd, fs, f);
	close(fs);
	return r;
}
