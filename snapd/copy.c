/* copy.c: SNAP_COPY with Docker's COPY and ADD rules, SNAP_MKDIR and SNAP_MKFILE, from a source root into a snapshot's mount. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include "copy.h"
#include "ipc_msg.h"

struct link_seen {
	dev_t	dev;
	ino_t	ino;
	char	*dst;
};

struct cp {
	const struct copy_req	*rq;
	struct snap_err		*err;
	char			 cache_path[PATH_MAX];
	int			 cache_fd;
	struct link_seen	*links;
	size_t			 nlinks;
	struct copy_manifest	*plan;		/* set: record, write nothing */
};

/* a/b into out; -ENAMETOOLONG (out "") when it does not fit */
static int
join(char *out, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), sep = la && lb;

	if (la + sep + lb >= size) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	memmove(out, a, la);
	if (sep)
		out[la] = '/';
	memcpy(out + la + sep, b, lb + 1);
	return 0;
}

/* mkdir of comp in prev; a dangling symlink there is followed (inside the
 * root), as BuildKit's root-scoped resolution does: *redo gets the path
 * to start again from. */
static int
make_comp(int prev, const char *prefix, const char *comp, const char *rest,
    mode_t mode, uid_t uid, gid_t gid, char *redo, size_t size)
{
	char target[PATH_MAX], to[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (mkdirat(prev, comp, 0700) == 0)
		return fchownat(prev, comp, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(prev, comp, mode, 0) < 0 ? -errno : 0;
	if (errno != EEXIST || fstatat(prev, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode))
		return -errno;
	n = readlinkat(prev, comp, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	fs_link_target(prefix, target, to, sizeof(to));
	if ((size_t)snprintf(redo, size, "%s%s%s", to, *to && rest && *rest ? "/" : "",
	    rest ? rest : "") >= size)
		return -ENAMETOOLONG;
	return 1;
}

int
dst_open_dir(int root, const char *rel, int mkparents, mode_t mode, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX], prefix[PATH_MAX], redo[PATH_MAX], *save, *comp;
	int fd = fs_open_in_root(root, rel, O_PATH | O_DIRECTORY), prev, hops = 0, r;

	if (fd != -ENOENT || !mkparents)
		return fd;
	if (strlen(rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, rel);
again:
	save = NULL;
	prefix[0] = '\0';
	prev = fs_open_in_root(root, "", O_PATH | O_DIRECTORY);
	for (comp = strtok_r(buf, "/", &save); prev >= 0 && comp;
	    comp = strtok_r(NULL, "/", &save)) {
		if (join(prefix, sizeof(prefix), prefix, comp) < 0) {
			close(prev);
			return -ENAMETOOLONG;
		}
		fd = fs_open_in_root(root, prefix, O_PATH | O_DIRECTORY);
		if (fd == -ENOENT) {
			r = make_comp(prev, prefix, comp, save, mode, uid, gid, redo,
			    sizeof(redo));
			if (r == 1 && ++hops < 40) {
				close(prev);
				strcpy(buf, redo);
				goto again;
			}
			fd = r < 0 ? r : r == 1 ? -ELOOP :
			    fs_open_in_root(root, prefix, O_PATH | O_DIRECTORY);
		}
		close(prev);
		prev = fd;
	}
	return prev;
}

static uid_t
owner_uid(const struct cp *c, const struct stat *st)
{
	return c->rq->uid >= 0 ? (uid_t)c->rq->uid : c->rq->from_context ? 0 : st->st_uid;
}

static gid_t
owner_gid(const struct cp *c, const struct stat *st)
{
	return c->rq->gid >= 0 ? (gid_t)c->rq->gid : c->rq->from_context ? 0 : st->st_gid;
}

static void
times_of(const struct cp *c, const struct stat *st, struct timespec ts[2])
{
	if (c->rq->mtime >= 0) {
		ts[0].tv_sec = ts[1].tv_sec = c->rq->mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		return;
	}
	ts[0] = st->st_mtim;
	ts[1] = st->st_mtim;
}

static mode_t
final_mode(const struct cp *c, const struct stat *st)
{
	return c->rq->chmod ? chmod_apply(c->rq->chmod, st->st_mode, S_ISDIR(st->st_mode)) :
	    st->st_mode & 07777;
}

/* Owner, mode, times of what fd is (a file or a directory). */
static int
set_meta(struct cp *c, int fd, const struct stat *st, const char *dst)
{
	mode_t mode = final_mode(c, st);
	struct timespec ts[2];

	times_of(c, st, ts);
	if (fchown(fd, owner_uid(c, st), owner_gid(c, st)) < 0 || fchmod(fd, mode) < 0 ||
	    futimens(fd, ts) < 0)
		return snap_errf(c->err, -errno, "destination '/%s': setting owner, mode "
		    "and times: %s", dst, strerror(errno));
	return 0;
}

/* user.* xattrs, as Docker keeps them, and security.capability where the
 * user namespace lets it be set; after the owner (a chown drops
 * capabilities). A destination without xattrs gets none. */
static int
copy_xattrs(struct cp *c, int src, int dst, const char *path)
{
	char names[16384], value[65536];
	ssize_t n = flistxattr(src, names, sizeof(names)), v;

	if (n < 0)
		return errno == ENOTSUP ? 0 : snap_errf(c->err, -errno, "source of '/%s': "
		    "listing xattrs: %s", path, strerror(errno));
	for (char *s = names; s < names + n; s += strlen(s) + 1) {
		int cap = strcmp(s, "security.capability") == 0;

		if (!cap && (strncmp(s, "user.", 5) != 0 || strncmp(s, "user.overlay.", 13) == 0))
			continue;
		if ((v = fgetxattr(src, s, value, sizeof(value))) < 0) {
			if (errno == ENODATA)
				continue;
			return snap_errf(c->err, -errno, "source of '/%s': reading %s: %s", path,
			    s, strerror(errno));
		}
		if (fsetxattr(dst, s, value, (size_t)v, 0) == 0 || errno == ENOTSUP ||
		    (cap && (errno == EPERM || errno == EINVAL)))
			continue;
		return snap_errf(c->err, -errno, "'/%s': setting %s: %s", path, s,
		    strerror(errno));
	}
	return 0;
}

/* --- plan: what would be written, as a manifest --- */

static int
plan_add(struct cp *c, char type, const char *src, int follow, const struct stat *st,
    const char *dst, const unsigned char md[32])
{
	struct copy_manifest *m = c->plan;
	struct timespec ts[2];
	struct cm_entry *e;

	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;

		if ((e = realloc(m->e, ncap * sizeof(*e))) == NULL)
			return -ENOMEM;
		m->e = e;
		m->cap = ncap;
	}
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	e->dst = strdup(dst);
	e->src = strdup(src ? src : "");
	if (e->dst == NULL || e->src == NULL) {
		free(e->dst);
		free(e->src);
		return -ENOMEM;
	}
	m->n++;
	e->type = type;
	e->follow = (uint8_t)follow;
	e->s_mode = st->st_mode;
	e->s_uid = st->st_uid;
	e->s_gid = st->st_gid;
	e->s_mtim = st->st_mtim;
	e->s_size = st->st_size;
	e->mode = final_mode(c, st);
	e->uid = owner_uid(c, st);
	e->gid = owner_gid(c, st);
	times_of(c, st, ts);
	e->sec = ts[1].tv_sec;
	e->nsec = ts[1].tv_nsec;
	e->size = type == 'f' ? st->st_size : 0;
	if (md)
		memcpy(e->md, md, 32);
	return 0;
}

/* A directory of the destination must resolve through no symlink: the
 * earlier result's upper dir holds an entry at its very path. Missing
 * is fine (the copy makes it). */
static void
plan_check_dir(struct cp *c, const char *path, int *exists)
{
	int fd = fs_open_dir(c->rq->dst_root, path, 0, (uid_t)-1, (gid_t)-1);

	*exists = fd >= 0;
	if (fd >= 0)
		close(fd);
	else if (fd != -ENOENT)
		c->plan->ineligible = 1;
}

static int
plan_parent(struct cp *c, const char *dst)
{
	const char *slash = strrchr(dst, '/');
	char parent[PATH_MAX];
	int exists;

	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dst) : 0, dst);
	if (c->plan->last_parent && strcmp(c->plan->last_parent, parent) == 0)
		return 0;
	free(c->plan->last_parent);
	if ((c->plan->last_parent = strdup(parent)) == NULL)
		return -ENOMEM;
	plan_check_dir(c, parent, &exists);
	return 0;
}

/* the file is name in dir (name "": dir is the file) */
static int
plan_file(struct cp *c, int dir, const char *name, const char *spath, int follow,
    const struct stat *st, const char *dst)
{
	unsigned char md[32];
	int r;

	if (st->st_nlink > 1)
		c->plan->ineligible = 1;	/* links between entries: a full copy */
	if ((r = plan_parent(c, dst)) < 0)
		return r;
	if ((r = checksum_content(dir, name, st, md)) < 0)
		return snap_errf(c->err, r, "source '%s': %s", spath, strerror(-r));
	return plan_add(c, 'f', spath, follow, st, dst, md);
}

static int
plan_special(struct cp *c, int sdir, const char *name, const struct stat *st,
    const char *dst, const char *spath)
{
	unsigned char md[32] = { 0 };
	char target[PATH_MAX];
	ssize_t n;
	int r;

	if ((r = plan_parent(c, dst)) < 0)
		return r;
	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return snap_errf(c->err, -errno, "reading the link %s: %s", name,
			    strerror(errno));
		if (EVP_Digest(target, (size_t)n, md, NULL, EVP_sha256(), NULL) != 1)
			return -ENOMEM;
	}
	return plan_add(c, S_ISLNK(st->st_mode) ? 'l' : 'p', spath, 0, st, dst, md);
}

/* The parent directory of dst in the snapshot, made when missing. */
static int
dst_parent(struct cp *c, const char *dst, const char **base)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(dst, '/');
	uid_t uid = c->rq->uid >= 0 ? (uid_t)c->rq->uid : 0;
	gid_t gid = c->rq->gid >= 0 ? (gid_t)c->rq->gid : 0;
	int fd;

	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dst) : 0, dst);
	*base = slash ? slash + 1 : dst;
	if (c->cache_fd >= 0 && strcmp(parent, c->cache_path) == 0)
		return c->cache_fd;
	if (c->cache_fd >= 0)
		close(c->cache_fd);
	c->cache_fd = -1;
	fd = dst_open_dir(c->rq->dst_root, parent, 1, 0755, uid, gid);
	if (fd < 0)
		return snap_errf(c->err, fd, "destination '/%s': %s", parent,
		    fd == -ENOTDIR ? "not a directory" : strerror(-fd));
	snprintf(c->cache_path, sizeof(c->cache_path), "%s", parent);
	c->cache_fd = fd;
	return fd;
}

/* Makes room for a non-directory; a directory there is an error. */
static int
clear_spot(struct cp *c, int pfd, const char *base, const char *dst)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : snap_errf(c->err, -errno, "destination "
		    "'/%s': %s", dst, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return snap_errf(c->err, -EISDIR, "cannot copy a file over the "
		    "directory '/%s'", dst);
	if (unlinkat(pfd, base, 0) < 0)
		return snap_errf(c->err, -errno, "replacing '/%s': %s", dst, strerror(errno));
	return 0;
}

static int
link_known(struct cp *c, const struct stat *st, int pfd, const char *base, int *done)
{
	struct link_seen *l;

	*done = 0;
	if (st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < c->nlinks; i++)
		if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino) {
			int r = fs_open_in_root(c->rq->dst_root, c->links[i].dst, O_PATH);

			if (r < 0)
				return 0;	/* gone since: copy it again */
			*done = linkat(r, "", pfd, base, AT_EMPTY_PATH) == 0;
			close(r);
			return 0;
		}
	l = realloc(c->links, (c->nlinks + 1) * sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	c->links = l;
	l[c->nlinks].dev = st->st_dev;
	l[c->nlinks].ino = st->st_ino;
	l[c->nlinks].dst = NULL;
	c->nlinks++;
	return 0;
}

static void
link_record(struct cp *c, const struct stat *st, const char *dst)
{
	if (st->st_nlink < 2)
		return;
	for (size_t i = 0; i < c->nlinks; i++)
		if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino &&
		    c->links[i].dst == NULL)
			c->links[i].dst = strdup(dst);
}

/* The new file at pfd/base. Something already there (rare: a COPY
 * mostly fills new directories) is cleared on EEXIST, so the common case
 * costs no lookup of a missing name, which through an overlay mount
 * searches every lower layer. */
static int
create_file(struct cp *c, int pfd, const char *base, const char *dst)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fd, r;

	fd = openat(pfd, base, flags, 0600);
	if (fd < 0 && errno == EEXIST) {
		if ((r = clear_spot(c, pfd, base, dst)) < 0)
			return r;
		fd = openat(pfd, base, flags, 0600);
	}
	if (fd < 0)
		return snap_errf(c->err, -errno, "creating '/%s': %s", dst, strerror(errno));
	return fd;
}

static int
copy_file(struct cp *c, const char *spath, int follow, int src, const struct stat *st,
    const char *dst)
{
	const char *base;
	int pfd, fd, r, linked;

	if (c->plan)
		return plan_file(c, src, "", spath, follow, st, dst);
	if ((pfd = dst_parent(c, dst, &base)) < 0)
		return pfd;
	/* a hard link needs the spot clear before linkat */
	if (st->st_nlink > 1 && (r = clear_spot(c, pfd, base, dst)) < 0)
		return r;
	if ((r = link_known(c, st, pfd, base, &linked)) < 0 || linked)
		return r;
	if ((fd = create_file(c, pfd, base, dst)) < 0)
		return fd;
	/* all blocks allocated: no holes to look for */
	r = st->st_size > 0 && st->st_blocks * 512 >= st->st_size ?
	    fs_copy_dense(src, fd, st->st_size) : fs_copy_data(src, fd, st->st_size);
	if (r < 0)
		r = snap_errf(c->err, r, "copying into '/%s': %s", dst, strerror(-r));
	else
		r = set_meta(c, fd, st, dst);
	if (r == 0)
		r = copy_xattrs(c, src, fd, dst);
	close(fd);
	if (r == 0)
		link_record(c, st, dst);
	return r;
}

static int
copy_special(struct cp *c, int sdir, const char *name, const struct stat *st,
    const char *dst, const char *spath)
{
	char target[PATH_MAX];
	struct timespec ts[2];
	const char *base;
	int pfd, r;
	ssize_t n;

	if (c->plan)
		return plan_special(c, sdir, name, st, dst, spath);
	if ((pfd = dst_parent(c, dst, &base)) < 0)
		return pfd;
	if ((r = clear_spot(c, pfd, base, dst)) < 0)
		return r;
	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return snap_errf(c->err, -errno, "reading the link %s: %s", name,
			    strerror(errno));
		target[n] = '\0';
		r = symlinkat(target, pfd, base);
	} else
		r = mknodat(pfd, base, S_IFIFO | (st->st_mode & 07777), 0);
	times_of(c, st, ts);
	if (r < 0 || fchownat(pfd, base, owner_uid(c, st), owner_gid(c, st),
	    AT_SYMLINK_NOFOLLOW) < 0 || utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return snap_errf(c->err, -errno, "making '/%s': %s", dst, strerror(errno));
	return 0;
}

/* A directory at dst; made is set when it was not there before. */
static int
make_dir(struct cp *c, const char *dst, int *made)
{
	const char *base;
	struct stat st;
	int pfd;

	*made = 0;
	if (!*dst)
		return 0;
	if (c->plan) {
		plan_check_dir(c, dst, made);
		*made = !*made;
		return 0;
	}
	pfd = dst_parent(c, dst, &base);
	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, base, 0700) == 0) {
		*made = 1;
		return 0;
	}
	if (errno == EEXIST && fstatat(pfd, base, &st, 0) == 0 && S_ISDIR(st.st_mode))
		return 0;	/* a directory, or a symlink to one inside the root */
	return snap_errf(c->err, errno == EEXIST ? -ENOTDIR : -errno, "destination "
	    "'/%s': %s", dst, errno == EEXIST ? "exists and is not a directory" :
	    strerror(errno));
}

static int dir_meta(struct cp *c, const char *dst, const struct stat *st, int sfd,
    const char *spath, int follow);
static int walk(struct cp *c, int sdir, const char *src, const char *dst);

static int
walk_entry(struct cp *c, int sdir, const char *name, const char *src, const char *dst)
{
	int excluded = c->rq->ex && patterns_excluded(c->rq->ex, src), fd, r, made;
	struct stat st;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return snap_errf(c->err, -errno, "source '%s': %s", src, strerror(errno));
	if (excluded && !(S_ISDIR(st.st_mode) && c->rq->ex->has_negate))
		return 0;
	if (S_ISDIR(st.st_mode)) {
		fd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return snap_errf(c->err, -errno, "source '%s': %s", src, strerror(errno));
		/* an excluded directory with exceptions inside: made only
		 * when something in it is copied, as a parent */
		r = excluded ? 0 : make_dir(c, dst, &made);
		if (r == 0)
			r = walk(c, fd, src, dst);
		if (r == 0 && !excluded)
			r = dir_meta(c, dst, &st, fd, src, 0);
		close(fd);
		return r;
	}
	if (S_ISREG(st.st_mode) && c->plan)
		return plan_file(c, sdir, name, src, 0, &st, dst);	/* no open */
	if (S_ISREG(st.st_mode)) {
		fd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return snap_errf(c->err, -errno, "source '%s': %s", src, strerror(errno));
		r = copy_file(c, src, 0, fd, &st, dst);
		close(fd);
		return r;
	}
	if (S_ISLNK(st.st_mode) || S_ISFIFO(st.st_mode))
		return copy_special(c, sdir, name, &st, dst, src);
	return 0;	/* devices and sockets are not copied */
}

static int
walk(struct cp *c, int sdir, const char *src, const char *dst)
{
	char s[PATH_MAX], d[PATH_MAX], **names;
	size_t n;
	int r = fs_list_dir(sdir, &names, &n);

	if (r < 0)
		return snap_errf(c->err, r, "source '%s': %s", src, strerror(-r));
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (join(s, sizeof(s), src, names[i]) < 0 || join(d, sizeof(d), dst, names[i]) < 0)
			r = snap_errf(c->err, -ENAMETOOLONG, "source '%s/%s': path too long",
			    src, names[i]);
		else
			r = walk_entry(c, sdir, names[i], s, d);
	}
	fs_free_names(names, n);
	return r;
}

/* sfd: the source directory, for its xattrs (-1: leave them) */
static int
dir_meta(struct cp *c, const char *dst, const struct stat *st, int sfd, const char *spath,
    int follow)
{
	int fd, r;

	if (c->plan)
		return plan_add(c, 'd', spath, follow, st, dst, NULL);
	fd = fs_open_in_root(c->rq->dst_root, dst, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return snap_errf(c->err, fd, "destination '/%s': %s", dst, strerror(-fd));
	r = set_meta(c, fd, st, dst);
	if (r == 0 && sfd >= 0)
		r = copy_xattrs(c, sfd, fd, dst);
	close(fd);
	return r;
}

/* --- ADD of a local archive --- */

static int
is_archive(int fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int yes;

	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	yes = archive_read_open_fd(a, fd, 64 * 1024) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	lseek(fd, 0, SEEK_SET);
	return yes;
}

struct unpack_job {
	int			root, archive;
	const char		*what;
	struct layer_opts	o;
};

static int
unpack_in_jail(void *arg, struct jail_out *out)
{
	struct unpack_job *j = arg;
	struct layer_stats st;

	return layer_apply(j->root, j->archive, j->what, &j->o, &st, &out->err);
}

static int
unpack(struct cp *c, int src, const char *name, const char *dst)
{
	struct unpack_job j = { -1, src, name, { 1, c->rq->uid, c->rq->gid, 1, NULL, NULL } };
	struct jail_out out;
	int keep[2], made, r;

	if (c->plan) {
		c->plan->ineligible = 1;
		return 0;
	}
	if ((r = make_dir(c, dst, &made)) < 0)
		return r;
	j.root = fs_open_in_root(c->rq->dst_root, dst, O_RDONLY | O_DIRECTORY);
	if (j.root < 0)
		return snap_errf(c->err, j.root, "destination '/%s': %s", dst,
		    strerror(-j.root));
	keep[0] = j.root;
	keep[1] = src;
	r = jail_run(unpack_in_jail, &j, keep, 2, &out);
	if (r < 0)
		*c->err = out.err;
	close(j.root);
	return r;
}

/* --- one source --- */

/* src as found under the source root; kept: what --parents keeps of it */
static int
copy_source(struct cp *c, const char *src, const char *kept, const char *dest,
    int dest_is_dir)
{
	const struct copy_req *rq = c->rq;
	int follow = (rq->flags & SNAP_COPY_FOLLOW) != 0, fd, r, made;
	const char *name = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	char dst[PATH_MAX];
	struct stat st;

	fd = src_open(rq->src_root, src, follow, O_PATH);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		return snap_errf(c->err, r, "source '%s': %s", src, strerror(-r));
	}
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		/* a directory's contents, not the directory itself */
		if (join(dst, sizeof(dst), dest, rq->flags & SNAP_COPY_PARENTS ? kept : "") < 0)
			return snap_errf(c->err, -ENAMETOOLONG, "destination too long");
		fd = src_open(rq->src_root, src, follow, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		r = make_dir(c, dst, &made);
		if (r == 0)
			r = walk(c, fd, src, dst);
		if (r == 0 && made)
			r = dir_meta(c, dst, &st, fd, src, follow);
		close(fd);
		return r;
	}
	if (dest_is_dir) {
		if (join(dst, sizeof(dst), dest, rq->flags & SNAP_COPY_PARENTS ? kept : name) < 0)
			return snap_errf(c->err, -ENAMETOOLONG, "destination too long");
	} else
		snprintf(dst, sizeof(dst), "%s", dest);
	if (S_ISREG(st.st_mode)) {
		fd = src_open(rq->src_root, src, follow, O_RDONLY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		if ((rq->flags & SNAP_COPY_UNPACK) && is_archive(fd))
			r = unpack(c, fd, src, dest);
		else
			r = copy_file(c, src, follow, fd, &st, dst);
		close(fd);
		return r;
	}
	{
		/* a symlink (not followed) or a fifo: made from its parent */
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%.*s", (int)(name - src ? name - src - 1 : 0), src);
		fd = src_open(rq->src_root, parent, 1, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		r = S_ISLNK(st.st_mode) || S_ISFIFO(st.st_mode) ?
		    copy_special(c, fd, name, &st, dst, src) : 0;
		close(fd);
		return r;
	}
}

static int
copy_run(struct cp *c0, const struct copy_req *rq, struct snap_err *err)
{
	struct cp c = *c0;
	struct src_list l;
	char dest[PATH_MAX];
	size_t len = strlen(rq->dest);
	int r, dest_is_dir, fd;

	if (fs_clean_path(rq->dest, 1, dest, sizeof(dest)) < 0)
		return snap_errf(err, -EINVAL, "destination '%s' has '..' in it", rq->dest);
	if ((r = src_expand_in(rq->src_root, rq->from_context ? "the build context" :
	    "the --from stage or image", rq->srcs, rq->nsrcs, rq->ex, &l, err)) < 0)
		return r;
	fd = dst_open_dir(rq->dst_root, dest, 0, 0, 0, 0);
	dest_is_dir = !*dest || (len && rq->dest[len - 1] == '/') || fd >= 0;
	if (fd >= 0)
		close(fd);
	if (!dest_is_dir && (rq->nsrcs > 1 || l.n > 1)) {
		r = snap_errf(err, -ENOTDIR, "copying %s needs a destination directory "
		    "ending in '/', not '%s'", rq->nsrcs > 1 ? "several sources" :
		    "what a wildcard matched", rq->dest);
		goto out;
	}
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = copy_source(&c, l.v[i], l.v[i] + l.keep[i], dest, dest_is_dir);
out:
	src_list_free(&l);
	if (c.cache_fd >= 0)
		close(c.cache_fd);
	for (size_t i = 0; i < c.nlinks; i++)
		free(c.links[i].dst);
	free(c.links);
	return r;
}

int
snap_copy(const struct copy_req *rq, struct snap_err *err)
{
	struct cp c = { .rq = rq, .err = err, .cache_fd = -1 };

	return copy_run(&c, rq, err);
}

void
copy_manifest_free(struct copy_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].dst);
		free(m->e[i].src);
	}
	free(m->e);
	free(m->last_parent);
	memset(m, 0, sizeof(*m));
}

int
snap_copy_plan(const struct copy_req *rq, struct copy_manifest *m, struct snap_err *err)
{
	struct cp c = { .rq = rq, .err = err, .cache_fd = -1, .plan = m };

	/* a name --parents keeps or a ! exception makes parents that no
	 * entry records */
	if (rq->flags & (SNAP_COPY_PARENTS | SNAP_COPY_UNPACK) || (rq->ex && rq->ex->has_negate))
		m->ineligible = 1;
	return copy_run(&c, rq, err);
}

/* the source's stat as the plan saw it (no hard links: nlink 1) */
static void
entry_stat(const struct cm_entry *e, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = e->s_mode;
	st->st_uid = e->s_uid;
	st->st_gid = e->s_gid;
	st->st_mtim = e->s_mtim;
	st->st_size = e->s_size;
	st->st_nlink = 1;
}

static int
apply_one(struct cp *c, const struct cm_entry *e)
{
	const char *slash = strrchr(e->src, '/'), *name = slash ? slash + 1 : e->src;
	char parent[PATH_MAX];
	struct stat st;
	int fd, r, made;

	entry_stat(e, &st);
	if (e->type == 'd')
		return make_dir(c, e->dst, &made);
	if (e->type == 'f') {
		fd = src_open(c->rq->src_root, e->src, e->follow, O_RDONLY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", e->src, strerror(-fd));
		r = copy_file(c, e->src, e->follow, fd, &st, e->dst);
		close(fd);
		return r;
	}
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - e->src) : 0, e->src);
	fd = src_open(c->rq->src_root, parent, 1, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return snap_errf(c->err, fd, "source '%s': %s", e->src, strerror(-fd));
	r = copy_special(c, fd, name, &st, e->dst, e->src);
	close(fd);
	return r;
}

int
snap_copy_apply(const struct copy_req *rq, const struct copy_manifest *m,
    struct snap_err *err)
{
	struct cp c = { .rq = rq, .err = err, .cache_fd = -1 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->n; i++)
		if (!m->e[i].keep)
			r = apply_one(&c, &m->e[i]);
	/* contents first: writing into a directory changes its times */
	for (size_t i = m->n; r == 0 && i-- > 0;) {
		const struct cm_entry *e = &m->e[i];
		struct stat st;
		int sfd = -1;

		if (e->type != 'd' || !e->meta)
			continue;
		/* a directory made now takes the source's xattrs too */
		if (!e->keep && (sfd = src_open(rq->src_root, e->src, e->follow,
		    O_RDONLY | O_DIRECTORY)) < 0) {
			r = snap_errf(err, sfd, "source '%s': %s", e->src, strerror(-sfd));
			break;
		}
		entry_stat(e, &st);
		r = dir_meta(&c, e->dst, &st, sfd, e->src, e->follow);
		if (sfd >= 0)
			close(sfd);
	}
	if (c.cache_fd >= 0)
		close(c.cache_fd);
	free(c.links);
	return r;
}

/* --- SNAP_MKDIR, SNAP_MKFILE --- */

int
snap_mkdir(int root, const char *path, mode_t mode, uid_t uid, gid_t gid,
    struct snap_err *err)
{
	char rel[PATH_MAX];
	int fd;

	if (fs_clean_path(path, 1, rel, sizeof(rel)) < 0)
		return snap_errf(err, -EINVAL, "'%s' has '..' in it", path);
	fd = dst_open_dir(root, rel, 1, mode, uid, gid);
	if (fd < 0)
		return snap_errf(err, fd, "mkdir -p %s: %s", path,
		    fd == -ENOTDIR ? "a part of it is not a directory" : strerror(-fd));
	close(fd);
	return 0;
}

int
snap_mkfile(int root, const char *path, int content, mode_t mode, uid_t uid,
    gid_t gid, int64_t mtime, struct snap_err *err)
{
	struct copy_req rq = { .dst_root = root, .uid = uid, .gid = gid, .mtime = mtime };
	struct cp c = { .rq = &rq, .err = err, .cache_fd = -1 };
	char rel[PATH_MAX], buf[65536];
	struct stat st = { .st_mode = S_IFREG | (mode & 07777), .st_nlink = 1 };
	const char *base;
	ssize_t n;
	int pfd, fd, r;

	if (fs_clean_path(path, 1, rel, sizeof(rel)) < 0 || !*rel)
		return snap_errf(err, -EINVAL, "'%s' is not a file path", path);
	/* parents as root, 0755 */
	rq.uid = rq.gid = 0;
	pfd = dst_parent(&c, rel, &base);
	rq.uid = uid;
	rq.gid = gid;
	if (pfd < 0)
		return pfd;
	r = clear_spot(&c, pfd, base, rel);
	fd = r < 0 ? -1 : openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (r == 0 && fd < 0)
		r = snap_errf(err, -errno, "creating '%s': %s", path, strerror(errno));
	while (r == 0 && (n = read(content, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(fd, buf, (size_t)n) != n)
			r = snap_errf(err, -errno, "writing '%s': %s", path, strerror(errno));
	}
	if (r == 0) {
		st.st_mtim.tv_sec = mtime >= 0 ? mtime : 0;
		if (mtime < 0)
			clock_gettime(CLOCK_REALTIME, &st.st_mtim);
		r = set_meta(&c, fd, &st, rel);
	}
	if (fd >= 0)
		close(fd);
	close(c.cache_fd);
	return r;
}
