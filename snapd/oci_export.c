/* oci_export.c: IMAGE_EXPORT: an image as an OCI image layout tar (type=oci) or a docker load archive (type=docker), streamed into the client's fd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include "image.h"
#include "imgref.h"
#include "log.h"
#include "regclient.h"

#define EXPORT_CHUNK	(1024 * 1024)	/* reads of a blob, and the tar's writes */

struct exp {
	struct archive		*a;
	struct ij_manifest	*m;
	char			 manifest[STORE_DIGEST_MAX];
	uint64_t		 msize;
	char			 name[IJ_NAME_MAX];	/* familiar, "x:1" */
	char			 full[IMGREF_STR_MAX];	/* "docker.io/library/x:1" */
	char			 tag[IMGREF_TAG_MAX];
	struct snap_err		*err;
};

/* Every entry as root, 0644 (0755 directories), at time 0, so the same
 * image gives the same bytes. */
static int
entry(struct exp *x, const char *path, int dir, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (e == NULL)
		return -ENOMEM;
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, dir ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	r = archive_write_header(x->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : snap_errf(x->err, -EIO, "writing %s: %s", path,
	    archive_error_string(x->a));
}

static int
put_bytes(struct exp *x, const char *path, const char *data, size_t n)
{
	int r = entry(x, path, 0, (int64_t)n);

	if (r == 0 && archive_write_data(x->a, data, n) != (la_ssize_t)n)
		r = snap_errf(x->err, -EIO, "writing %s: %s", path, archive_error_string(x->a));
	return r;
}

static int
put_json(struct exp *x, const char *path, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int r = text ? put_bytes(x, path, text, strlen(text)) : -ENOMEM;

	free(text);
	json_decref(j);
	return r;
}

/* blobs/sha256/HEX, streamed from the content store */
static int
put_blob(struct exp *x, const char *digest, uint64_t size)
{
	char path[STORE_DIGEST_MAX + 16], *buf = NULL;
	int fd = blob_open(digest), r;
	uint64_t done = 0;
	ssize_t n;

	if (fd < 0)
		return snap_errf(x->err, fd, "blob %s: %s%s", digest, strerror(-fd),
		    fd == -ENOENT ? " (pruned? pull or build the image again)" : "");
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	if ((r = entry(x, path, 0, (int64_t)size)) < 0)
		goto out;
	if ((buf = malloc(EXPORT_CHUNK)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (done < size && (n = read(fd, buf, EXPORT_CHUNK)) > 0) {
		if (archive_write_data(x->a, buf, (size_t)n) != n) {
			r = snap_errf(x->err, -EIO, "writing %s: %s", path,
			    archive_error_string(x->a));
			goto out;
		}
		done += (uint64_t)n;
	}
	if (done != size)
		r = snap_errf(x->err, -EIO, "blob %s: %llu bytes, not %llu", digest,
		    (unsigned long long)done, (unsigned long long)size);
out:
	free(buf);
	close(fd);
	return r;
}

static int
put_layout(struct exp *x)
{
	json_t *idx = json_pack("{s:i,s:s,s:[{s:s,s:s,s:I,s:{s:s,s:s}}]}",
	    "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests",
	    "mediaType", x->m->media, "digest", x->manifest, "size", (json_int_t)x->msize,
	    "annotations", "io.containerd.image.name", x->full,
	    "org.opencontainers.image.ref.name", x->tag);
	int r;

	if ((r = put_bytes(x, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30)) < 0 ||
	    (r = put_json(x, "index.json", idx)) < 0 || (r = entry(x, "blobs", 1, 0)) < 0 ||
	    (r = entry(x, "blobs/sha256", 1, 0)) < 0 ||
	    (r = put_blob(x, x->manifest, x->msize)) < 0 ||
	    (r = put_blob(x, x->m->config.digest, x->m->config.size)) < 0)
		return r;
	for (size_t i = 0; i < x->m->nlayers; i++) {
		int dup = 0;

		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(x->m->layers[k].digest, x->m->layers[i].digest);
		if (!dup && (r = put_blob(x, x->m->layers[i].digest, x->m->layers[i].size)) < 0)
			return r;
	}
	return 0;
}

/* docker load's manifest.json and repositories, over the same blobs, as
 * Docker 25's docker save writes them */
static int
put_docker(struct exp *x)
{
	json_t *layers = json_array(), *man, *repos;
	char cfg[STORE_DIGEST_MAX + 16], repo[IJ_NAME_MAX];
	int r;

	for (size_t i = 0; i < x->m->nlayers; i++)
		json_array_append_new(layers, json_sprintf("blobs/sha256/%s",
		    x->m->layers[i].digest + 7));
	snprintf(cfg, sizeof(cfg), "blobs/sha256/%s", x->m->config.digest + 7);
	man = json_pack("[{s:s,s:[s],s:o}]", "Config", cfg, "RepoTags", x->name,
	    "Layers", layers);
	if ((r = put_json(x, "manifest.json", man)) < 0)
		return r;
	snprintf(repo, sizeof(repo), "%.*s", (int)(strlen(x->name) - strlen(x->tag) - 1),
	    x->name);
	repos = json_pack("{s:{s:s}}", repo, x->tag, x->m->config.digest + 7);
	return put_json(x, "repositories", repos);
}

/* the names for the archive: given, or the image's own */
static int
set_names(struct exp *x, const struct image_rec *rec, const char *name)
{
	struct imgref r;

	if (imgref_parse(*name ? name : rec->name, &r, NULL) < 0 || !r.tag[0]) {
		if (*name)
			return snap_errf(x->err, -EINVAL, "'%s' is not a NAME[:TAG]", name);
		snprintf(r.tag, sizeof(r.tag), "latest");	/* an unnamed image */
		snprintf(x->full, sizeof(x->full), "%s", rec->manifest);
	} else
		imgref_format(&r, x->full, sizeof(x->full));
	snprintf(x->tag, sizeof(x->tag), "%s", r.tag);
	if (ij_normalize_name(*name ? name : rec->name, x->name, sizeof(x->name)) < 0 ||
	    strchr(x->name, '@'))
		snprintf(x->name, sizeof(x->name), "kiln-export:%s", x->tag);
	return 0;
}

static int
export_image(int fd, const char *ref, const char *format, const char *name,
    struct snap_err *err)
{
	struct exp x = { .err = err };
	struct image_rec rec;
	char *buf = NULL;
	size_t n;
	int r;

	if ((r = image_get(ref, &rec)) < 0)
		return snap_errf(err, r, "%s: %s", ref, r == -ENOENT ? "no such image here" :
		    strerror(-r));
	if ((r = set_names(&x, &rec, name)) < 0 || (x.m = calloc(1, sizeof(*x.m))) == NULL ||
	    (r = image_blob_read(rec.manifest, &buf, &n, err)) < 0 ||
	    (r = ij_parse_manifest(buf, n, x.m, err)) < 0)
		goto out;
	snprintf(x.manifest, sizeof(x.manifest), "%s", rec.manifest);
	x.msize = n;
	if ((x.a = archive_write_new()) == NULL ||
	    archive_write_set_format_pax_restricted(x.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(x.a, EXPORT_CHUNK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(x.a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(x.a, fd) != ARCHIVE_OK) {
		r = snap_errf(err, -EIO, "starting the archive: %s", x.a ?
		    archive_error_string(x.a) : "out of memory");
		goto out;
	}
	r = put_layout(&x);
	if (r == 0 && strcmp(format, "docker") == 0)
		r = put_docker(&x);
	if (r == 0 && archive_write_close(x.a) != ARCHIVE_OK)
		r = snap_errf(err, -EIO, "finishing the archive: %s", archive_error_string(x.a));
out:
	if (x.a)
		archive_write_free(x.a);
	free(buf);
	free(x.m);
	return r;
}

/* [str image, str format, str name] + fd */
int
export_on_image_export(struct ipc_peer *p, struct ipc_msg *m)
{
	char ref[IJ_NAME_MAX], format[16], name[IJ_NAME_MAX];
	struct snap_err err = { "" };
	struct ipc_rd rd;
	int r;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    regc_rd_str(&rd, ref, sizeof(ref)) < 0 || regc_rd_str(&rd, format, sizeof(format)) < 0 ||
	    regc_rd_str(&rd, name, sizeof(name)) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if (strcmp(format, "oci") != 0 && strcmp(format, "docker") != 0)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "export %s: the format is oci "
		    "or docker, not '%s'", ref, format), 0;
	r = export_image(m->fds[0], ref, format, name, &err);
	if (r < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "export %s as %s: %s", ref, format,
		    err.msg[0] ? err.msg : strerror(-r)), 0;
	log_info("exported %s as %s", ref, format);
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}
