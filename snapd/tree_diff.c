/* tree_diff.c: a layer's entries from an overlay upper dir, or from a tree compared with its parent's, into a tar writer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include "tar_write.h"

#define DIFF_MAX_DEPTH	256

/* A directory whose header waits until something under it changed. */
struct pending {
	int		dir;		/* its parent, open */
	char		name[NAME_MAX + 1];
	char		path[PATH_MAX];
	struct stat	st;
	int		done;
};

struct diff {
	struct tarw	*tw;
	struct snap_err	*err;
	struct pending	pend[DIFF_MAX_DEPTH];
	int		depth;
};

static int
flush_pending(struct diff *d)
{
	for (int i = 0; i < d->depth; i++) {
		struct pending *p = &d->pend[i];
		int r;

		if (p->done)
			continue;
		if ((r = tarw_add(d->tw, p->dir, p->name, p->path, &p->st)) < 0)
			return r;
		p->done = 1;
	}
	return 0;
}

static void
child_path(char *out, size_t size, const char *path, const char *name)
{
	if ((size_t)snprintf(out, size, "%s%s%s", path, *path ? "/" : "", name) >= size)
		out[0] = '\0';
}

static int
is_opaque(int dir, const char *name)
{
	char v[4];
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), y;

	if (fd < 0)
		return 0;
	y = (fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) == 1 ||
	    fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1) && v[0] == 'y';
	close(fd);
	return y;
}

static int upper_walk(struct diff *d, int dir, const char *path);

/* One entry of an overlay upper dir: a 0:0 character device is a
 * whiteout, an opaque directory gets .wh..wh..opq. */
static int
upper_entry(struct diff *d, int dir, const char *name, const char *path)
{
	char wh[PATH_MAX];
	struct stat st;
	int r, fd;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return snap_errf(d->err, -errno, "'%s': %s", path, strerror(errno));
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		snprintf(wh, sizeof(wh), "%.*s%s.wh.%s", (int)(strlen(path) - strlen(name)),
		    path, "", name);
		return tarw_whiteout(d->tw, wh, NULL);
	}
	if ((r = tarw_add(d->tw, dir, name, path, &st)) < 0 || !S_ISDIR(st.st_mode))
		return r;
	if (is_opaque(dir, name)) {
		snprintf(wh, sizeof(wh), "%s/.wh..wh..opq", path);
		if ((r = tarw_whiteout(d->tw, wh, &st)) < 0)
			return r;
	}
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return snap_errf(d->err, -errno, "'%s': %s", path, strerror(errno));
	r = upper_walk(d, fd, path);
	close(fd);
	return r;
}

static int
upper_walk(struct diff *d, int dir, const char *path)
{
	char child[PATH_MAX], **names;
	size_t n;
	int r = fs_list_dir(dir, &names, &n);

	if (r < 0)
		return snap_errf(d->err, r, "'%s': %s", path, strerror(-r));
	for (size_t i = 0; r == 0 && i < n; i++) {
		child_path(child, sizeof(child), path, names[i]);
		r = upper_entry(d, dir, names[i], child);
	}
	fs_free_names(names, n);
	return r;
}

/* --- comparing a tree with its parent's (native) --- */

static int
same_link(int a, int b, const char *name)
{
	char x[PATH_MAX], y[PATH_MAX];
	ssize_t n = readlinkat(a, name, x, sizeof(x)), m = readlinkat(b, name, y, sizeof(y));

	return n >= 0 && n == m && memcmp(x, y, (size_t)n) == 0;
}

static int
changed(const struct stat *c, const struct stat *p)
{
	return c->st_mode != p->st_mode || c->st_uid != p->st_uid || c->st_gid != p->st_gid ||
	    c->st_mtim.tv_sec != p->st_mtim.tv_sec || c->st_mtim.tv_nsec != p->st_mtim.tv_nsec ||
	    (!S_ISDIR(c->st_mode) && c->st_size != p->st_size) || c->st_rdev != p->st_rdev;
}

static int tree_walk(struct diff *d, int cdir, int pdir, const char *path);

static int
tree_entry(struct diff *d, int cdir, int pdir, const char *name, const char *path)
{
	struct stat c, p;
	int have_p = pdir >= 0 && fstatat(pdir, name, &p, AT_SYMLINK_NOFOLLOW) == 0;
	int cfd, pfd = -1, r;

	if (fstatat(cdir, name, &c, AT_SYMLINK_NOFOLLOW) < 0)
		return snap_errf(d->err, -errno, "'%s': %s", path, strerror(errno));
	if (have_p && (c.st_mode & S_IFMT) != (p.st_mode & S_IFMT))
		have_p = 0;	/* another kind of file: all new */
	if (!S_ISDIR(c.st_mode)) {
		if (have_p && !changed(&c, &p) && (!S_ISLNK(c.st_mode) ||
		    same_link(cdir, pdir, name)))
			return 0;
		if ((r = flush_pending(d)) < 0)
			return r;
		return tarw_add(d->tw, cdir, name, path, &c);
	}
	if (d->depth == DIFF_MAX_DEPTH)
		return snap_errf(d->err, -ELOOP, "'%s': deeper than %d", path, DIFF_MAX_DEPTH);
	cfd = openat(cdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0)
		return snap_errf(d->err, -errno, "'%s': %s", path, strerror(errno));
	if (have_p)
		pfd = openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	{
		struct pending *pe = &d->pend[d->depth++];

		pe->dir = cdir;
		snprintf(pe->name, sizeof(pe->name), "%s", name);
		snprintf(pe->path, sizeof(pe->path), "%s", path);
		pe->st = c;
		pe->done = 0;
	}
	r = !have_p || changed(&c, &p) ? flush_pending(d) : 0;
	if (r == 0)
		r = tree_walk(d, cfd, pfd, path);
	d->depth--;
	close(cfd);
	if (pfd >= 0)
		close(pfd);
	return r;
}

static int
tree_walk(struct diff *d, int cdir, int pdir, const char *path)
{
	char child[PATH_MAX], **cn, **pn = NULL;
	size_t nc, np = 0, i = 0, j = 0;
	int r = fs_list_dir(cdir, &cn, &nc);

	if (r == 0 && pdir >= 0)
		r = fs_list_dir(pdir, &pn, &np);
	if (r < 0)
		return snap_errf(d->err, r, "'%s': %s", path, strerror(-r));
	/* a merge of two sorted lists: only in the parent is a whiteout */
	while (r == 0 && (i < nc || j < np)) {
		int cmp = i == nc ? 1 : j == np ? -1 : strcmp(cn[i], pn[j]);

		if (cmp > 0) {
			char wh[PATH_MAX];

			snprintf(wh, sizeof(wh), "%s%s.wh.%s", path, *path ? "/" : "", pn[j++]);
			r = flush_pending(d);
			if (r == 0)
				r = tarw_whiteout(d->tw, wh, NULL);
			continue;
		}
		child_path(child, sizeof(child), path, cn[i]);
		r = tree_entry(d, cdir, cmp == 0 ? pdir : -1, cn[i], child);
		i++;
		j += cmp == 0;
	}
	fs_free_names(cn, nc);
	fs_free_names(pn, np);
	return r;
}

int
tree_diff_upper(int upper, struct tarw *tw, struct snap_err *err)
{
	struct diff *d = calloc(1, sizeof(*d));
	int r;

	if (d == NULL)
		return snap_errf(err, -ENOMEM, "out of memory");
	d->tw = tw;
	d->err = err;
	r = upper_walk(d, upper, "");
	free(d);
	return r;
}

int
tree_diff(int child, int parent, struct tarw *tw, struct snap_err *err)
{
	struct diff *d = calloc(1, sizeof(*d));
	int r;

	if (d == NULL)
		return snap_errf(err, -ENOMEM, "out of memory");
	d->tw = tw;
	d->err = err;
	r = tree_walk(d, child, parent, "");
	free(d);
	return r;
}
