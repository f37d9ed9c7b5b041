/* cache_dir.c: CACHE_DIR_WRITE and CACHE_DIR_LOAD: a build cache as an OCI layout directory of the client's (kiln-cache.5), written from and read into the content store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "cache_dir.h"
#include "files_api.h"
#include "image.h"
#include "log.h"

#define CD_MAX_IMAGES	4096

struct cd_write {
	int		 dir, blobs;	/* the layout, its blobs/sha256 */
	uint64_t	 written, kept;
	struct snap_err	*err;
};

/* A blob of the content store as blobs/sha256/HEX, copied aside then
 * renamed; one already there is kept (the directory is the user's own). */
static int
put_blob(struct cd_write *cw, const char *digest)
{
	char tmp[96];
	const char *hex = digest + 7;
	int in, out, r;

	if (!ij_digest_ok(digest))
		return snap_errf(cw->err, -EINVAL, "'%s' is not a sha256 digest", digest);
	if (faccessat(cw->blobs, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		cw->kept++;
		return 0;
	}
	if ((in = blob_open(digest)) < 0)
		return snap_errf(cw->err, in, "blob %s is not in the content store", digest);
	snprintf(tmp, sizeof(tmp), ".tmp-%s", hex);
	out = openat(cw->blobs, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (out < 0) {
		r = -errno;
		close(in);
		return snap_errf(cw->err, r, "blobs/sha256/%s: %s", tmp, strerror(-r));
	}
	r = fs_copy_data(in, out, -1);
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	close(in);
	close(out);
	if (r == 0 && renameat(cw->blobs, tmp, cw->blobs, hex) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(cw->blobs, tmp, 0);
		return snap_errf(cw->err, r, "writing blobs/sha256/%s: %s", hex, strerror(-r));
	}
	cw->written++;
	return 0;
}

/* An image's manifest, config and layers. */
static int
put_image(struct cd_write *cw, const char *manifest)
{
	struct ij_manifest *m = malloc(sizeof(*m));
	char *buf = NULL;
	size_t n;
	int r;

	if (m == NULL)
		return -ENOMEM;
	if ((r = put_blob(cw, manifest)) == 0 &&
	    (r = image_blob_read(manifest, &buf, &n, cw->err)) == 0 &&
	    (r = ij_parse_manifest(buf, n, m, cw->err)) == 0)
		r = put_blob(cw, m->config.digest);
	for (size_t i = 0; r == 0 && i < m->nlayers; i++)
		r = put_blob(cw, m->layers[i].digest);
	free(buf);
	free(m);
	return r;
}

/* A small file of the layout, written aside and renamed. */
static int
put_file(struct cd_write *cw, const char *name, const char *data)
{
	char tmp[64];
	size_t len = strlen(data);
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), ".tmp-%s", name);
	fd = openat(cw->dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0)
		return snap_errf(cw->err, -errno, "%s: %s", tmp, strerror(errno));
	for (size_t o = 0; o < len && r == 0;) {
		ssize_t k = write(fd, data + o, len - o);

		if (k < 0)
			r = -errno;
		else
			o += (size_t)k;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && renameat(cw->dir, tmp, cw->dir, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(cw->dir, tmp, 0);
		return snap_errf(cw->err, r, "writing %s: %s", name, strerror(-r));
	}
	return 0;
}

/* index.json: the cache manifest alone, so that an import of the
 * directory as an image takes no layer */
static int
put_index(struct cd_write *cw, const char *root)
{
	json_t *idx;
	char *text;
	uint64_t size;
	int r;

	if (blob_exists(root, &size) < 0)
		return snap_errf(cw->err, -ENOENT, "blob %s is not in the content store", root);
	idx = json_pack("{s:i, s:s, s:[{s:s, s:s, s:I, s:{s:s}}]}", "schemaVersion", 2,
	    "mediaType", MT_OCI_INDEX, "manifests", "mediaType", MT_OCI_MANIFEST, "digest",
	    root, "size", (json_int_t)size, "annotations",
	    "org.opencontainers.image.ref.name", "cache");
	text = idx ? json_dumps(idx, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(idx);
	if (text == NULL)
		return -ENOMEM;
	r = put_file(cw, "index.json", text);
	free(text);
	return r;
}

static int
dir_write(int dir, const char *root, char **records, size_t n, struct snap_err *err)
{
	struct cd_write cw = { dir, -1, 0, 0, err };
	int r;

	cw.blobs = fs_open_dir(dir, "blobs/sha256", 1, (uid_t)-1, (gid_t)-1);
	if (cw.blobs < 0)
		return snap_errf(err, cw.blobs, "blobs/sha256: %s", strerror(-cw.blobs));
	r = put_file(&cw, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	for (size_t i = 0; r == 0 && i < n; i++)
		r = put_image(&cw, records[i]);
	if (r == 0 && (r = put_image(&cw, root)) == 0)
		r = put_index(&cw, root);
	if (r == 0)
		log_info("cache: wrote %s and %zu records: %llu blobs written, %llu there "
		    "already", root, n, (unsigned long long)cw.written,
		    (unsigned long long)cw.kept);
	close(cw.blobs);
	return r;
}

/* [str cache manifest, [str record manifest...]] + fd */
static int
on_dir_write(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct ipc_rd rd, list;
	char *root = NULL, **recs = NULL;
	size_t n = 0;
	int r = -EBADMSG;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_strdup(&rd, &root) < 0 || ipc_rd_array(&rd, &list) < 0 ||
	    list.n > CD_MAX_IMAGES || ipc_rd_end(&rd) < 0)
		goto out;
	if ((recs = calloc(list.n + 1, sizeof(*recs))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (; list.i < list.n; n++)
		if (ipc_rd_strdup(&list, &recs[n]) < 0)
			goto out;
	r = dir_write(m->fds[0], root, recs, n, &err);
	r = r < 0 ? files_reply_err(p, m->hdr.id, r, &err) :
	    ipc_reply_empty(p, IPC_OK, m->hdr.id);
out:
	for (size_t i = 0; recs && i < n; i++)
		free(recs[i]);
	free(recs);
	free(root);
	return r;
}

/* [str manifest digest] + fd: that image in, resolved: IMAGE_RESOLVED */
static int
on_dir_load(struct ipc_peer *p, struct ipc_msg *m)
{
	struct image_list l = { NULL, 0 };
	struct snap_err err = { "" };
	struct image_rec rec;
	char top[STORE_ID_MAX], *digest, *config = NULL;
	int r;

	if (m->nfds != 1 || files_rd_one_str(m, &digest) < 0)
		return -EBADMSG;
	r = image_import_one(m->fds[0], digest, &l, &err);
	if (r == 0 && l.n == 1)
		r = image_resolve(l.recs[0].manifest, &rec, &config, top, &err);
	else if (r == 0)
		r = snap_errf(&err, -EPROTO, "the import made %zu images", l.n);
	free(digest);
	image_list_free(&l);
	if (r < 0)
		return files_reply_err(p, m->hdr.id, r, &err);
	log_info("cache: loaded %s (top %s)", rec.manifest, *top ? top : "none");
	r = files_reply_resolved(p, m->hdr.id, rec.manifest, config, top);
	free(config);
	return r;
}

const struct ipc_handler snapd_cache_handlers[] = {
	{ IPC_CACHE_DIR_WRITE, on_dir_write },
	{ IPC_CACHE_DIR_LOAD, on_dir_load },
	IPC_HANDLERS_END
};
