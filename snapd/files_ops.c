/* files_ops.c: kiln-snapd's handlers of SNAP_COPY, SNAP_MKFILE, SNAP_MKDIR and SNAP_CHECKSUM: decode, find the roots, run copy.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "copy.h"
#include "copy_inc.h"
#include "files_api.h"
#include "ipc_msg.h"
#include "log.h"
#include "store.h"

struct strs {
	char	**v;
	size_t	  n;
};

static void
strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
rd_strs(struct ipc_rd *rd, struct strs *out)
{
	struct ipc_rd sub;

	memset(out, 0, sizeof(*out));
	if (ipc_rd_array(rd, &sub) < 0)
		return -EBADMSG;
	out->v = calloc(sub.n + 1, sizeof(char *));
	if (out->v == NULL)
		return -ENOMEM;
	while (sub.i < sub.n)
		if (ipc_rd_strdup(&sub, &out->v[out->n++]) < 0) {
			out->n--;
			strs_free(out);
			return -EBADMSG;
		}
	return 0;
}

/* The mount of a prepared snapshot, opened. */
int
files_open_prepared(const char *id, struct snap_err *err)
{
	struct store_info info;
	int r = store_stat(id, &info), fd;

	if (r < 0)
		return snap_errf(err, r, "snapshot %s: %s", id, strerror(-r));
	if (info.kind != STORE_PREPARED)
		return snap_errf(err, -EINVAL, "snapshot %s is not a prepared snapshot", id);
	fd = open(info.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? snap_errf(err, -errno, "snapshot %s: %s", id, strerror(errno)) : fd;
}

/* The source root: the context fd, or a view of a committed snapshot
 * (its id in view, removed by the caller). */
static int
open_source(struct ipc_msg *m, const char *from, char view[STORE_ID_MAX],
    struct snap_err *err)
{
	struct store_info info;
	int r, fd;

	view[0] = '\0';
	if (!*from) {
		if (m->nfds != 1)
			return snap_errf(err, -EBADMSG, "no context fd came with the request");
		fd = m->fds[0];
		m->fds[0] = -1;
		return fd;
	}
	if ((r = store_view(from, &info)) < 0)
		return snap_errf(err, r, "snapshot %s: %s", from, strerror(-r));
	snprintf(view, STORE_ID_MAX, "%s", info.id);
	fd = open(info.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? snap_errf(err, -errno, "snapshot %s: %s", from, strerror(errno)) : fd;
}

struct copy_body {
	char		*dest_id, *dest, *from, *chmod, *base;
	struct strs	 srcs, ex;
	int64_t		 uid, gid, mtime;
	uint64_t	 flags;
};

static void
copy_body_free(struct copy_body *b)
{
	free(b->dest_id);
	free(b->dest);
	free(b->from);
	free(b->chmod);
	free(b->base);
	strs_free(&b->srcs);
	strs_free(&b->ex);
}

static int
read_copy(const struct ipc_msg *m, struct copy_body *b)
{
	struct ipc_rd rd;

	memset(b, 0, sizeof(*b));
	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &b->dest_id) < 0 ||
	    ipc_rd_strdup(&rd, &b->dest) < 0 || rd_strs(&rd, &b->srcs) < 0 ||
	    rd_strs(&rd, &b->ex) < 0 || ipc_rd_strdup(&rd, &b->from) < 0 ||
	    ipc_rd_i64(&rd, &b->uid) < 0 || ipc_rd_i64(&rd, &b->gid) < 0 ||
	    ipc_rd_strdup(&rd, &b->chmod) < 0 || ipc_rd_u64(&rd, &b->flags) < 0 ||
	    ipc_rd_i64(&rd, &b->mtime) < 0)
		return -EBADMSG;
	/* the base key is optional: older peers send ten fields */
	if (rd.i < rd.n && ipc_rd_strdup(&rd, &b->base) < 0)
		return -EBADMSG;
	return ipc_rd_end(&rd) < 0 ? -EBADMSG : 0;
}

static int
run_copy(struct ipc_msg *m, struct copy_body *b, struct snap_err *err)
{
	struct copy_req rq = {
		.dest = b->dest, .srcs = b->srcs.v, .nsrcs = b->srcs.n, .uid = b->uid,
		.gid = b->gid, .flags = (uint32_t)b->flags, .mtime = b->mtime,
		.from_context = !*b->from,
	};
	struct chmod_spec cs;
	struct patterns ps = { NULL, 0, 0 };
	char view[STORE_ID_MAX] = "", up[PATH_MAX];
	int r = 0;

	rq.src_root = rq.dst_root = -1;
	if (*b->chmod && chmod_parse(b->chmod, &cs) < 0)
		return snap_errf(err, -EINVAL, "--chmod=%s: not an octal or symbolic mode",
		    b->chmod);
	rq.chmod = *b->chmod ? &cs : NULL;
	if (b->dest[0] != '/')
		return snap_errf(err, -EINVAL, "destination '%s' is not absolute", b->dest);
	/* COPY --link's layer on its parent: the layer itself */
	if ((b->flags & SNAP_COPY_LINK) && *b->from && b->srcs.n == 1 &&
	    strcmp(b->srcs.v[0], ".") == 0 && strcmp(b->dest, "/") == 0 &&
	    store_upper_dir(b->from, up, sizeof(up)) == 0)
		return copy_put_layer(b->dest_id, b->from, err);
	if (patterns_init(&ps, b->ex.v, b->ex.n) < 0)
		return -ENOMEM;
	rq.ex = &ps;
	rq.dst_root = files_open_prepared(b->dest_id, err);
	if (rq.dst_root >= 0)
		rq.src_root = open_source(m, b->from, view, err);
	if (rq.dst_root < 0 || rq.src_root < 0)
		r = rq.dst_root < 0 ? rq.dst_root : rq.src_root;
	else if (b->base && *b->base && !*b->from)
		r = copy_inc(&rq, b->dest_id, b->base, err);
	else
		r = snap_copy(&rq, err);
	if (rq.src_root >= 0)
		close(rq.src_root);
	if (rq.dst_root >= 0)
		close(rq.dst_root);
	if (view[0])
		store_remove(view);
	patterns_free(&ps);
	return r;
}

int
files_on_copy(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct copy_body b;
	int r;

	if (read_copy(m, &b) < 0) {
		copy_body_free(&b);
		return -EBADMSG;
	}
	r = run_copy(m, &b, &err);
	copy_body_free(&b);
	if (r < 0)
		return files_reply_err(p, m->hdr.id, r, &err);
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}

/* path names an existing directory (symlinks followed inside root):
 * then the file is name in it, as COPY puts a file into a directory */
static int
mkfile_into(int root, char **path, const char *name)
{
	char rel[PATH_MAX], *in;
	int fd;

	if (!*name || fs_clean_path(*path, 1, rel, sizeof(rel)) < 0 || !*rel)
		return 0;
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	if ((fd = fs_open_in_root(root, rel, O_RDONLY | O_DIRECTORY)) < 0)
		return 0;
	close(fd);
	if (asprintf(&in, "%s/%s", *path, name) < 0)
		return -ENOMEM;
	free(*path);
	*path = in;
	return 0;
}

int
files_on_mkfile(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	char *id = NULL, *path = NULL, into[256] = "";
	int64_t uid, gid, mtime;
	struct ipc_rd rd;
	uint64_t mode;
	int r = -EBADMSG, root;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &id) < 0 ||
	    ipc_rd_strdup(&rd, &path) < 0 || ipc_rd_u64(&rd, &mode) < 0 ||
	    ipc_rd_i64(&rd, &uid) < 0 || ipc_rd_i64(&rd, &gid) < 0 ||
	    ipc_rd_i64(&rd, &mtime) < 0 ||
	    (rd.i < rd.n && ipc_rd_strcpy(&rd, into, sizeof(into)) < 0) ||
	    ipc_rd_end(&rd) < 0)
		goto out;
	root = files_open_prepared(id, &err);
	if (root >= 0 && (r = mkfile_into(root, &path, into)) < 0) {
		close(root);
		root = snap_errf(&err, r, "'%s' is not a file name", into);
	}
	r = root < 0 ? root : snap_mkfile(root, path, m->fds[0], (mode_t)(mode & 07777),
	    uid < 0 ? 0 : (uid_t)uid, gid < 0 ? 0 : (gid_t)gid, mtime, &err);
	if (root >= 0)
		close(root);
	r = r < 0 ? files_reply_err(p, m->hdr.id, r, &err) :
	    ipc_reply_empty(p, IPC_OK, m->hdr.id);
out:
	free(id);
	free(path);
	return r;
}

int
files_on_mkdir(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	char *id = NULL, *path = NULL;
	int64_t uid, gid;
	struct ipc_rd rd;
	uint64_t mode;
	int r = -EBADMSG, root;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &id) < 0 ||
	    ipc_rd_strdup(&rd, &path) < 0 || ipc_rd_u64(&rd, &mode) < 0 ||
	    ipc_rd_i64(&rd, &uid) < 0 || ipc_rd_i64(&rd, &gid) < 0 || ipc_rd_end(&rd) < 0)
		goto out;
	root = files_open_prepared(id, &err);
	r = root < 0 ? root : snap_mkdir(root, path, (mode_t)(mode & 07777),
	    uid < 0 ? 0 : (uid_t)uid, gid < 0 ? 0 : (gid_t)gid, &err);
	if (root >= 0)
		close(root);
	r = r < 0 ? files_reply_err(p, m->hdr.id, r, &err) :
	    ipc_reply_empty(p, IPC_OK, m->hdr.id);
out:
	free(id);
	free(path);
	return r;
}

int
files_on_checksum(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct strs srcs, ex;
	struct patterns ps = { NULL, 0, 0 };
	char *from = NULL, view[STORE_ID_MAX] = "", sum[80];
	struct ipc_rd rd;
	struct ipc_wr w;
	uint64_t flags;
	int r = -EBADMSG, root = -1;

	memset(&srcs, 0, sizeof(srcs));
	memset(&ex, 0, sizeof(ex));
	if (ipc_rd_init(&rd, &m->body) < 0 || rd_strs(&rd, &srcs) < 0 ||
	    rd_strs(&rd, &ex) < 0 || ipc_rd_strdup(&rd, &from) < 0 ||
	    ipc_rd_u64(&rd, &flags) < 0 || ipc_rd_end(&rd) < 0)
		goto out;
	if ((r = patterns_init(&ps, ex.v, ex.n)) < 0)
		goto out;
	root = open_source(m, from, view, &err);
	r = root < 0 ? root : snap_checksum(root, srcs.v, srcs.n, &ps, (uint32_t)flags,
	    sum, &err);
	if (r < 0) {
		r = files_reply_err(p, m->hdr.id, r, &err);
		goto out;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, sum);
	r = ipc_send(p, IPC_SNAP_CHECKSUM_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
out:
	if (root >= 0)
		close(root);
	if (view[0])
		store_remove(view);
	patterns_free(&ps);
	strs_free(&srcs);
	strs_free(&ex);
	free(from);
	return r;
}
