/* snapshot.c: the snapshot store's calls (store.h): rows in meta.c, trees and mounts through the chosen driver, swept at start-up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <event2/event.h>
#include "driver.h"
#include "log.h"
#include "meta.h"
#include "snapd.h"
#include "util.h"

/* overlayfs stacks at most 500 lower layers */
#define SNAP_MAX_DEPTH	500

struct lease {
	int64_t	n;
	int	count;
};

/* Directory work a commit leaves for a quiet moment: the mountpoint and
 * the overlay work dir (journaled metadata, slow on a busy disk), once
 * no commit came for LATER_QUIET_S, or LATER_MAX are waiting. A kill
 * before it runs leaves what the start-up sweep removes. */
#define LATER_QUIET_S	1
#define LATER_MAX	256

struct later {
	char	path[PATH_MAX];
	int	tree;		/* rm -rf, else rmdir */
};

static struct {
	char				 dir[PATH_MAX - 64];
	char				 stubs[PATH_MAX];	/* "": none */
	int				 spare;		/* snapshots/spare is ready */
	const struct snap_driver	*drv;
	char				 why[1024];
	struct lease			*leases;
	size_t				 nleases;
	struct later			*later;
	size_t				 nlater;
	struct event			*later_ev;
} st;

static void
later_run(evutil_socket_t fd, short what, void *arg)
{
	for (size_t i = 0; i < st.nlater; i++) {
		struct later *l = &st.later[i];
		int r = l->tree ? tree_remove(l->path) :
		    rmdir(l->path) < 0 && errno != ENOENT ? -errno : 0;

		if (r < 0)
			log_warn("removing %s: %s", l->path, strerror(-r));
	}
	free(st.later);
	st.later = NULL;
	st.nlater = 0;
}

/* Done at once when it cannot wait (no loop yet, or out of memory). */
static void
later_add(const char *path, int tree)
{
	struct timeval quiet = { LATER_QUIET_S, 0 };
	void *v = st.later_ev ? realloc(st.later, (st.nlater + 1) * sizeof(*st.later)) :
	    NULL;

	if (v == NULL) {
		if (tree)
			tree_remove(path);
		else
			rmdir(path);
		return;
	}
	st.later = v;
	st.later[st.nlater].tree = tree;
	snprintf(st.later[st.nlater++].path, sizeof(st.later[0].path), "%s", path);
	if (st.nlater >= LATER_MAX) {
		evtimer_del(st.later_ev);
		later_run(-1, 0, NULL);
	} else
		evtimer_add(st.later_ev, &quiet);	/* re-armed by each commit */
}

int
snap_id_parse(const char *id, int64_t *n)
{
	char *end;
	long long v;

	if (id[0] != 's' || id[1] < '1' || id[1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(id + 1, &end, 10);
	if (*end || errno || v <= 0)
		return -EINVAL;
	*n = v;
	return 0;
}

static void
snap_dir(int64_t n, char *out, size_t size)
{
	snprintf(out, size, "%s/snapshots/%lld", st.dir, (long long)n);
}

static void
snap_fs(int64_t n, char *out, size_t size)
{
	snprintf(out, size, "%s/snapshots/%lld/fs", st.dir, (long long)n);
}

static void
snap_mnt(int64_t n, char *out, size_t size)
{
	snprintf(out, size, "%s/mnt/s%lld", st.dir, (long long)n);
}

const char *
snap_state_dir(void)
{
	return st.dir;
}

const char *
store_state_dir(void)
{
	return st.dir;
}

const char *
store_driver_name(void)
{
	return st.drv ? st.drv->name : "";
}

const char *
store_driver_reason(void)
{
	return st.why;
}

struct sqlite3 *
store_db(void)
{
	return meta_db();
}

static void
fill_info(const struct meta_snap *s, struct store_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "s%lld", (long long)s->n);
	if (s->parent)
		snprintf(out->parent, sizeof(out->parent), "s%lld", (long long)s->parent);
	if (s->kind != STORE_COMMITTED)
		snap_mnt(s->n, out->path, sizeof(out->path));
	out->kind = s->kind;
	out->size = s->size;
	out->last_used = s->last_used;
}

/* A committed snapshot of this driver, by id. */
static int
get_committed(const char *id, struct meta_snap *s)
{
	int64_t n;
	int r;

	if ((r = snap_id_parse(id, &n)) < 0)
		return -ENOENT;
	if ((r = meta_snap_get(n, s)) < 0)
		return r;
	/* another driver's snapshot cannot be a parent here: a cache miss */
	if (strcmp(s->driver, st.drv->name) != 0)
		return -ENOENT;
	return s->kind == STORE_COMMITTED ? 0 : -EINVAL;
}

static void
free_lowers(char **lowers, int n)
{
	for (int i = 0; i < n; i++)
		free(lowers[i]);
	free(lowers);
}

/* The fs/ dirs of n's chain, nearest first. */
static int
chain_lowers(int64_t n, char ***out, int *count)
{
	int64_t *ids = calloc(SNAP_MAX_DEPTH, sizeof(*ids));
	char **lowers = NULL, path[PATH_MAX];
	int k = 0, r;

	*out = NULL;
	*count = 0;
	if (ids == NULL)
		return -ENOMEM;
	if (n == 0)
		goto out_ok;
	r = meta_snap_chain(n, ids, SNAP_MAX_DEPTH, &k);
	if (r < 0)
		goto out;
	if ((lowers = calloc((size_t)k, sizeof(*lowers))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < k; i++) {
		snap_fs(ids[i], path, sizeof(path));
		if ((lowers[i] = strdup(path)) == NULL) {
			free_lowers(lowers, i);
			r = -ENOMEM;
			goto out;
		}
	}
out_ok:
	*out = lowers;
	*count = k;
	r = 0;
out:
	free(ids);
	return r;
}

/* Unmounts and removes a prepared snapshot or view, row last. */
static int
drop(const struct meta_snap *s)
{
	char path[PATH_MAX];
	int r;

	snap_mnt(s->n, path, sizeof(path));
	if ((r = st.drv->unmount(path)) < 0) {
		log_error("unmounting %s: %s", path, strerror(-r));
		return r;
	}
	if (rmdir(path) < 0 && errno != ENOENT)
		log_warn("removing %s: %s", path, strerror(errno));
	snap_dir(s->n, path, sizeof(path));
	if ((r = tree_remove(path)) < 0)
		log_warn("removing %s: %s", path, strerror(-r));
	return meta_snap_delete(s->n);
}

/*
 * The spare: snapshots/spare with fs/ and work/, made by the overlay
 * driver's create while a step runs (after snapd answered), taken by the
 * next prepare with one rename. Its name is no number, so a kill leaves
 * what the start-up sweep removes.
 */
void
store_make_spare(void)
{
	char path[PATH_MAX];

	if (st.spare || st.drv != &driver_overlay)
		return;
	snprintf(path, sizeof(path), "%s/snapshots/spare", st.dir);
	if (mkdir(path, 0700) < 0 || driver_overlay_create(path, NULL) < 0) {
		log_warn("a spare snapshot directory %s: %s", path, strerror(errno));
		tree_remove(path);
		return;
	}
	st.spare = 1;
}

static int
spare_take(const char *dir)
{
	char path[PATH_MAX];

	if (!st.spare)
		return -ENOENT;
	st.spare = 0;
	snprintf(path, sizeof(path), "%s/snapshots/spare", st.dir);
	if (rename(path, dir) == 0)
		return 0;
	log_warn("renaming %s to %s: %s", path, dir, strerror(errno));
	tree_remove(path);
	return -ENOENT;
}

/* Mounts a new row's snapshot: writable (kind PREPARED, on parent) or a
 * view of parent; step: with the mount points of a step beneath. */
static int
make_mounted(const struct meta_snap *s, int64_t parent, int step)
{
	char dir[PATH_MAX], mnt[PATH_MAX], **lowers;
	int nl, r, writable = s->kind == STORE_PREPARED;
	struct snap_mount m;

	if ((r = chain_lowers(parent, &lowers, &nl)) < 0)
		return r;
	snap_dir(s->n, dir, sizeof(dir));
	snap_mnt(s->n, mnt, sizeof(mnt));
	if (writable && spare_take(dir) == 0)
		r = driver_overlay_adopt(dir, nl ? lowers[0] : NULL);
	else if (writable && mkdir(dir, 0700) < 0)
		r = -errno;
	else if (writable)
		r = st.drv->create(dir, nl ? lowers[0] : NULL);
	if (r == 0)
		snapd_test_stall("prepare");
	if (r == 0 && mkdir(mnt, 0755) < 0)
		r = -errno;
	m = (struct snap_mount){ writable ? dir : NULL, (const char *const *)lowers,
	    nl, mnt, writable && step && st.stubs[0] ? st.stubs : NULL };
	if (r == 0)
		r = st.drv->mount(&m);
	free_lowers(lowers, nl);
	return r;
}

static int
new_mounted(int kind, int64_t parent, int step, struct store_info *out)
{
	struct meta_snap s = { 0 };
	int r;

	if ((r = meta_snap_insert(parent, kind, st.drv->name, &s.n)) < 0)
		return r;
	s.kind = kind;
	s.parent = parent;
	if ((r = make_mounted(&s, parent, step)) < 0) {
		drop(&s);
		return r;
	}
	s.created = s.last_used = time(NULL);
	fill_info(&s, out);
	return 0;
}

int
store_prepare(const char *parent, struct store_info *out)
{
	struct meta_snap p = { 0 };
	int r;

	if (*parent && (r = get_committed(parent, &p)) < 0)
		return r;
	return new_mounted(STORE_PREPARED, p.n, 0, out);
}

int
store_prepare_step(const char *parent, struct store_info *out)
{
	struct meta_snap p = { 0 };
	int r;

	if (*parent && (r = get_committed(parent, &p)) < 0)
		return r;
	return new_mounted(STORE_PREPARED, p.n, 1, out);
}

int
store_view(const char *committed, struct store_info *out)
{
	struct meta_snap p;
	int r;

	if ((r = get_committed(committed, &p)) < 0)
		return r;
	return new_mounted(STORE_VIEW, p.n, 0, out);
}

int
store_commit(const char *prepared, struct store_info *out)
{
	char path[PATH_MAX];
	struct meta_snap s;
	uint64_t size;
	int64_t n;
	int r;

	if (snap_id_parse(prepared, &n) < 0 || meta_snap_get(n, &s) < 0)
		return -ENOENT;
	if (s.kind != STORE_PREPARED)
		return -EINVAL;
	snap_mnt(n, path, sizeof(path));
	if ((r = st.drv->unmount(path)) < 0)
		return r;
	later_add(path, 0);
	if (st.drv->scratch) {
		snprintf(path, sizeof(path), "%s/snapshots/%lld/%s", st.dir, (long long)n,
		    st.drv->scratch);
		later_add(path, 1);
	}
	snap_fs(n, path, sizeof(path));
	if ((r = tree_usage(path, &size)) < 0)
		return r;
	snapd_test_stall("commit");
	/* the one step that makes it committed */
	if ((r = meta_snap_set_committed(n, size)) < 0)
		return r;
	snapd_test_stall("committed");
	if ((r = meta_snap_get(n, &s)) < 0)
		return r;
	fill_info(&s, out);
	return 0;
}

int
store_remove(const char *id)
{
	struct meta_snap s;
	int64_t n;

	if (snap_id_parse(id, &n) < 0 || meta_snap_get(n, &s) < 0)
		return -ENOENT;
	/* committed ones go by prune and GC, which know what uses them */
	if (s.kind == STORE_COMMITTED)
		return -EINVAL;
	return drop(&s);
}

int
store_stat(const char *id, struct store_info *out)
{
	struct meta_snap s;
	int64_t n;
	int r;

	if (snap_id_parse(id, &n) < 0)
		return -ENOENT;
	if ((r = meta_snap_get(n, &s)) < 0)
		return r;
	if (strcmp(s.driver, st.drv->name) != 0)
		return -ENOENT;
	fill_info(&s, out);
	return 0;
}

int
store_touch(const char *id)
{
	int64_t n;

	if (snap_id_parse(id, &n) < 0)
		return -ENOENT;
	return meta_snap_touch(n);
}

int
store_upper_dir(const char *committed, char *out, size_t size)
{
	struct meta_snap s;
	int r;

	if ((r = get_committed(committed, &s)) < 0)
		return r;
	if (!st.drv->layered)
		return -EOPNOTSUPP;
	snap_fs(s.n, out, size);
	return 0;
}

int
store_refill(const char *prepared, int (*fn)(int upper, void *arg), void *arg)
{
	char dir[PATH_MAX], mnt[PATH_MAX], path[PATH_MAX + 64], **lowers;
	struct snap_mount m;
	struct meta_snap s;
	int64_t n;
	int nl, r, r2, fd;

	if (snap_id_parse(prepared, &n) < 0 || meta_snap_get(n, &s) < 0)
		return -ENOENT;
	if (s.kind != STORE_PREPARED)
		return -EINVAL;
	if (!st.drv->layered)
		return -EOPNOTSUPP;
	if ((r = chain_lowers(s.parent, &lowers, &nl)) < 0)
		return r;
	snap_dir(n, dir, sizeof(dir));
	snap_mnt(n, mnt, sizeof(mnt));
	if ((r = st.drv->unmount(mnt)) < 0)
		goto out;
	/* a volatile overlay's work dir refuses a second mount: a fresh one */
	if (st.drv->scratch) {
		snprintf(path, sizeof(path), "%s/%s", dir, st.drv->scratch);
		if ((r = tree_remove(path)) == 0 && mkdir(path, 0700) < 0)
			r = -errno;
	}
	snap_fs(n, path, sizeof(path));
	fd = r < 0 ? -1 : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r == 0)
		r = fd < 0 ? -errno : fn(fd, arg);
	if (fd >= 0)
		close(fd);
	/* a COPY's snapshot: no step mount points under it */
	m = (struct snap_mount){ dir, (const char *const *)lowers, nl, mnt, NULL };
	if ((r2 = st.drv->mount(&m)) < 0) {
		log_error("mounting %s again: %s", prepared, strerror(-r2));
		r = r2;
	}
out:
	free_lowers(lowers, nl);
	return r;
}

static struct lease *
lease_find(int64_t n)
{
	for (size_t i = 0; i < st.nleases; i++)
		if (st.leases[i].n == n)
			return &st.leases[i];
	return NULL;
}

int
snap_lease_count(int64_t n)
{
	struct lease *l = lease_find(n);

	return l ? l->count : 0;
}

int
store_lease(const char *id, int hold)
{
	struct meta_snap s;
	struct lease *l;
	int64_t n;

	if (snap_id_parse(id, &n) < 0 || meta_snap_get(n, &s) < 0)
		return -ENOENT;
	l = lease_find(n);
	if (!hold) {
		if (l == NULL || l->count == 0)
			return -ENOENT;
		l->count--;
		return 0;
	}
	if (l == NULL) {
		void *v = realloc(st.leases, (st.nleases + 1) * sizeof(*st.leases));
		if (v == NULL)
			return -ENOMEM;
		st.leases = v;
		l = &st.leases[st.nleases++];
		*l = (struct lease){ n, 0 };
	}
	l->count++;
	meta_snap_touch(n);
	return 0;
}

int
store_ref_add(const char *holder, const char *target)
{
	return meta_ref_add(holder, target);
}

int
store_ref_drop(const char *holder, const char *target)
{
	return target ? meta_ref_drop(holder, target) : meta_ref_drop_holder(holder);
}

int
snap_delete_committed(int64_t n)
{
	char id[STORE_ID_MAX], path[PATH_MAX];
	int children, refs, r;

	snprintf(id, sizeof(id), "s%lld", (long long)n);
	if ((r = meta_snap_children(n, &children)) < 0 ||
	    (r = meta_ref_count(id, &refs)) < 0)
		return r;
	if (children || refs || snap_lease_count(n))
		return -EBUSY;
	if ((r = meta_begin()) < 0)
		return r;
	if ((r = meta_ref_drop_holder(id)) < 0 || (r = meta_snap_delete(n)) < 0 ||
	    (r = meta_commit()) < 0) {
		meta_rollback();
		return r;
	}
	/* after the row: a crash here leaves a directory the sweep removes */
	snapd_test_stall("gc");
	snap_dir(n, path, sizeof(path));
	return tree_remove(path);
}

/* --- start-up and exit --- */

struct id_list {
	int64_t	*v;
	size_t	 n, cap;
};

static int
list_add(struct id_list *l, int64_t n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = n;
	return 0;
}

static int
collect_row(const struct meta_snap *s, void *arg)
{
	return list_add(arg, s->n);
}

static int
has_id(const struct id_list *l, int64_t n)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == n)
			return 1;
	return 0;
}

/* Prepared snapshots and views of the last run: nobody holds them now. */
static int
drop_uncommitted(void)
{
	struct id_list l = { 0 };
	struct meta_snap s;
	int r;

	r = meta_snap_each("kind != 3", collect_row, &l);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		if (meta_snap_get(l.v[i], &s) == 0) {
			log_info("dropping s%lld, %s when kiln-snapd stopped",
			    (long long)s.n, s.kind == STORE_VIEW ? "a view" : "prepared");
			r = drop(&s);
		}
	free(l.v);
	return r;
}

/* A committed snapshot's scratch dir, when a kill came before its removal. */
static int
drop_work(const struct meta_snap *s, void *arg)
{
	const struct snap_driver *d = select_by_name(s->driver);
	char path[PATH_MAX];
	struct stat sb;

	if (d == NULL || d->scratch == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/snapshots/%lld/%s", st.dir, (long long)s->n,
	    d->scratch);
	if (lstat(path, &sb) == 0)
		tree_remove(path);
	return 0;
}

/* Directories under snapshots/ and mnt/ that no row names: half-made or
 * half-removed when a kill came. */
static int
sweep_dirs(void)
{
	char path[PATH_MAX + 300];
	struct id_list rows = { 0 };
	struct dirent *e;
	DIR *d;
	int r = meta_snap_each("", collect_row, &rows);

	snprintf(path, sizeof(path), "%s/snapshots", st.dir);
	if (r == 0 && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			int64_t n = strtoll(e->d_name, NULL, 10);

			if (e->d_name[0] == '.' || (n > 0 && has_id(&rows, n)))
				continue;
			snprintf(path, sizeof(path), "%s/snapshots/%s", st.dir, e->d_name);
			log_info("removing %s: no snapshot record names it", path);
			tree_remove(path);
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/mnt", st.dir);
	if (r == 0 && (d = opendir(path)) != NULL) {
		/* empty mountpoints only: rmdir never follows into a mount */
		while ((e = readdir(d)) != NULL) {
			snprintf(path, sizeof(path), "%s/mnt/%s", st.dir, e->d_name);
			if (e->d_name[0] != '.' && rmdir(path) < 0)
				log_warn("removing %s: %s", path, strerror(errno));
		}
		closedir(d);
	}
	free(rows.v);
	return r;
}

static int
make_dirs(void)
{
	static const char *const subs[] = { "", "/snapshots", "/mnt", "/trial",
	    "/caches" };
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		snprintf(path, sizeof(path), "%s%s", st.dir, subs[i]);
		if ((r = util_mkdir_p(path, 0700)) < 0) {
			log_error("creating %s: %s", path, strerror(-r));
			return r;
		}
	}
	return 0;
}

/*
 * A step's mount points: kiln-execd mounts /proc, /dev, /sys and binds
 * /etc/hosts, /etc/hostname and /etc/resolv.conf, and makes in the rootfs
 * what the image lacks, then removes it after the step (waiting until
 * the step's mounts are gone). Made once here as the bottom layer of a
 * step's snapshot, they cost the step nothing and never reach its upper
 * dir; the image's own entries, above, win. Made before any mount, so a
 * mounted layer never changes; a kill half-way is finished next start.
 */
static const char *const stub_dirs[] = { "", "/proc", "/dev", "/sys", "/etc" };
static const char *const stub_files[] = { "/etc/hosts", "/etc/hostname",
    "/etc/resolv.conf" };

static int
make_stubs(void)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(st.stubs, sizeof(st.stubs), "%s/stubs", st.dir);
	for (size_t i = 0; i < ARRAY_SIZE(stub_dirs); i++) {
		snprintf(path, sizeof(path), "%s%s", st.stubs, stub_dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(stub_files); i++) {
		snprintf(path, sizeof(path), "%s%s", st.stubs, stub_files[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
			goto fail;
		close(fd);
	}
	return 0;
fail:
	/* not fatal: kiln-execd makes its own mount points then */
	log_warn("the steps' mount points in %s: %s", path, strerror(errno));
	st.stubs[0] = '\0';
	return 0;
}

/* The mountpoints live on a small tmpfs of kiln's mount namespace: making
 * and removing one per step then costs no journaled metadata. */
static int
mnt_tmpfs(void)
{
	char path[PATH_MAX];
	int fs, m = -1, r = 0;

	snprintf(path, sizeof(path), "%s/mnt", st.dir);
	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "1m", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
	    move_mount(m, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		r = -errno;
	if (m >= 0)
		close(m);
	close(fs);
	if (r < 0)
		log_error("a tmpfs on %s: %s", path, strerror(-r));
	return r;
}

int
store_open(const struct snapd_config *cfg, struct event_base *base)
{
	char path[PATH_MAX];
	int r;

	if ((st.later_ev = evtimer_new(base, later_run, NULL)) == NULL)
		return -ENOMEM;
	snprintf(st.dir, sizeof(st.dir), "%s", cfg->state_dir);
	if ((r = make_dirs()) < 0)
		return r;
	if ((r = sweep_mounts(st.dir)) < 0)
		log_warn("unmounting what was left under %s: %s", st.dir, strerror(-r));
	if ((r = select_driver(cfg, &st.drv, st.why, sizeof(st.why))) < 0) {
		log_error("snapshotter: %s", st.why[0] ? st.why : "no driver works here");
		return r;
	}
	log_info("snapshotter: %s (%s)", st.drv->name, st.why);
	snprintf(path, sizeof(path), "%s/meta.db", st.dir);
	if ((r = meta_open(path)) < 0)
		return r;
	if ((r = drop_uncommitted()) < 0 || (r = sweep_dirs()) < 0 ||
	    (r = meta_snap_each("kind = 3", drop_work, NULL)) < 0 ||
	    (r = cache_sweep()) < 0 || (r = content_open(st.dir)) < 0 ||
	    (r = mnt_tmpfs()) < 0 || (r = make_stubs()) < 0) {
		log_error("sweeping %s: %s", st.dir, strerror(-r));
		return r;
	}
	return 0;
}

/* Nothing stays mounted when kiln-snapd stops. */
void
store_close(void)
{
	later_run(-1, 0, NULL);
	if (st.later_ev)
		event_free(st.later_ev);
	st.later_ev = NULL;
	if (meta_db()) {
		drop_uncommitted();
		meta_close();
	}
	if (st.dir[0])
		sweep_mounts(st.dir);
	free(st.leases);
	st.leases = NULL;
	st.nleases = 0;
}
