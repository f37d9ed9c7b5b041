/* copyup.c: --copy-up=DIR: a tmpfs over DIR with links to the original entries, so files can be replaced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include "kilnd.h"

/* Where the original DIR stays reachable, inside the new tmpfs. */
#define COPYUP_HIDDEN	".kiln-ro"

static int
link_entries(const char *dir, char *err, size_t errlen)
{
	char hidden[PATH_MAX], target[PATH_MAX * 2], link[PATH_MAX * 2];
	struct dirent *de;
	DIR *d;

	snprintf(hidden, sizeof(hidden), "%s/%s", dir, COPYUP_HIDDEN);
	d = opendir(hidden);
	if (d == NULL) {
		snprintf(err, errlen, "--copy-up=%s: reading the original", dir);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(target, sizeof(target), "%s/%s", hidden, de->d_name);
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		if (symlink(target, link) < 0) {
			int e = errno;
			snprintf(err, errlen, "--copy-up=%s: linking %s", dir, de->d_name);
			closedir(d);
			return -e;
		}
	}
	closedir(d);
	return 0;
}

/* A detached copy of DIR's mount tree, taken before the tmpfs hides it:
 * a recursive bind made afterwards would include the tmpfs itself. */
static int
clone_tree(const char *dir)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, dir,
	    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	return fd < 0 ? -errno : fd;
}

/* As RootlessKit's tmpfs+symlink driver: the original stays mounted at
 * DIR/.kiln-ro, every entry of DIR becomes a symlink into it, and any of
 * them can be replaced by a real file (resolv.conf for slirp4netns). */
int
copyup_dir(const char *dir, char *err, size_t errlen)
{
	char hidden[PATH_MAX];
	int tree, r = 0;

	tree = clone_tree(dir);
	if (tree < 0) {
		snprintf(err, errlen, "--copy-up=%s: cloning its mount tree", dir);
		return tree;
	}
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		snprintf(err, errlen, "--copy-up=%s: mounting a tmpfs over it", dir);
		r = -errno;
		goto out;
	}
	snprintf(hidden, sizeof(hidden), "%s/%s", dir, COPYUP_HIDDEN);
	if (mkdir(hidden, 0755) < 0 || syscall(SYS_move_mount, tree, "", AT_FDCWD,
	    hidden, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		snprintf(err, errlen, "--copy-up=%s: keeping the original visible", dir);
		r = -errno;
		goto out;
	}
	r = link_entries(dir, err, errlen);
out:
	close(tree);
	return r;
}
