/* copy_inc.c: the incremental COPY: a new result made from the last one of the same COPY, only the changed entries written, by a manifest kept with each result. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include "copy.h"
#include "copy_inc.h"
#include "files_api.h"
#include "log.h"
#include "store.h"

/*
 * A record per COPY definition (its key without the content's checksums,
 * which solverd sends): <state>/copyinc/<hex of the key>, written when the
 * COPY is done (before its commit):
 *   "kiln-copy-manifest 1 <entries>\n"
 *   "<snapshot id> <its parent id or ->\n"
 *   per entry: "<type> <mode octal> <uid> <gid> <mtime s> <ns> <size>
 *   <sha256 hex> " then the path (relative to the snapshot root) and a NUL.
 * The record only says what the snapshot's own layer holds; it is trusted
 * only while that snapshot is committed on the same parent, so a record
 * of a result that was never committed, or was pruned, is ignored.
 */

#define INC_MAX_BYTES	(256u << 20)
/* a direct copy costs an unmount and a mount: for bigger COPYs only */
#define DIRECT_MIN	64
#define INC_MAGIC	"kiln-copy-manifest 1"

struct prev {
	char			snap[STORE_ID_MAX], parent[STORE_ID_MAX];
	struct copy_manifest	m;
};

/* --- an index of a manifest by path --- */

struct cm_index {
	size_t	*slot;		/* entry + 1; 0 empty */
	size_t	 cap;
};

static size_t
path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static int
index_build(struct cm_index *x, const struct copy_manifest *m)
{
	x->cap = 16;
	while (x->cap < m->n * 2 + 16)
		x->cap *= 2;
	if ((x->slot = calloc(x->cap, sizeof(*x->slot))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		size_t k = path_hash(m->e[i].dst) & (x->cap - 1);

		while (x->slot[k])
			k = (k + 1) & (x->cap - 1);
		x->slot[k] = i + 1;
	}
	return 0;
}

static struct cm_entry *
index_find(const struct cm_index *x, const struct copy_manifest *m, const char *path)
{
	for (size_t k = path_hash(path) & (x->cap - 1); x->slot[k]; k = (k + 1) & (x->cap - 1))
		if (strcmp(m->e[x->slot[k] - 1].dst, path) == 0)
			return &m->e[x->slot[k] - 1];
	return NULL;
}

/* --- the record on disk --- */

static int
record_path(const char *base, char *out, size_t size)
{
	const char *hex = strncmp(base, "sha256:", 7) == 0 ? base + 7 : "";

	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return -EINVAL;
	snprintf(out, size, "%s/copyinc/%s", store_state_dir(), hex);
	return 0;
}

static void
record_drop(const char *base)
{
	char path[PATH_MAX];

	if (record_path(base, path, sizeof(path)) == 0 && unlink(path) < 0 && errno != ENOENT)
		log_warn("removing %s: %s", path, strerror(errno));
}

static int
record_save(const char *base, const char *snap, const char *parent,
    const struct copy_manifest *m)
{
	static const char digits[] = "0123456789abcdef";
	char path[PATH_MAX], tmp[PATH_MAX + 32], hex[65];
	FILE *f;
	int r = 0;

	if (record_path(base, path, sizeof(path)) < 0)
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s/copyinc", store_state_dir());
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "we")) == NULL)
		return -errno;
	fprintf(f, "%s %zu\n%s %s\n", INC_MAGIC, m->n, snap, *parent ? parent : "-");
	for (size_t i = 0; i < m->n; i++) {
		const struct cm_entry *e = &m->e[i];

		for (int k = 0; k < 32; k++) {
			hex[2 * k] = digits[e->md[k] >> 4];
			hex[2 * k + 1] = digits[e->md[k] & 15];
		}
		hex[64] = '\0';
		fprintf(f, "%c %o %u %u %lld %lld %lld %s ", e->type, e->mode, e->uid, e->gid,
		    (long long)e->sec, (long long)e->nsec, (long long)e->size, hex);
		fwrite(e->dst, 1, strlen(e->dst) + 1, f);
	}
	if (ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 64 hex digits and a space */
static int
unhex(char **pp, unsigned char md[32])
{
	char *p = *pp;

	for (int k = 0; k < 32; k++) {
		int hi = hexval(p[2 * k]), lo = hi < 0 ? -1 : hexval(p[2 * k + 1]);

		if (lo < 0)
			return -EINVAL;
		md[k] = (unsigned char)(hi << 4 | lo);
	}
	if (p[64] != ' ')
		return -EINVAL;
	*pp = p + 65;
	return 0;
}

/* a number in base and a space */
static int
num(char **pp, int base, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(*pp, &end, base);
	if (errno || end == *pp || *end != ' ')
		return -EINVAL;
	*pp = end + 1;
	return 0;
}

/* one entry: strtoll and a hex loop, not sscanf: 10,000 of them are read
 * in an incremental COPY's path */
static int
parse_entry(char **pp, const char *end, struct cm_entry *e)
{
	char *p = *pp;
	long long v[6];
	size_t len;

	if (memchr(p, '\0', (size_t)(end - p)) == NULL || !strchr("fdlp", *p) || !*p ||
	    p[1] != ' ')
		return -EINVAL;
	e->type = *p;
	p += 2;
	for (int i = 0; i < 6; i++)
		if (num(&p, i == 0 ? 8 : 10, &v[i]) < 0 || (i < 3 && (v[i] < 0 ||
		    v[i] > UINT32_MAX)))
			return -EINVAL;
	if (unhex(&p, e->md) < 0)
		return -EINVAL;
	len = strlen(p);
	if (len == 0 || (e->dst = strdup(p)) == NULL)
		return len ? -ENOMEM : -EINVAL;
	e->mode = (uint32_t)v[0];
	e->uid = (uint32_t)v[1];
	e->gid = (uint32_t)v[2];
	e->sec = v[3];
	e->nsec = v[4];
	e->size = v[5];
	*pp = p + len + 1;
	return 0;
}

static int
parse(char *buf, size_t len, struct prev *pv)
{
	char *p = buf, *end = buf + len, *nl;
	size_t n;
	int k = -1;

	buf[len] = '\0';
	if (sscanf(p, INC_MAGIC " %zu\n%n", &n, &k) != 1 || k < 0 || n > INC_MAX_BYTES / 16)
		return -EINVAL;
	p += k;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return -EINVAL;
	*nl = '\0';
	if (sscanf(p, "%39s %39s", pv->snap, pv->parent) != 2)
		return -EINVAL;
	if (strcmp(pv->parent, "-") == 0)
		pv->parent[0] = '\0';
	p = nl + 1;
	if ((pv->m.e = calloc(n + 1, sizeof(*pv->m.e))) == NULL)
		return -ENOMEM;
	pv->m.cap = n + 1;
	while (pv->m.n < n) {
		int r = parse_entry(&p, end, &pv->m.e[pv->m.n]);

		if (r < 0)
			return r;
		pv->m.n++;
	}
	return p == end ? 0 : -EINVAL;
}

/* The record of base, if its snapshot is committed on parent. */
static int
record_load(const char *base, const char *parent, struct prev *pv)
{
	struct store_info info;
	char path[PATH_MAX], *buf = NULL;
	struct stat st;
	int fd, r;

	memset(pv, 0, sizeof(*pv));
	if ((r = record_path(base, path, sizeof(path))) < 0)
		return r;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || (uint64_t)st.st_size > INC_MAX_BYTES)
		r = -EINVAL;
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		r = -ENOMEM;
	else if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		r = -EIO;
	close(fd);
	if (r == 0)
		r = parse(buf, (size_t)st.st_size, pv);
	free(buf);
	if (r == 0 && store_stat(pv->snap, &info) < 0) {
		unlink(path);	/* its result was pruned */
		r = -ESTALE;
	} else if (r == 0 && (info.kind != STORE_COMMITTED || strcmp(info.parent, parent) != 0))
		r = -ESTALE;
	if (r < 0) {
		if (r != -ESTALE)
			log_warn("%s: not a copy manifest (%s); a full COPY", path, strerror(-r));
		copy_manifest_free(&pv->m);
	}
	return r;
}

/* --- what changed --- */

static int
same(const struct cm_entry *a, const struct cm_entry *b)
{
	return a->type == b->type && a->mode == b->mode && a->uid == b->uid &&
	    a->gid == b->gid && a->sec == b->sec && a->nsec == b->nsec &&
	    a->size == b->size && memcmp(a->md, b->md, 32) == 0;
}

static void
parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, size, "%.*s", slash ? (int)(slash - path) : 0, path);
}

/* keep for what the earlier result has as it is; meta for directories
 * that change or get an entry written. The count of entries to write. */
static int
mark(struct copy_manifest *now, const struct copy_manifest *old, size_t *writes)
{
	struct cm_index xo, xn;
	char parent[PATH_MAX];

	*writes = 0;
	if (index_build(&xo, old) < 0)
		return -ENOMEM;
	if (index_build(&xn, now) < 0) {
		free(xo.slot);
		return -ENOMEM;
	}
	for (size_t i = 0; i < now->n; i++) {
		struct cm_entry *e = &now->e[i], *o = index_find(&xo, old, e->dst), *d;

		e->keep = o && same(o, e);
		if (e->keep)
			continue;
		(*writes)++;
		e->meta = e->type == 'd';
		parent_of(e->dst, parent, sizeof(parent));
		if ((d = index_find(&xn, now, parent)) && d->type == 'd')
			d->meta = 1;
	}
	free(xo.slot);
	free(xn.slot);
	return 0;
}

/* --- the earlier layer's kept entries, linked into the new one --- */

struct made {
	char		*path;
	struct timespec	 ts[2];
};

struct clone {
	const struct copy_manifest	*m;
	int				 prev;		/* the earlier upper dir */
	struct made			*made;
	size_t				 nmade;
	char				 cur[PATH_MAX];	/* the parent open now: */
	int				 cur_prev, cur_new;
	size_t				 linked;
};

static int
copy_xattrs(int from, int to)
{
	char names[16384], value[65536];
	ssize_t n = flistxattr(from, names, sizeof(names)), v;

	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (char *s = names; s < names + n; s += strlen(s) + 1) {
		if ((v = fgetxattr(from, s, value, sizeof(value))) < 0)
			return -errno;
		if (fsetxattr(to, s, value, (size_t)v, 0) < 0 && strncmp(s, "user.", 5) == 0)
			return -errno;
	}
	return 0;
}

/* path (a directory in the earlier layer) in the new one, its parents
 * first, with the earlier one's owner, mode and xattrs; times at the end */
static int
mirror_dir(struct clone *cl, int upper, const char *path, unsigned depth)
{
	char parent[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct made *mk;
	struct stat st;
	int fd = fs_open_dir(upper, path, 0, (uid_t)-1, (gid_t)-1), pfd, sfd, dfd, r;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -ENOENT)
		return fd;
	if (!*path || depth > 256)
		return -ELOOP;
	parent_of(path, parent, sizeof(parent));
	if ((r = mirror_dir(cl, upper, parent, depth + 1)) < 0)
		return r;
	if ((sfd = fs_open_beneath(cl->prev, path, O_RDONLY | O_DIRECTORY)) < 0)
		return sfd;
	if (fstat(sfd, &st) < 0 || (pfd = fs_open_dir(upper, parent, 0, (uid_t)-1,
	    (gid_t)-1)) < 0) {
		r = -errno;
		close(sfd);
		return r;
	}
	r = mkdirat(pfd, base, 0700) < 0 ? -errno : 0;
	dfd = r < 0 ? -1 : openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (r == 0 && (dfd < 0 || fchown(dfd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(dfd, st.st_mode & 07777) < 0))
		r = -errno;
	if (r == 0)
		r = copy_xattrs(sfd, dfd);
	close(sfd);
	if (dfd >= 0)
		close(dfd);
	if (r < 0)
		return r;
	if ((mk = realloc(cl->made, (cl->nmade + 1) * sizeof(*mk))) == NULL)
		return -ENOMEM;
	cl->made = mk;
	mk[cl->nmade].ts[0] = st.st_atim;
	mk[cl->nmade].ts[1] = st.st_mtim;
	if ((mk[cl->nmade].path = strdup(path)) == NULL)
		return -ENOMEM;
	cl->nmade++;
	return 0;
}

static void
cur_close(struct clone *cl)
{
	if (cl->cur_prev >= 0)
		close(cl->cur_prev);
	if (cl->cur_new >= 0)
		close(cl->cur_new);
	cl->cur_prev = cl->cur_new = -1;
	cl->cur[0] = '\0';
}

static int
link_entry(struct clone *cl, int upper, const struct cm_entry *e)
{
	const char *base = strrchr(e->dst, '/') ? strrchr(e->dst, '/') + 1 : e->dst;
	char parent[PATH_MAX];
	int r;

	parent_of(e->dst, parent, sizeof(parent));
	if (cl->cur_new < 0 || strcmp(parent, cl->cur) != 0) {
		cur_close(cl);
		if ((r = mirror_dir(cl, upper, parent, 0)) < 0)
			return r;
		cl->cur_prev = fs_open_dir(cl->prev, parent, 0, (uid_t)-1, (gid_t)-1);
		cl->cur_new = fs_open_dir(upper, parent, 0, (uid_t)-1, (gid_t)-1);
		if (cl->cur_prev < 0 || cl->cur_new < 0)
			return cl->cur_prev < 0 ? cl->cur_prev : cl->cur_new;
		snprintf(cl->cur, sizeof(cl->cur), "%s", parent);
	}
	if (linkat(cl->cur_prev, base, cl->cur_new, base, 0) < 0)
		return -errno;
	cl->linked++;
	return 0;
}

static int
clone_times(struct clone *cl, int upper)
{
	for (size_t i = cl->nmade; i-- > 0;) {
		int fd = fs_open_beneath(upper, cl->made[i].path, O_RDONLY | O_DIRECTORY), r = 0;

		if (fd < 0)
			return fd;
		if (futimens(fd, cl->made[i].ts) < 0)
			r = -errno;
		close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}

/* store_refill's fn: 0, or 1 when the layer could not be made so (it is
 * left empty, for a full copy) */
static int
clone_fn(int upper, void *arg)
{
	struct clone *cl = arg;
	char **names;
	size_t n;
	int r = 0;

	for (size_t i = 0; r == 0 && i < cl->m->n; i++) {
		const struct cm_entry *e = &cl->m->e[i];

		if (!e->keep)
			continue;
		r = e->type == 'd' ? mirror_dir(cl, upper, e->dst, 0) : link_entry(cl, upper, e);
		if (r < 0)
			log_info("incremental COPY: /%s of the earlier result: %s; a full "
			    "COPY", e->dst, strerror(-r));
	}
	cur_close(cl);
	if (r == 0)
		r = clone_times(cl, upper);
	if (r == 0)
		return 0;
	if (fs_list_dir(upper, &names, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			fs_rm_rf(upper, names[i]);
		fs_free_names(names, n);
	}
	return 1;
}

static int
incremental(struct copy_req *rq, const char *dest_id, const struct copy_manifest *now,
    const struct prev *pv, struct snap_err *err)
{
	struct clone cl = { .m = now, .prev = -1, .cur_prev = -1, .cur_new = -1 };
	char upper[PATH_MAX];
	int r;

	if ((r = store_upper_dir(pv->snap, upper, sizeof(upper))) < 0)
		return 1;
	if ((cl.prev = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 1;
	close(rq->dst_root);
	r = store_refill(dest_id, clone_fn, &cl);
	close(cl.prev);
	for (size_t i = 0; i < cl.nmade; i++)
		free(cl.made[i].path);
	free(cl.made);
	if ((rq->dst_root = files_open_prepared(dest_id, err)) < 0)
		return rq->dst_root;
	if (r < 0)
		return snap_errf(err, r, "snapshot %s: %s", dest_id, strerror(-r));
	if (r == 0)
		log_info("incremental COPY into %s: %zu entries linked from %s", dest_id,
		    cl.linked, pv->snap);
	return r;
}

/* --- COPY --link's layer put on a parent --- */

/* dir "from" (of the layer's upper dir) into "to": directories made with
 * their owners, modes, xattrs and (after their contents) times, the rest
 * hard links */
static int
put_tree(int from, int to, unsigned depth)
{
	struct timespec ts[2];
	struct stat st;
	char **names;
	size_t n;
	int r = depth > 256 ? -ELOOP : fs_list_dir(from, &names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++) {
		int sfd, dfd = -1;

		if (fstatat(from, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = linkat(from, names[i], to, names[i], 0) < 0 ? -errno : 0;
			continue;
		}
		sfd = openat(from, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0 || mkdirat(to, names[i], 0700) < 0 ||
		    (dfd = openat(to, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0 || fchown(dfd, st.st_uid, st.st_gid) < 0 ||
		    fchmod(dfd, st.st_mode & 07777) < 0)
			r = -errno;
		if (r == 0)
			r = copy_xattrs(sfd, dfd);
		if (r == 0)
			r = put_tree(sfd, dfd, depth + 1);
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		if (r == 0 && futimens(dfd, ts) < 0)
			r = -errno;
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
	}
	fs_free_names(names, n);
	return r;
}

static int
put_fn(int upper, void *arg)
{
	return put_tree(*(int *)arg, upper, 0);
}

int
copy_put_layer(const char *dest_id, const char *layer, struct snap_err *err)
{
	char upper[PATH_MAX];
	int r, from;

	if ((r = store_upper_dir(layer, upper, sizeof(upper))) < 0)
		return snap_errf(err, r, "snapshot %s: %s", layer, r == -EOPNOTSUPP ?
		    "not a layer of its own" : strerror(-r));
	if ((from = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return snap_errf(err, -errno, "%s: %s", upper, strerror(errno));
	r = store_refill(dest_id, put_fn, &from);
	close(from);
	if (r < 0)
		return snap_errf(err, r, "putting the layer of %s on %s: %s", layer, dest_id,
		    strerror(-r));
	log_info("the layer of %s put on %s by hard links", layer, dest_id);
	return 0;
}

/* --- a cold COPY straight into the layer --- */

/* Whether every entry is in one new directory (or is one new file) at the
 * root: then writing into the unmounted upper dir makes what writing
 * through the overlay would (nothing to copy up, nothing to white out),
 * without the overlay in each call, and copy_file_range works between
 * the context and the layer. */
static int
direct_ok(const struct copy_req *rq, const struct copy_manifest *m)
{
	char d[PATH_MAX];
	size_t n;
	int fd;

	if (m->n < DIRECT_MIN || fs_clean_path(rq->dest, 1, d, sizeof(d)) < 0)
		return 0;
	n = strlen(d);
	while (n && d[n - 1] == '/')
		d[--n] = '\0';
	if (n == 0 || strchr(d, '/'))
		return 0;
	for (size_t i = 0; i < m->n; i++)
		if (strncmp(m->e[i].dst, d, n) != 0 || (m->e[i].dst[n] && m->e[i].dst[n] != '/'))
			return 0;
	if ((fd = fs_open_beneath(rq->dst_root, d, O_PATH)) >= 0)
		close(fd);
	return fd == -ENOENT;
}

struct direct {
	const struct copy_req	*rq;
	struct snap_err		*err;
};

static int
direct_fn(int upper, void *arg)
{
	struct direct *dc = arg;
	struct copy_req rq = *dc->rq;

	rq.dst_root = upper;
	return snap_copy(&rq, dc->err);
}

static int
direct(struct copy_req *rq, const char *dest_id, struct snap_err *err)
{
	struct direct dc = { rq, err };
	int r, fd;

	/* native keeps whole trees: no layer of its own to write into */
	if (strcmp(store_driver_name(), "native") == 0)
		return snap_copy(rq, err);
	close(rq->dst_root);
	rq->dst_root = -1;
	r = store_refill(dest_id, direct_fn, &dc);
	fd = files_open_prepared(dest_id, r < 0 ? NULL : err);
	rq->dst_root = fd;
	if (r < 0 && !err->msg[0])
		snap_errf(err, r, "snapshot %s: %s", dest_id, strerror(-r));
	if (r == 0 && fd >= 0)
		log_info("COPY into %s: written into its layer directly", dest_id);
	return r < 0 ? r : fd < 0 ? fd : 0;
}

int
copy_inc(struct copy_req *rq, const char *dest_id, const char *base, struct snap_err *err)
{
	struct copy_manifest now = { 0 };
	struct store_info self;
	struct prev pv;
	size_t writes = 0;
	int r, inc = 1;

	if ((r = store_stat(dest_id, &self)) < 0)
		return snap_errf(err, r, "snapshot %s: %s", dest_id, strerror(-r));
	if ((r = snap_copy_plan(rq, &now, err)) < 0)
		goto out;
	if (now.ineligible) {
		record_drop(base);
		r = snap_copy(rq, err);
		goto out;
	}
	if (record_load(base, self.parent, &pv) < 0)
		inc = 0;
	else if ((r = mark(&now, &pv.m, &writes)) < 0)
		goto out_prev;
	if (inc)
		r = incremental(rq, dest_id, &now, &pv, err);
	if (inc && r == 0) {
		log_info("incremental COPY into %s: %zu of %zu entries written", dest_id,
		    writes, now.n);
		r = snap_copy_apply(rq, &now, err);
	} else if (!inc && direct_ok(rq, &now))
		r = direct(rq, dest_id, err);
	else if (!inc || r == 1)
		r = snap_copy(rq, err);
	if (r == 0 && (r = record_save(base, dest_id, self.parent, &now)) < 0) {
		log_warn("saving the copy manifest of %s: %s", dest_id, strerror(-r));
		r = 0;
	}
out_prev:
	if (inc)
		copy_manifest_free(&pv.m);
out:
	copy_manifest_free(&now);
	return r;
}
