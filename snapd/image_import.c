/* image_import.c: IMAGE_IMPORT's work: an OCI layout (directory or tar) or a `docker save` tar into the content store and image names. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "image.h"
#include "image_store.h"

#define IMP_MAX_FILES	4096

/* A tar's member: its path, and the blob it became or where it links. */
struct member {
	char	path[IJ_NAME_MAX];
	char	digest[STORE_DIGEST_MAX];
	char	link[IJ_NAME_MAX];	/* symlink or hardlink target, as a path */
	int	staged;		/* its content is the staging dir's file "N" */
};

struct imp {
	int		 dirfd;		/* a layout directory, or -1 for a tar */
	int		 stage;		/* a tar: where the jail puts members */
	const char	*name;		/* --name, or "" */
	struct snap_err	*err;
	struct member	*files;
	size_t		 nfiles;
	char		*index, *docker;	/* index.json, manifest.json */
	size_t		 nindex, ndocker;
	struct image_list *out;
};

/* Streams fd into a blob; expect "" to accept what it is. */
static int
blob_from_fd(int fd, const char *expect, char digest[STORE_DIGEST_MAX],
    uint64_t *size, struct snap_err *err)
{
	struct blob_writer *w;
	static char buf[128 * 1024];
	int r, wfd;
	ssize_t n;

	if ((r = blob_writer_open(&w)) < 0)
		return snap_errf(err, r, "opening a blob: %s", strerror(-r));
	wfd = blob_writer_fd(w);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t o = 0; o < n;) {
			ssize_t k = write(wfd, buf + o, (size_t)(n - o));

			if (k < 0) {
				r = -errno;
				blob_writer_abort(w);
				return snap_errf(err, r, "writing a blob: %s", strerror(-r));
			}
			o += k;
		}
	if (n < 0) {
		r = -errno;
		blob_writer_abort(w);
		return snap_errf(err, r, "reading: %s", strerror(-r));
	}
	r = blob_writer_commit(w, expect, digest, size);
	if (r == -EBADMSG)
		return snap_errf(err, r, "blob %s: its content does not match its digest",
		    expect);
	return r < 0 ? snap_errf(err, r, "storing a blob: %s", strerror(-r)) : 0;
}

/* The jail's half: the archive's current member into the staging
 * directory's file "N", named by its number, never by the archive. */
static int
stage_member(struct imp *im, struct archive *a, const char *path, size_t n)
{
	char name[32];
	const void *buf;
	size_t len;
	la_int64_t off;
	int r, fd;

	snprintf(name, sizeof(name), "%zu", n);
	fd = openat(im->stage, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return snap_errf(im->err, -errno, "staging archive member %s: %s", path,
		    strerror(errno));
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		for (size_t o = 0; o < len;) {
			ssize_t k = pwrite(fd, (const char *)buf + o, len - o, off + (off_t)o);

			if (k < 0) {
				r = -errno;
				close(fd);
				return snap_errf(im->err, r, "staging archive member %s: %s",
				    path, strerror(-r));
			}
			o += (size_t)k;
		}
	close(fd);
	if (r != ARCHIVE_EOF)
		return snap_errf(im->err, -EIO, "archive member %s: %s", path,
		    archive_error_string(a) ? archive_error_string(a) : "its data ends early");
	im->files[n].staged = 1;
	return 0;
}

/* Reads at most IJ_MAX_JSON bytes of fd into a malloc'd buffer. */
static int
slurp(int fd, char **buf, size_t *n)
{
	size_t cap = 64 * 1024, len = 0;
	char *b = malloc(cap);
	ssize_t k;

	if (b == NULL)
		return -ENOMEM;
	/* one byte kept for a NUL, so JSON can be used as a string */
	while ((k = read(fd, b + len, cap - len - 1)) > 0) {
		len += (size_t)k;
		if (len == cap - 1) {
			char *nb;

			if (cap >= IJ_MAX_JSON) {
				free(b);
				return -EFBIG;
			}
			if ((nb = realloc(b, cap * 2)) == NULL) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (k < 0) {
		free(b);
		return -errno;
	}
	b[len] = '\0';
	*buf = b;
	*n = len;
	return 0;
}

int
image_blob_read(const char *digest, char **buf, size_t *n, struct snap_err *err)
{
	int fd = blob_open(digest), r;

	if (fd < 0)
		return snap_errf(err, fd, "blob %s is missing", digest);
	r = slurp(fd, buf, n);
	close(fd);
	return r < 0 ? snap_errf(err, r, "reading blob %s: %s", digest, strerror(-r)) : 0;
}

/* --- where blobs come from: a layout directory, or the tar's members --- */

static int
dir_blob(struct imp *im, const char *digest)
{
	char path[128], got[STORE_DIGEST_MAX];
	uint64_t size;
	int fd, r;

	if (blob_exists(digest, &size) == 0)
		return 0;
	if (im->dirfd < 0)
		return snap_errf(im->err, -ENOENT, "the archive has no blob %s", digest);
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	fd = fs_open_beneath(im->dirfd, path, O_RDONLY);
	if (fd < 0)
		return snap_errf(im->err, fd, "the layout has no blob %s: %s", digest,
		    strerror(-fd));
	r = blob_from_fd(fd, digest, got, &size, im->err);
	close(fd);
	return r;
}

static struct member *
member_find(struct imp *im, const char *path)
{
	char clean[IJ_NAME_MAX];

	if (fs_clean_path(path, 1, clean, sizeof(clean)) < 0)
		return NULL;
	for (int hops = 0; hops < 8; hops++) {
		struct member *m = NULL;

		for (size_t i = 0; i < im->nfiles && !m; i++)
			if (strcmp(im->files[i].path, clean) == 0)
				m = &im->files[i];
		if (m == NULL || !m->link[0])
			return m;
		snprintf(clean, sizeof(clean), "%s", m->link);
	}
	return NULL;
}

/* A docker-save path to the blob it is: stored now from the directory,
 * or found among the tar's members. */
static int
path_blob(struct imp *im, const char *path, char digest[STORE_DIGEST_MAX],
    uint64_t *size)
{
	struct member *m;
	int fd, r;

	if (im->dirfd >= 0) {
		char clean[IJ_NAME_MAX];

		if (fs_clean_path(path, 0, clean, sizeof(clean)) < 0)
			return snap_errf(im->err, -EINVAL, "manifest.json: path '%s' leaves "
			    "the archive", path);
		fd = fs_open_beneath(im->dirfd, clean, O_RDONLY);
		if (fd < 0)
			return snap_errf(im->err, fd, "manifest.json names '%s': %s", path,
			    strerror(-fd));
		r = blob_from_fd(fd, "", digest, size, im->err);
		close(fd);
		return r;
	}
	m = member_find(im, path);
	if (m == NULL || !m->digest[0])
		return snap_errf(im->err, -ENOENT, "manifest.json names '%s', which the "
		    "archive does not have", path);
	snprintf(digest, STORE_DIGEST_MAX, "%s", m->digest);
	return blob_exists(digest, size);
}

/* --- naming what was imported --- */

static int
record(struct imp *im, const char *name, const char *manifest, const char *config,
    const struct ij_manifest *m, uint64_t msize)
{
	const char *blobs[IJ_MAX_LAYERS + 2];
	struct image_rec rec;
	size_t n = 0;
	int r;

	memset(&rec, 0, sizeof(rec));
	if (*im->name)
		name = im->name;
	if (!*name)
		snprintf(rec.name, sizeof(rec.name), "%s", manifest);
	else if (ij_normalize_name(name, rec.name, sizeof(rec.name)) < 0)
		return snap_errf(im->err, -EINVAL, "'%s' is not an image name", name);
	snprintf(rec.manifest, sizeof(rec.manifest), "%s", manifest);
	snprintf(rec.config, sizeof(rec.config), "%s", config);
	rec.size = msize + m->config.size;
	rec.created = (int64_t)time(NULL);
	blobs[n++] = manifest;
	blobs[n++] = config;
	for (size_t i = 0; i < m->nlayers; i++) {
		blobs[n++] = m->layers[i].digest;
		rec.size += m->layers[i].size;
	}
	if ((r = image_put(&rec, blobs, n)) < 0)
		return snap_errf(im->err, r, "recording image %s: %s", rec.name, strerror(-r));
	return image_list_add(im->out, &rec);
}

/* --- OCI: index.json, manifests, their blobs --- */

static int
manifest_of(struct imp *im, const struct ij_desc *d, struct ij_manifest *m,
    char used[STORE_DIGEST_MAX], uint64_t *msize, int depth)
{
	struct ij_desc *sub = NULL;
	size_t nsub = 0, n, pick = 0;
	char *buf = NULL;
	int r;

	if ((r = dir_blob(im, d->digest)) < 0 ||
	    (r = image_blob_read(d->digest, &buf, &n, im->err)) < 0)
		return r;
	r = ij_parse_manifest(buf, n, m, im->err);
	if (r == -EMEDIUMTYPE && depth == 0) {
		/* a multi-platform index: this machine's platform */
		r = ij_parse_index(buf, n, &sub, &nsub, im->err);
		for (size_t i = 0; r == 0 && i < nsub; i++)
			if (strcmp(sub[i].platform, IMAGE_PLATFORM) == 0)
				pick = i;
		if (r == 0 && nsub == 0)
			r = snap_errf(im->err, -ENOENT, "index %s lists no manifest", d->digest);
		if (r == 0)
			r = manifest_of(im, &sub[pick], m, used, msize, 1);
		free(sub);
		free(buf);
		return r;
	}
	free(buf);
	if (r < 0)
		return r;
	snprintf(used, STORE_DIGEST_MAX, "%s", d->digest);
	*msize = d->size;
	return 0;
}

static int
import_oci(struct imp *im)
{
	struct ij_desc *ds = NULL;
	struct ij_manifest *m = malloc(sizeof(*m));
	char used[STORE_DIGEST_MAX];
	size_t nd = 0;
	uint64_t msize;
	int r;

	if (m == NULL)
		return -ENOMEM;
	r = ij_parse_index(im->index, im->nindex, &ds, &nd, im->err);
	if (r == 0 && nd == 0)
		r = snap_errf(im->err, -ENOENT, "index.json lists no image");
	for (size_t i = 0; r == 0 && i < nd; i++) {
		r = manifest_of(im, &ds[i], m, used, &msize, 0);
		if (r == 0)
			r = dir_blob(im, m->config.digest);
		for (size_t k = 0; r == 0 && k < m->nlayers; k++)
			r = dir_blob(im, m->layers[k].digest);
		if (r == 0)
			r = record(im, ds[i].name, used, m->config.digest, m, msize);
	}
	free(ds);
	free(m);
	return r;
}

/* --- docker save: manifest.json, <id>.json configs, layer tars --- */

static int
layer_media(const char *digest, char *media, size_t size)
{
	unsigned char magic[4] = { 0 };
	int fd = blob_open(digest);

	if (fd < 0)
		return fd;
	if (read(fd, magic, sizeof(magic)) < 0)
		magic[0] = 0;
	close(fd);
	if (magic[0] == 0x1f && magic[1] == 0x8b)
		snprintf(media, size, "%s+gzip", MT_OCI_LAYER);
	else if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
		snprintf(media, size, "%s+zstd", MT_OCI_LAYER);
	else
		snprintf(media, size, "%s", MT_OCI_LAYER);
	return 0;
}

/* An OCI manifest for one docker-save image, stored as a blob. */
static int
docker_manifest(struct imp *im, struct ij_manifest *m, char digest[STORE_DIGEST_MAX],
    uint64_t *size)
{
	char *json = ij_make_manifest(&m->config, m->layers, m->nlayers);
	int fd, r;

	if (json == NULL)
		return -ENOMEM;
	fd = memfd_create("manifest", MFD_CLOEXEC);
	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json)) {
		r = snap_errf(im->err, -errno, "writing a manifest: %s", strerror(errno));
		goto out;
	}
	lseek(fd, 0, SEEK_SET);
	r = blob_from_fd(fd, "", digest, size, im->err);
out:
	if (fd >= 0)
		close(fd);
	free(json);
	return r;
}

static int
import_docker_one(struct imp *im, const struct ij_docker *d, struct ij_manifest *m)
{
	char (*ids)[STORE_DIGEST_MAX] = NULL, mdigest[STORE_DIGEST_MAX], *cfg = NULL;
	size_t nids = 0, ncfg;
	uint64_t msize;
	int r;

	memset(m, 0, sizeof(*m));
	snprintf(m->config.media, sizeof(m->config.media), "%s", MT_OCI_CONFIG);
	r = path_blob(im, d->config, m->config.digest, &m->config.size);
	if (r == 0)
		r = image_blob_read(m->config.digest, &cfg, &ncfg, im->err);
	if (r == 0)
		r = ij_parse_diff_ids(cfg, ncfg, &ids, &nids, im->err);
	if (r == 0 && nids != d->nlayers)
		r = snap_errf(im->err, -EINVAL, "image %s: %zu layers but %zu diff_ids",
		    d->config, d->nlayers, nids);
	for (size_t i = 0; r == 0 && i < d->nlayers; i++) {
		struct ij_desc *l = &m->layers[m->nlayers++];

		r = path_blob(im, d->layers[i], l->digest, &l->size);
		if (r == 0)
			r = layer_media(l->digest, l->media, sizeof(l->media));
	}
	if (r == 0)
		r = docker_manifest(im, m, mdigest, &msize);
	for (size_t t = 0; r == 0 && t < (d->ntags ? d->ntags : 1); t++)
		r = record(im, d->ntags ? d->tags[t] : "", mdigest, m->config.digest, m, msize);
	free(ids);
	free(cfg);
	return r;
}

static int
import_docker(struct imp *im)
{
	struct ij_docker *ds = NULL;
	struct ij_manifest *m = malloc(sizeof(*m));
	size_t nd = 0;
	int r;

	if (m == NULL)
		return -ENOMEM;
	r = ij_parse_docker(im->docker, im->ndocker, &ds, &nd, im->err);
	for (size_t i = 0; r == 0 && i < nd; i++)
		r = import_docker_one(im, &ds[i], m);
	free(ds);
	free(m);
	return r;
}

/* --- reading the source --- */

static int
dir_file(struct imp *im, const char *name, char **buf, size_t *n)
{
	int fd = fs_open_beneath(im->dirfd, name, O_RDONLY), r;

	if (fd < 0)
		return fd;
	r = slurp(fd, buf, n);
	close(fd);
	return r;
}

static struct member *
member_add(struct imp *im, const char *path)
{
	struct member *m;

	if (im->nfiles % 64 == 0) {
		if (im->nfiles >= IMP_MAX_FILES)
			return NULL;
		m = realloc(im->files, (im->nfiles + 64) * sizeof(*m));
		if (m == NULL)
			return NULL;
		im->files = m;
	}
	m = &im->files[im->nfiles++];
	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	return m;
}

static int
tar_member(struct imp *im, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	char clean[IJ_NAME_MAX];
	struct member *m;
	uint64_t size;

	if (name == NULL || name[0] == '/' ||
	    fs_clean_path(name, 1, clean, sizeof(clean)) < 0)
		return snap_errf(im->err, -EINVAL, "archive member '%s': %s, refused",
		    name ? name : "?", name == NULL ? "no name" : name[0] == '/' ?
		    "an absolute path" : "a path with '..' or too long");
	if (strcmp(clean, "index.json") == 0 || strcmp(clean, "manifest.json") == 0) {
		int is_index = clean[0] == 'i';
		la_int64_t len = archive_entry_size(e);
		char *buf;

		if (len < 0 || len > IJ_MAX_JSON)
			return snap_errf(im->err, -EFBIG, "%s is too large", clean);
		if ((buf = malloc((size_t)len + 1)) == NULL)
			return -ENOMEM;
		if (archive_read_data(a, buf, (size_t)len) != len) {
			free(buf);
			return snap_errf(im->err, -EIO, "archive member %s: %s", clean,
			    archive_error_string(a) ? archive_error_string(a) :
			    "its data ends early");
		}
		free(is_index ? im->index : im->docker);
		*(is_index ? &im->index : &im->docker) = buf;
		*(is_index ? &im->nindex : &im->ndocker) = (size_t)len;
		return 0;
	}
	if (archive_entry_hardlink(e) || archive_entry_filetype(e) == AE_IFLNK) {
		if ((m = member_add(im, clean)) == NULL)
			return snap_errf(im->err, -E2BIG, "the archive has too many members");
		if (archive_entry_hardlink(e))
			fs_clean_path(archive_entry_hardlink(e), 1, m->link, sizeof(m->link));
		else
			fs_link_target(clean, archive_entry_symlink(e), m->link, sizeof(m->link));
		return 0;
	}
	if (archive_entry_filetype(e) != AE_IFREG)
		return 0;
	if ((m = member_add(im, clean)) == NULL)
		return snap_errf(im->err, -E2BIG, "the archive has too many members");
	{
		/* blobs/sha256/HEX is verified against its name */
		char expect[STORE_DIGEST_MAX] = "";

		if (strncmp(clean, "blobs/sha256/", 13) == 0 && strlen(clean + 13) == 64) {
			memcpy(expect, "sha256:", 7);
			memcpy(expect + 7, clean + 13, 65);
			if (!ij_digest_ok(expect))
				expect[0] = '\0';
		}
		if (expect[0] && blob_exists(expect, &size) == 0) {
			snprintf(m->digest, sizeof(m->digest), "%s", expect);
			return 0;
		}
		return stage_member(im, a, clean, (size_t)(m - im->files));
	}
}

static int
read_tar(struct imp *im, int fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char last[IJ_NAME_MAX] = "(none)";
	int r = 0, h;

	if (a == NULL)
		return -ENOMEM;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 128 * 1024) != ARCHIVE_OK) {
		r = snap_errf(im->err, -EINVAL, "not an OCI layout, an OCI layout tar "
		    "or a docker-save tar: %s", archive_error_string(a));
		goto out;
	}
	while (r == 0 && (h = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (h < ARCHIVE_WARN)
			r = snap_errf(im->err, -EINVAL, "reading the archive after member "
			    "'%s': %s", last, archive_error_string(a));
		else if ((r = tar_member(im, a, e)) == 0 && archive_entry_pathname(e))
			snprintf(last, sizeof(last), "%s", archive_entry_pathname(e));
	}
out:
	archive_read_free(a);
	return r;
}

/* --- a tar is parsed in a jail; snapd takes what it staged --- */

struct tar_job {
	struct imp	*im;
	int		 fd, list;
};

/* The child: members staged by number, the table of them (paths are
 * keys only, never opened) into the list memfd, the JSON as files. */
static int
tar_in_jail(void *arg, struct jail_out *out)
{
	struct tar_job *j = arg;
	struct imp *im = j->im;
	size_t n;
	int r;

	im->err = &out->err;
	if ((r = read_tar(im, j->fd)) < 0)
		return r;
	n = im->nfiles * sizeof(*im->files);
	if (n && pwrite(j->list, im->files, n, 0) != (ssize_t)n)
		return snap_errf(&out->err, -errno, "writing the member table: %s",
		    strerror(errno));
	for (int k = 0; k < 2; k++) {
		const char *buf = k ? im->docker : im->index;
		size_t len = k ? im->ndocker : im->nindex;
		int fd;

		if (buf == NULL)
			continue;
		fd = openat(im->stage, k ? "manifest.json" : "index.json",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
			r = snap_errf(&out->err, -errno, "staging the archive's JSON: %s",
			    strerror(errno));
		if (fd >= 0)
			close(fd);
		if (r < 0)
			return r;
	}
	out->data[0] = im->nfiles;
	out->data[1] = im->index != NULL;
	out->data[2] = im->docker != NULL;
	return 0;
}

/* The child's table, taken as untrusted: counts bounded, strings ended. */
static int
members_load(struct imp *im, int list, uint64_t n)
{
	size_t len = (size_t)n * sizeof(*im->files);

	if (n > IMP_MAX_FILES)
		return snap_errf(im->err, -EBADMSG, "the archive's reader sent %llu members",
		    (unsigned long long)n);
	if (n == 0)
		return 0;
	if ((im->files = calloc((size_t)n, sizeof(*im->files))) == NULL)
		return -ENOMEM;
	if (pread(list, im->files, len, 0) != (ssize_t)len)
		return snap_errf(im->err, -EIO, "reading the member table: %s", strerror(errno));
	im->nfiles = (size_t)n;
	for (size_t i = 0; i < im->nfiles; i++) {
		struct member *m = &im->files[i];

		m->path[sizeof(m->path) - 1] = m->link[sizeof(m->link) - 1] = '\0';
		m->digest[sizeof(m->digest) - 1] = '\0';
		if (m->digest[0] && !ij_digest_ok(m->digest))
			m->digest[0] = '\0';
	}
	return 0;
}

/* A staged member into the content store; blobs/sha256/HEX must be HEX. */
static int
stage_commit(struct imp *im, struct member *m, size_t i)
{
	char name[32], expect[STORE_DIGEST_MAX] = "";
	struct blob_writer *w;
	uint64_t size;
	int fd, r;

	snprintf(name, sizeof(name), "%zu", i);
	if ((fd = openat(im->stage, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return snap_errf(im->err, -errno, "archive member %s: not staged: %s",
		    m->path, strerror(errno));
	if ((r = blob_writer_adopt(fd, &w)) < 0)
		return r;
	if (strncmp(m->path, "blobs/sha256/", 13) == 0 && strlen(m->path + 13) == 64) {
		memcpy(expect, "sha256:", 7);
		memcpy(expect + 7, m->path + 13, 65);
		if (!ij_digest_ok(expect))
			expect[0] = '\0';
	}
	r = blob_writer_commit(w, expect, m->digest, &size);
	if (r == -EBADMSG)
		return snap_errf(im->err, r, "archive member %s: its content does not "
		    "match its name", m->path);
	return r < 0 ? snap_errf(im->err, r, "storing archive member %s: %s", m->path,
	    strerror(-r)) : 0;
}

static int
stage_json(struct imp *im, const char *name, char **buf, size_t *n)
{
	int fd = openat(im->stage, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return snap_errf(im->err, -errno, "%s: not staged: %s", name, strerror(errno));
	r = slurp(fd, buf, n);
	close(fd);
	return r < 0 ? snap_errf(im->err, r, "%s: %s", name, strerror(-r)) : 0;
}

static int
tar_import(struct imp *im, int fd)
{
	char stage[PATH_MAX];
	struct tar_job j = { im, fd, -1 };
	struct jail_out out;
	int keep[3], r;

	if ((r = blob_staging_dir(stage, sizeof(stage))) < 0)
		return snap_errf(im->err, r, "a staging directory: %s", strerror(-r));
	im->stage = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	j.list = memfd_create("members", MFD_CLOEXEC);
	if (im->stage < 0 || j.list < 0) {
		r = snap_errf(im->err, -errno, "staging: %s", strerror(errno));
		goto out;
	}
	keep[0] = fd;
	keep[1] = im->stage;
	keep[2] = j.list;
	if ((r = jail_run(tar_in_jail, &j, keep, 3, &out)) < 0) {
		*im->err = out.err;
		goto out;
	}
	r = members_load(im, j.list, out.data[0]);
	for (size_t i = 0; r == 0 && i < im->nfiles; i++)
		if (im->files[i].staged)
			r = stage_commit(im, &im->files[i], i);
	if (r == 0 && out.data[1])
		r = stage_json(im, "index.json", &im->index, &im->nindex);
	if (r == 0 && out.data[2])
		r = stage_json(im, "manifest.json", &im->docker, &im->ndocker);
out:
	if (j.list >= 0)
		close(j.list);
	if (im->stage >= 0)
		close(im->stage);
	im->stage = -1;
	fs_rm_rf(AT_FDCWD, stage);
	return r;
}

int
image_import(int srcfd, const char *name, struct image_list *out, struct snap_err *err)
{
	struct imp im = { .dirfd = -1, .stage = -1, .name = name, .err = err, .out = out };
	struct stat st;
	int r;

	if (fstat(srcfd, &st) < 0)
		return snap_errf(err, -errno, "the source: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		im.dirfd = srcfd;
		r = dir_file(&im, "index.json", &im.index, &im.nindex);
		if (r == -ENOENT)
			r = dir_file(&im, "manifest.json", &im.docker, &im.ndocker);
		if (r < 0)
			r = snap_errf(err, r, "the directory has neither an index.json (OCI "
			    "layout) nor a manifest.json (docker save)");
	} else if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
		r = tar_import(&im, srcfd);
	else
		r = snap_errf(err, -EINVAL, "the source is neither a directory nor a file");
	if (r == 0 && im.index)
		r = import_oci(&im);
	else if (r == 0 && im.docker)
		r = import_docker(&im);
	else if (r == 0)
		r = snap_errf(err, -EINVAL, "the archive has neither an index.json (OCI "
		    "layout) nor a manifest.json (docker save)");
	free(im.index);
	free(im.docker);
	free(im.files);
	return r;
}

/* One manifest of an OCI layout directory (digest "": the first that
 * index.json names), its blobs the store lacks, recorded under its
 * digest: a build cache's record (cache_dir.c), fetched only when a
 * build needs it. */
int
image_import_one(int dirfd, const char *digest, struct image_list *out,
    struct snap_err *err)
{
	struct imp im = { .dirfd = dirfd, .name = "", .err = err, .out = out };
	struct ij_manifest *m = malloc(sizeof(*m));
	struct ij_desc *ds = NULL, one;
	char used[STORE_DIGEST_MAX];
	size_t nd = 0;
	uint64_t msize;
	int r = 0;

	if (m == NULL)
		return -ENOMEM;
	memset(&one, 0, sizeof(one));
	if (*digest && !ij_digest_ok(digest))
		r = snap_errf(err, -EINVAL, "'%s' is not a sha256 digest", digest);
	else if (*digest)
		snprintf(one.digest, sizeof(one.digest), "%s", digest);
	else if ((r = dir_file(&im, "index.json", &im.index, &im.nindex)) < 0)
		r = snap_errf(err, r, "index.json: %s", strerror(-r));
	else if ((r = ij_parse_index(im.index, im.nindex, &ds, &nd, err)) == 0 && nd == 0)
		r = snap_errf(err, -ENOENT, "index.json lists no image");
	else if (r == 0)
		one = ds[0];
	one.name[0] = '\0';
	if (r == 0)
		r = manifest_of(&im, &one, m, used, &msize, 0);
	if (r == 0)
		r = dir_blob(&im, m->config.digest);
	for (size_t k = 0; r == 0 && k < m->nlayers; k++)
		r = dir_blob(&im, m->layers[k].digest);
	if (r == 0)
		r = record(&im, "", used, m->config.digest, m, msize);
	free(ds);
	free(im.index);
	free(m);
	return r;
}
