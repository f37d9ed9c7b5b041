/* exports.c: EXPORT_TAR and EXPORT_LOCAL in a child, answered when it ends, so a slow reader of the stream stalls the export and not kiln-snapd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "copy.h"
#include "files_api.h"
#include "image.h"
#include "log.h"
#include "tar_write.h"

struct export_job {
	struct helper	*h;
	struct ipc_peer	*peer;		/* solverd's, which asked */
	uint32_t	 id;
	int		 local;		/* EXPORT_LOCAL; else EXPORT_TAR */
	int		 root, fd;	/* the view's tree (-1: none), the client's */
	char		 view[STORE_ID_MAX];
};

/* The child: the tree into the tar stream or the client's directory. */
static int
export_child(void *arg, struct jail_out *out)
{
	struct export_job *j = arg;
	char *srcs[] = { "." }, digest[80];
	struct copy_req rq = {
		.src_root = j->root, .dst_root = j->fd, .dest = "/", .srcs = srcs,
		.nsrcs = 1, .uid = 0, .gid = 0, .mtime = -1,
	};
	struct tarw tw;
	int r;

	if (j->local)	/* uid 0 here is the user who runs kilnd, outside */
		return j->root < 0 ? 0 : snap_copy(&rq, &out->err);
	if ((r = tarw_open(&tw, j->fd, -1, &out->err)) < 0)
		return r;
	if (j->root >= 0)
		r = tree_diff(j->root, -1, &tw, &out->err);
	if (tarw_close(&tw, digest) < 0 && r == 0)
		r = snap_errf(&out->err, -EIO, "writing the tar stream: %s", strerror(EIO));
	/* the reader sees the end of the stream before snapd's OK */
	close(j->fd);
	return r;
}

static void
job_free(struct export_job *j)
{
	if (j->root >= 0)
		close(j->root);
	if (j->fd >= 0)
		close(j->fd);
	if (j->view[0])
		store_remove(j->view);
	free(j);
}

static void
export_done(void *arg, int rc, const struct jail_out *out)
{
	struct export_job *j = arg;
	struct ipc_peer *p = j->h->peers[PROC_SOLVERD] == j->peer ? j->peer : NULL;
	uint32_t id = j->id;

	job_free(j);	/* the view goes before the answer, as it did */
	if (p == NULL)
		log_info("request %u: export done (%d), its asker gone", id, rc);
	else if (rc < 0)
		files_reply_err(p, id, rc, &out->err);
	else
		ipc_reply_empty(p, IPC_OK, id);
}

static int
export_start(struct ipc_peer *p, struct ipc_msg *m, int local)
{
	struct snap_err err = { "" };
	struct export_job *j;
	struct store_info v;
	char *id;
	int r = 0, keep[2];

	if (m->nfds != 1 || files_rd_one_str(m, &id) < 0)
		return -EBADMSG;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		free(id);
		return -ENOMEM;
	}
	*j = (struct export_job){ helper_of(p), p, m->hdr.id, local, -1, m->fds[0], "" };
	m->fds[0] = -1;	/* the job's now */
	if (*id && (r = store_view(id, &v)) < 0)
		r = snap_errf(&err, r, "snapshot %s: %s", id, strerror(-r));
	else if (*id) {
		snprintf(j->view, sizeof(j->view), "%s", v.id);
		if ((j->root = open(v.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			r = snap_errf(&err, -errno, "snapshot %s: %s", id, strerror(errno));
	}
	free(id);
	keep[0] = j->fd;
	keep[1] = j->root;
	/* a tar only reads the tree: the jail's filter; a local copy writes
	 * the client's directory as snap_copy does, under snapd's own */
	if (r == 0 && (r = jail_start(j->h->base, export_child, j, keep,
	    j->root >= 0 ? 2 : 1, !local, export_done, j, &err)) == 0) {
		close(j->fd);	/* the child's copy is the stream's */
		j->fd = -1;
		return 0;
	}
	job_free(j);
	return files_reply_err(p, m->hdr.id, r, &err);
}

int
exports_on_tar(struct ipc_peer *p, struct ipc_msg *m)
{
	return export_start(p, m, 0);
}

int
exports_on_local(struct ipc_peer *p, struct ipc_msg *m)
{
	return export_start(p, m, 1);
}
