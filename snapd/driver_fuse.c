/* driver_fuse.c: the fuse-overlayfs snapshotter: the overlay layout, mounted by fuse-overlayfs where the kernel's overlay is refused. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "driver.h"
#include "log.h"
#include "snapd.h"
#include "util.h"

/* fuse's option syntax gives ',' and ':' and '\' meanings */
static int
plain_path(const char *p)
{
	return strpbrk(p, ",:\\") == NULL;
}

static int
append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t c = (*cap + n + 1) * 2;
		char *v = realloc(*buf, c);
		if (v == NULL)
			return -ENOMEM;
		*buf = v;
		*cap = c;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* "lowerdir=A:B[,upperdir=D/fs,workdir=D/work]" */
static int
build_opts(const char *dir, const char *const *lowers, int n, char **out)
{
	char *buf = NULL, path[PATH_MAX];
	size_t len = 0, cap = 0;
	int r = append(&buf, &len, &cap, "lowerdir=");

	for (int i = 0; r == 0 && i < n; i++) {
		if (!plain_path(lowers[i]))
			r = -EINVAL;
		else if ((r = append(&buf, &len, &cap, i ? ":" : "")) == 0)
			r = append(&buf, &len, &cap, lowers[i]);
	}
	if (r == 0 && dir) {
		snprintf(path, sizeof(path), ",upperdir=%s/fs,workdir=%s/work", dir, dir);
		r = plain_path(dir) ? append(&buf, &len, &cap, path) : -EINVAL;
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}

static int
fuse_mount(const char *dir, const char *const *lowers, int n, const char *target,
    char *why, size_t len)
{
	char *opts;
	int r;

	if ((r = build_opts(dir, lowers, n, &opts)) < 0) {
		snprintf(why, len, "%s", r == -EINVAL ? "a path of the store has ',', "
		    "':' or '\\', which fuse-overlayfs options cannot carry" : strerror(-r));
		return r;
	}
	r = fuse_spawner_mount(opts, target, why, len);
	free(opts);
	return r;
}

static int
fu_mount(const struct snap_mount *m)
{
	char why[512], fs[PATH_MAX];
	int r;

	/* as the overlay driver: bind mounts where no overlay is needed */
	if (m->dir && m->nlowers == 0) {
		snprintf(fs, sizeof(fs), "%s/fs", m->dir);
		return driver_bind(fs, m->target, 0);
	}
	if (!m->dir && m->nlowers == 1)
		return driver_bind(m->lowers[0], m->target, 1);
	r = fuse_mount(m->dir, m->lowers, m->nlowers, m->target, why, sizeof(why));
	if (r < 0)
		log_error("fuse-overlayfs on %s: %s", m->target, why);
	return r;
}

static int
fu_probe(const char *scratch, char *why, size_t len)
{
	char l1[PATH_MAX], l2[PATH_MAX], m[PATH_MAX], p[PATH_MAX + 16], bin[PATH_MAX];
	const char *lowers[2] = { l1, l2 };
	struct stat st;
	int fd, r;

	if (util_which("fuse-overlayfs", bin, sizeof(bin)) < 0) {
		snprintf(why, len, "fuse-overlayfs is not on PATH (package fuse-overlayfs)");
		return -ENOENT;
	}
	if ((fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(why, len, "cannot open /dev/fuse: %s", strerror(-r));
		return r;
	}
	close(fd);
	snprintf(l1, sizeof(l1), "%s/l1", scratch);
	snprintf(l2, sizeof(l2), "%s/l2", scratch);
	snprintf(m, sizeof(m), "%s/m", scratch);
	snprintf(p, sizeof(p), "%s/l2/gone", scratch);
	if (mkdir(l1, 0755) < 0 || mkdir(l2, 0755) < 0 || mkdir(m, 0755) < 0)
		r = -errno;
	else if ((r = driver_overlay_create(scratch, NULL)) == 0)
		r = driver_write_file(p, "x");
	if (r < 0) {
		snprintf(why, len, "making the trial dirs: %s", strerror(-r));
		return r;
	}
	if ((r = fuse_mount(scratch, lowers, 2, m, why, len)) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/m/gone", scratch);
	if (unlink(p) < 0) {
		r = -errno;
		snprintf(why, len, "removing a lower file through fuse-overlayfs: %s",
		    strerror(-r));
	}
	driver_umount(m);
	snprintf(p, sizeof(p), "%s/fs/gone", scratch);
	if (r == 0 && (lstat(p, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != 0)) {
		snprintf(why, len, "fuse-overlayfs did not record a removal as a 0:0 "
		    "device, the overlay format the layers' diff reads");
		r = -EOPNOTSUPP;
	}
	return r;
}

const struct snap_driver driver_fuse = {
	.name = "fuse-overlayfs",
	.layered = 1,
	.probe = fu_probe,
	.create = driver_overlay_create,
	.mount = fu_mount,
	.unmount = driver_umount,
	.scratch = "work",
};
