/* build_send.c: opens what a build needs (context, Dockerfile, outputs, secrets, contexts) and sends the BUILD request. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "build.h"
#include "build_send.h"
#include "util.h"

#define DOCKERFILE_MAX	(4 << 20)

void
bsend_init(struct bsend *b)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < BOPT_MAX_FDS; i++)
		b->fds[i] = -1;
}

void
bsend_free(struct bsend *b)
{
	for (int i = 0; i < b->nfds; i++)
		if (b->fds[i] >= 0)
			close(b->fds[i]);
	b->nfds = 0;
	dockerignore_free(b->ignore, b->nignore);
	b->ignore = NULL;
	b->nignore = 0;
}

static int
add_fd(struct bsend *b, int fd, const char *what)
{
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "kilnctl build: %s: %s\n", what, strerror(e));
		return -e;
	}
	if (b->nfds >= BOPT_MAX_FDS) {
		close(fd);
		fprintf(stderr, "kilnctl build: too many outputs, secrets and build "
		    "contexts: %d descriptors at most travel with a build\n", BOPT_MAX_FDS);
		return -E2BIG;
	}
	b->fds[b->nfds++] = fd;
	return 0;
}

/* A memfd holding len bytes of data, at offset 0 for the daemon. */
static int
memfd_of(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t o = 0; o < len;) {
		ssize_t w = write(fd, (const char *)data + o, len - o);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		o += (size_t)w;
	}
	return fd;
}

/* -f -: the Dockerfile read from standard input into a memfd. */
static int
stdin_dockerfile(void)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = -1;

	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > DOCKERFILE_MAX || (nb = realloc(buf, cap)) == NULL) {
				errno = cap > DOCKERFILE_MAX ? EFBIG : ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	fd = memfd_of("Dockerfile", buf, len);
out:
	free(buf);
	return fd;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The Dockerfile, and the ignore file that goes with it: FILE.dockerignore
 * beside a named Dockerfile wins over CONTEXT/.dockerignore. */
static int
open_dockerfile(struct bsend *b, const struct build_opts *o)
{
	char path[4096], ign[4200];
	struct stat st;
	int fd, r;

	if (o->file && strcmp(o->file, "-") == 0) {
		snprintf(b->name, sizeof(b->name), "Dockerfile");
		return add_fd(b, stdin_dockerfile(), "reading the Dockerfile from "
		    "standard input");
	}
	if (o->file)
		snprintf(path, sizeof(path), "%s", o->file);
	else
		snprintf(path, sizeof(path), "%s/Dockerfile", o->context);
	snprintf(b->name, sizeof(b->name), "%.200s", base_name(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if ((r = add_fd(b, fd, path)) < 0)
		return r;
	snprintf(ign, sizeof(ign), "%s.dockerignore", path);
	if (o->file && access(ign, F_OK) == 0)
		return dockerignore_read(ign, &b->ignore, &b->nignore);
	snprintf(ign, sizeof(ign), "%s/.dockerignore", o->context);
	r = dockerignore_read(ign, &b->ignore, &b->nignore);
	if (r < 0)
		fprintf(stderr, "kilnctl build: %s: %s\n", ign, strerror(-r));
	return r;
}

static int
open_output(struct bsend *b, const struct build_opts *o)
{
	const struct bopt_output *out = &o->output;
	int fd;

	if (out->type[0] == '\0')
		return 0;
	if (strcmp(out->type, "local") == 0) {
		int r = util_mkdir_p(out->dest, 0755);

		if (r < 0) {
			errno = -r;
			return add_fd(b, -1, out->dest);
		}
		fd = open(out->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else if (strcmp(out->dest, "-") == 0) {
		if (isatty(1)) {
			fprintf(stderr, "kilnctl build: refusing to write a tar to a "
			    "terminal; redirect standard output\n");
			return -EINVAL;
		}
		fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	} else
		fd = open(out->dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return add_fd(b, fd, out->dest);
}

static int
open_secret(struct bsend *b, const struct bopt_secret *s)
{
	char what[300];
	const char *v;
	struct stat st;
	int fd;

	if (s->src) {
		snprintf(what, sizeof(what), "secret %s: %s", s->id, s->src);
		fd = open(s->src, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
			close(fd);
			fd = -1;
			errno = EINVAL;
		}
		return add_fd(b, fd, what);
	}
	snprintf(what, sizeof(what), "secret %s: environment variable %s", s->id, s->env);
	if ((v = getenv(s->env)) == NULL) {
		errno = ENOENT;
		return add_fd(b, -1, what);
	}
	return add_fd(b, memfd_of(s->id, v, strlen(v)), what);
}

/* The image of a reply's list named by tag (its name ends in :TAG, or
 * the digest is it), or the first one. */
static int
pick_image(const struct ipc_msg *m, const char *tag, char *out, size_t size)
{
	struct ipc_rd rd, item;
	const char *name, *digest;
	size_t nlen, dlen, tlen = tag ? strlen(tag) : 0;
	int found = 0;

	if (ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	while (rd.i < rd.n) {
		if (ipc_rd_array(&rd, &item) < 0 || ipc_rd_str(&item, &name, &nlen) < 0 ||
		    ipc_rd_str(&item, &digest, &dlen) < 0 || dlen >= size)
			return -EBADMSG;
		if (found && !tag)
			continue;
		if (tag && !(nlen > tlen && name[nlen - tlen - 1] == ':' &&
		    memcmp(name + nlen - tlen, tag, tlen) == 0) &&
		    !(dlen == tlen && memcmp(digest, tag, tlen) == 0))
			continue;
		memcpy(out, digest, dlen);
		out[dlen] = '\0';
		found = 1;
	}
	return found ? 0 : -ENOENT;
}

/* oci-layout://DIR[:TAG]: the layout (a directory or a tar) imported
 * into the daemon's store first, then used as an image by its digest */
static int
import_layout(struct bopt_context *bc, struct ctl *c)
{
	char path[4096], *colon, *tag = NULL;
	struct ipc_wr w;
	int fd, r;

	snprintf(path, sizeof(path), "%s", bc->oci);
	if ((colon = strrchr(path, ':')) && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kilnctl build: --build-context %s: %s: %s\n", bc->name,
		    path, strerror(errno));
		return -errno;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, "");
	r = ctl_call_fds(c, IPC_IMAGE_IMPORT, &w, &fd, 1);
	ipc_wr_free(&w);
	close(fd);
	if (r < 0)
		return r;
	if (c->reply.hdr.type != IPC_IMAGE_LIST_REPLY ||
	    (r = pick_image(&c->reply, tag, bc->digest, sizeof(bc->digest))) < 0) {
		fprintf(stderr, "kilnctl build: --build-context %s: %s has no image%s%s\n",
		    bc->name, path, tag ? " tagged " : "", tag ? tag : "");
		return -ENOENT;
	}
	bc->image = bc->digest;
	return 0;
}

/* type=local caches' directories: a --cache-to's made, a --cache-from's
 * that is not there dropped with a warning (a missing cache is no
 * error, as with buildx) */
static int
open_caches(struct bsend *b, struct build_opts *o, int to)
{
	struct bopt_cache *list = to ? o->cache_to : o->cache_from;
	int n = to ? o->ncache_to : o->ncache_from, r;

	for (int i = 0; i < n; i++) {
		struct bopt_cache *c = &list[i];

		if (c->dir == NULL)
			continue;
		if (to && (r = util_mkdir_p(c->dir, 0755)) < 0) {
			errno = -r;
			return add_fd(b, -1, c->dir);
		}
		c->fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->fd < 0 && !to) {
			fprintf(stderr, "kilnctl build: warning: --cache-from %s: %s; "
			    "building without it\n", c->dir, strerror(errno));
			continue;
		}
		if ((r = add_fd(b, c->fd, c->dir)) < 0)
			return r;
	}
	return 0;
}

int
bsend_open(struct bsend *b, struct build_opts *o, struct ctl *c)
{
	int r;

	r = add_fd(b, open(o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC), o->context);
	if (r < 0 || (r = open_dockerfile(b, o)) < 0 || (r = open_output(b, o)) < 0)
		return r;
	for (int i = 0; i < o->nsecrets; i++)
		if ((r = open_secret(b, &o->secrets[i])) < 0)
			return r;
	for (int i = 0; i < o->ncontexts; i++) {
		struct bopt_context *bc = &o->contexts[i];

		if (bc->oci && (r = import_layout(bc, c)) < 0)
			return r;
		if (bc->dir && (r = add_fd(b, open(bc->dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC), bc->dir)) < 0)
			return r;
	}
	if ((r = open_caches(b, o, 1)) < 0)
		return r;
	return open_caches(b, o, 0);
}

/* the caches BUILD carries: a type=local one only with its directory */
static void
pack_caches(struct ipc_wr *w, const struct bopt_cache *list, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += list[i].dir == NULL || list[i].fd >= 0;
	msgpack_pack_array(&w->pk, (size_t)k);
	for (int i = 0; i < n; i++)
		if (list[i].dir == NULL || list[i].fd >= 0)
			ipc_wr_str(w, list[i].wire);
}

static void
pack_strs(struct ipc_wr *w, char *const *v, int n)
{
	msgpack_pack_array(&w->pk, (size_t)n);
	for (int i = 0; i < n; i++)
		ipc_wr_str(w, v[i]);
}

void
bsend_pack(struct ipc_wr *w, const struct bsend *b, const struct build_opts *o)
{
	msgpack_pack_array(&w->pk, o->ncache_to || o->ncache_from ? 14 :
	    o->image_opts[0] ? 12 : 11);
	ipc_wr_str(w, b->name);
	ipc_wr_str(w, o->target ? o->target : "");
	pack_strs(w, o->args, o->nargs);
	pack_strs(w, b->ignore, (int)b->nignore);
	msgpack_pack_uint32(&w->pk, (o->no_cache ? BUILD_NO_CACHE : 0) |
	    (o->pull ? BUILD_PULL : 0) | (o->push ? BUILD_PUSH : 0));
	pack_strs(w, (char *const *)o->filters, o->nfilters);
	ipc_wr_str(w, o->platform ? o->platform : "");
	msgpack_pack_array(&w->pk, o->output.type[0] ? 1 : 0);
	if (o->output.type[0])
		ipc_wr_str(w, o->output.wire);
	pack_strs(w, (char *const *)o->tags, o->ntags);
	msgpack_pack_array(&w->pk, (size_t)o->nsecrets);
	for (int i = 0; i < o->nsecrets; i++)
		ipc_wr_str(w, o->secrets[i].id);
	msgpack_pack_array(&w->pk, (size_t)o->ncontexts);
	for (int i = 0; i < o->ncontexts; i++) {
		msgpack_pack_array(&w->pk, 2);
		ipc_wr_str(w, o->contexts[i].name);
		ipc_wr_str(w, o->contexts[i].image ? o->contexts[i].image : "");
	}
	/* the optional fields: the image options, then the caches */
	if (o->image_opts[0] || o->ncache_to || o->ncache_from)
		ipc_wr_str(w, o->image_opts);
	if (o->ncache_to || o->ncache_from) {
		pack_caches(w, o->cache_to, o->ncache_to);
		pack_caches(w, o->cache_from, o->ncache_from);
	}
}
