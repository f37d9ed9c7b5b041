/* driver_overlay.c: the overlayfs snapshotter: the kernel's overlay with userxattr, layers passed one by one with the new mount API. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "driver.h"
#include "log.h"
#include "snapd.h"
#include "util.h"

/* The kernel's own words about a failed fsconfig, from the context fd:
 * lines "e overlay: ..." that say more than EINVAL does. */
static void
fs_messages(int fsfd, char *why, size_t len)
{
	char buf[512];
	size_t used = strlen(why);
	ssize_t n;

	while ((n = read(fsfd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (n > 0 && buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		if (used + 4 < len)
			used += (size_t)snprintf(why + used, len - used, "%s%s",
			    used ? "; " : "", buf + (buf[1] == ' ' ? 2 : 0));
	}
}

int
driver_bind(const char *src, const char *target, int readonly)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, r = 0;

	fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (readonly && mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		r = -errno;
	if (r == 0 && move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		r = -errno;
	close(fd);
	return r;
}

int
driver_umount(const char *target)
{
	if (umount2(target, UMOUNT_NOFOLLOW) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOENT)
		return 0;	/* not mounted (any more) */
	if (errno != EBUSY)
		return -errno;
	/* still open somewhere: detach now, the kernel frees it later */
	log_warn("%s is busy; detaching it", target);
	return umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? -errno : 0;
}

static int
set_str(int fsfd, const char *key, const char *value, char *why, size_t len)
{
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) == 0)
		return 0;
	int r = -errno;
	snprintf(why, len, "fsconfig %s=%s: %s", key, value, strerror(-r));
	fs_messages(fsfd, why, len);
	return r;
}

/* An overlay of lowers (nearest first) with upper dir/fs, or read-only
 * when dir is NULL. lowerdir+ takes one layer per call, so a 100-layer
 * chain never meets the one-page limit of the old option string. */
static int
overlay_mount(const char *dir, const char *const *lowers, int n, const char *target,
    char *why, size_t len)
{
	char upper[PATH_MAX], work[PATH_MAX];
	int fsfd, mfd = -1, r = 0;

	why[0] = '\0';
	if ((fsfd = fsopen("overlay", FSOPEN_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(why, len, "fsopen(overlay): %s", strerror(-r));
		return r;
	}
	r = set_str(fsfd, "source", "kiln", why, len);
	for (int i = 0; r == 0 && i < n; i++)
		r = set_str(fsfd, "lowerdir+", lowers[i], why, len);
	if (r == 0 && dir) {
		snprintf(upper, sizeof(upper), "%s/fs", dir);
		snprintf(work, sizeof(work), "%s/work", dir);
		if ((r = set_str(fsfd, "upperdir", upper, why, len)) == 0)
			r = set_str(fsfd, "workdir", work, why, len);
		if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0) {
			r = -errno;
			snprintf(why, len, "fsconfig volatile: %s", strerror(-r));
		}
	}
	/* a user namespace: trusted.* xattrs are out of reach, user.* work */
	if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0) {
		r = -errno;
		snprintf(why, len, "fsconfig userxattr: %s", strerror(-r));
	}
	if (r == 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		r = -errno;
		snprintf(why, len, "creating the overlay: %s", strerror(-r));
		fs_messages(fsfd, why, len);
	}
	if (r == 0 && (mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
	    dir ? 0 : MOUNT_ATTR_RDONLY)) < 0) {
		r = -errno;
		snprintf(why, len, "fsmount: %s", strerror(-r));
	}
	if (r == 0 && move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		r = -errno;
		snprintf(why, len, "move_mount to %s: %s", target, strerror(-r));
	}
	if (mfd >= 0)
		close(mfd);
	close(fsfd);
	return r;
}

static int
ov_mount(const struct snap_mount *m)
{
	char why[1024], fs[PATH_MAX];
	const char **lowers = NULL;
	int r;

	if (m->dir && m->bottom) {
		if ((lowers = calloc((size_t)m->nlowers + 1, sizeof(*lowers))) == NULL)
			return -ENOMEM;
		for (int i = 0; i < m->nlowers; i++)
			lowers[i] = m->lowers[i];
		lowers[m->nlowers] = m->bottom;
		r = overlay_mount(m->dir, lowers, m->nlowers + 1, m->target, why,
		    sizeof(why));
		free(lowers);
		if (r < 0)
			log_error("overlay on %s: %s", m->target, why);
		return r;
	}
	/* no layer below: the upper dir is the whole tree */
	if (m->dir && m->nlowers == 0) {
		snprintf(fs, sizeof(fs), "%s/fs", m->dir);
		return driver_bind(fs, m->target, 0);
	}
	/* overlay wants two layers without an upper dir */
	if (!m->dir && m->nlowers == 1)
		return driver_bind(m->lowers[0], m->target, 1);
	r = overlay_mount(m->dir, m->lowers, m->nlowers, m->target, why, sizeof(why));
	if (r < 0)
		log_error("overlay on %s: %s", m->target, why);
	return r;
}

/* The merged root takes the upper dir's owner and mode: give it the
 * parent's, as containerd does. */
int
driver_overlay_create(const char *dir, const char *parent_fs)
{
	char fs[PATH_MAX], work[PATH_MAX];

	snprintf(fs, sizeof(fs), "%s/fs", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	if (mkdir(fs, 0755) < 0 || mkdir(work, 0700) < 0)
		return -errno;
	return driver_overlay_adopt(dir, parent_fs);
}

int
driver_overlay_adopt(const char *dir, const char *parent_fs)
{
	char fs[PATH_MAX];
	struct stat st, want;

	if (parent_fs == NULL)
		return 0;
	snprintf(fs, sizeof(fs), "%s/fs", dir);
	/* change only what differs: each change is a journaled write */
	if (stat(parent_fs, &want) < 0 || stat(fs, &st) < 0)
		return -errno;
	if ((st.st_uid != want.st_uid || st.st_gid != want.st_gid) &&
	    chown(fs, want.st_uid, want.st_gid) < 0)
		return -errno;
	if ((st.st_mode & 07777) != (want.st_mode & 07777) &&
	    chmod(fs, want.st_mode & 07777) < 0)
		return -errno;
	return 0;
}

int
driver_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = -EIO;
	close(fd);
	return r;
}

/* What a build needs: two lower layers, a write, and a whiteout that the
 * upper dir records as a 0:0 character device. */
static int
ov_probe(const char *scratch, char *why, size_t len)
{
	char l1[PATH_MAX], l2[PATH_MAX], m[PATH_MAX], p[PATH_MAX + 16];
	const char *lowers[2] = { l1, l2 };
	struct stat st;
	int r, r2;

	snprintf(l1, sizeof(l1), "%s/l1", scratch);
	snprintf(l2, sizeof(l2), "%s/l2", scratch);
	snprintf(m, sizeof(m), "%s/m", scratch);
	snprintf(p, sizeof(p), "%s/l2/gone", scratch);
	if (mkdir(l1, 0755) < 0 || mkdir(l2, 0755) < 0 || mkdir(m, 0755) < 0)
		r = -errno;
	else if ((r = driver_overlay_create(scratch, NULL)) == 0)
		r = driver_write_file(p, "x");
	if (r < 0) {
		snprintf(why, len, "making the trial dirs in %s: %s", scratch,
		    strerror(-r));
		return r;
	}
	if ((r = overlay_mount(scratch, lowers, 2, m, why, len)) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/m/gone", scratch);
	r = unlink(p) < 0 ? -errno : 0;
	if (r < 0)
		snprintf(why, len, "removing a lower file through the overlay: %s",
		    strerror(-r));
	snprintf(p, sizeof(p), "%s/m/new", scratch);
	if (r == 0 && (r = driver_write_file(p, "y")) < 0)
		snprintf(why, len, "writing through the overlay: %s", strerror(-r));
	r2 = driver_umount(m);
	if (r == 0 && r2 < 0) {
		snprintf(why, len, "unmounting the trial overlay: %s", strerror(-r2));
		r = r2;
	}
	snprintf(p, sizeof(p), "%s/fs/gone", scratch);
	if (r == 0 && (lstat(p, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != 0)) {
		snprintf(why, len, "the whiteout of a removed file is not a 0:0 device");
		r = -EOPNOTSUPP;
	}
	return r;
}

const struct snap_driver driver_overlay = {
	.name = "overlayfs",
	.layered = 1,
	.probe = ov_probe,
	.create = driver_overlay_create,
	.mount = ov_mount,
	.unmount = driver_umount,
	.scratch = "work",
};
