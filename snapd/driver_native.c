/* driver_native.c: the native snapshotter: every snapshot a full copy of its parent (reflinks where the filesystem has them), bind-mounted. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "driver.h"
#include "snapd.h"

static int
nat_create(const char *dir, const char *parent_fs)
{
	char fs[PATH_MAX];

	snprintf(fs, sizeof(fs), "%s/fs", dir);
	if (mkdir(fs, 0755) < 0)
		return -errno;
	return parent_fs ? tree_copy(parent_fs, fs) : 0;
}

/* writable: the snapshot's own tree; a view: the committed one's, read-only */
static int
nat_mount(const struct snap_mount *m)
{
	char fs[PATH_MAX];

	if (m->dir == NULL)
		return m->nlowers > 0 ? driver_bind(m->lowers[0], m->target, 1) : -EINVAL;
	snprintf(fs, sizeof(fs), "%s/fs", m->dir);
	return driver_bind(fs, m->target, 0);
}

/* A bind mount is all it needs of the kernel. */
static int
nat_probe(const char *scratch, char *why, size_t len)
{
	char fs[PATH_MAX], m[PATH_MAX];
	int r;

	snprintf(fs, sizeof(fs), "%s/fs", scratch);
	snprintf(m, sizeof(m), "%s/m", scratch);
	if (mkdir(fs, 0755) < 0 || mkdir(m, 0755) < 0) {
		snprintf(why, len, "making the trial dirs in %s: %s", scratch,
		    strerror(errno));
		return -errno;
	}
	if ((r = driver_bind(fs, m, 0)) < 0) {
		snprintf(why, len, "bind mount: %s", strerror(-r));
		return r;
	}
	return driver_umount(m);
}

const struct snap_driver driver_native = {
	.name = "native",
	.layered = 0,
	.probe = nat_probe,
	.create = nat_create,
	.mount = nat_mount,
	.unmount = driver_umount,
	.scratch = NULL,
};
