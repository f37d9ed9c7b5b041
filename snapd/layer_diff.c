/* layer_diff.c: SNAP_DIFF and EXPORT_TAR: a snapshot's layer from its overlay upper dir or by comparing trees, as a reproducible tar blob. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include "image.h"
#include "image_store.h"
#include "tar_write.h"

/* --- SNAP_DIFF --- */

static int
open_dir(const char *path, struct snap_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? snap_errf(err, -errno, "%s: %s", path, strerror(errno)) : fd;
}

/* The layer's tar into out: from the upper dir, or two views compared. */
static int
diff_tar(const struct store_info *info, int out, int64_t epoch, char diff_id[80],
    struct snap_err *err)
{
	struct store_info cv, pv;
	char upper[PATH_MAX];
	struct tarw tw;
	int r, cfd = -1, pfd = -1;

	cv.id[0] = pv.id[0] = '\0';
	r = tarw_open(&tw, out, epoch, err);
	if (r == 0 && store_upper_dir(info->id, upper, sizeof(upper)) == 0) {
		if ((cfd = open_dir(upper, err)) >= 0)
			r = tree_diff_upper(cfd, &tw, err);
		else
			r = cfd;
	} else if (r == 0) {
		if ((r = store_view(info->id, &cv)) == 0 && (cfd = open_dir(cv.path, err)) < 0)
			r = cfd;
		if (r == 0 && info->parent[0] && (r = store_view(info->parent, &pv)) == 0 &&
		    (pfd = open_dir(pv.path, err)) < 0)
			r = pfd;
		if (r == 0)
			r = tree_diff(cfd, pfd, &tw, err);
		else if (!err->msg[0])
			snap_errf(err, r, "viewing snapshot %s: %s", info->id, strerror(-r));
	}
	if (tarw_close(&tw, diff_id) < 0 && r == 0)
		r = -EIO;
	if (cfd >= 0)
		close(cfd);
	if (pfd >= 0)
		close(pfd);
	if (cv.id[0])
		store_remove(cv.id);
	if (pv.id[0])
		store_remove(pv.id);
	return r;
}

/* "gzip", "zstd", "none", or the first two with ":LEVEL" */
struct compression {
	char	algo[8];
	int	level;		/* -1: the compressor's default */
};

static int
parse_compression(const char *s, struct compression *c)
{
	size_t n = strcspn(s, ":");
	char *end;
	long lv = -1;

	if (n >= sizeof(c->algo))
		return -EINVAL;
	snprintf(c->algo, sizeof(c->algo), "%.*s", (int)n, s);
	if (s[n] == ':') {
		lv = strtol(s + n + 1, &end, 10);
		if (!s[n + 1] || *end || lv < 0 || lv > 22 || strcmp(c->algo, "none") == 0 ||
		    (strcmp(c->algo, "gzip") == 0 && lv > 9))
			return -EINVAL;
	}
	c->level = (int)lv;
	return strcmp(c->algo, "gzip") && strcmp(c->algo, "zstd") &&
	    strcmp(c->algo, "none") ? -EINVAL : 0;
}

static const char *
media_of(const char *algo)
{
	return strcmp(algo, "gzip") == 0 ? MT_OCI_LAYER "+gzip" :
	    strcmp(algo, "zstd") == 0 ? MT_OCI_LAYER "+zstd" : MT_OCI_LAYER;
}

static int
make_blob(const struct store_info *info, const struct compression *c, int64_t epoch,
    struct image_diff_rec *out, struct snap_err *err)
{
	int none = strcmp(c->algo, "none") == 0, tmp = -1, r;
	struct blob_writer *w;

	if ((r = blob_writer_open(&w)) < 0)
		return snap_errf(err, r, "opening a blob: %s", strerror(-r));
	if (!none && (tmp = memfd_create("layer", MFD_CLOEXEC)) < 0)
		r = snap_errf(err, -errno, "memfd: %s", strerror(errno));
	if (r == 0)
		r = diff_tar(info, none ? blob_writer_fd(w) : tmp, epoch, out->diff_id, err);
	if (r == 0 && !none) {
		lseek(tmp, 0, SEEK_SET);
		r = tar_compress(tmp, blob_writer_fd(w), c->algo, c->level, err);
	}
	if (tmp >= 0)
		close(tmp);
	if (r < 0) {
		blob_writer_abort(w);
		return r;
	}
	r = blob_writer_commit(w, "", out->blob, &out->size);
	if (r < 0)
		return snap_errf(err, r, "storing the layer: %s", strerror(-r));
	snprintf(out->media, sizeof(out->media), "%s", media_of(c->algo));
	return 0;
}

/* A pulled layer's own blob, when it is still there and the manifest
 * can name its compression (a Docker v2 one has no zstd). */
static int
source_blob(const char *id, uint32_t flags, struct image_diff_rec *out)
{
	uint64_t size;

	if (!(flags & SNAP_DIFF_REUSE) || image_diff_get(id, IMAGE_DIFF_SOURCE, out) < 0 ||
	    blob_exists(out->blob, &size) < 0 || strstr(out->media, "nondistributable") ||
	    strstr(out->media, "foreign"))
		return -ENOENT;
	if ((flags & SNAP_DIFF_DOCKER) && strstr(out->media, "zstd"))
		return -ENOENT;
	return 0;
}

int
layer_diff(const char *id, const char *compression, int64_t epoch, uint32_t flags,
    struct image_diff_rec *out, struct snap_err *err)
{
	struct compression c;
	struct store_info info;
	char key[64];
	uint64_t size;
	int r;

	if (parse_compression(compression, &c) < 0)
		return snap_errf(err, -EINVAL, "compression '%s': gzip, zstd or none, "
		    "with :LEVEL (gzip 0-9, zstd 0-22)", compression);
	if (source_blob(id, flags, out) == 0)
		return 0;
	snprintf(key, sizeof(key), "%s@%lld", compression, (long long)epoch);
	if (image_diff_get(id, key, out) == 0 && blob_exists(out->blob, &size) == 0)
		return 0;
	if ((r = store_stat(id, &info)) < 0)
		return snap_errf(err, r, "snapshot %s: %s", id, strerror(-r));
	if (info.kind != STORE_COMMITTED)
		return snap_errf(err, -EINVAL, "snapshot %s is not committed", id);
	if ((r = make_blob(&info, &c, epoch, out, err)) < 0)
		return r;
	/* the snapshot holds its layer's blob; the memo goes with it */
	if ((r = store_ref_add(id, out->blob)) < 0 || (r = image_diff_put(id, key, out)) < 0)
		return snap_errf(err, r, "recording the layer of %s: %s", id, strerror(-r));
	return 0;
}
