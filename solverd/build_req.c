/* build_req.c: decodes a BUILD request (ipc_msg.h) and takes its descriptors: context, Dockerfile, outputs, secrets, build contexts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "build.h"
#include "cache.h"
#include "platform.h"

#define DOCKERFILE_MAX	(4 << 20)

static int
bad(struct build *b, int err, const char *what)
{
	snprintf(b->error, sizeof(b->error), "%s", what);
	return -err;
}

static int
read_strv(struct ipc_rd *rd, struct strv *out)
{
	struct ipc_rd sub;

	if (ipc_rd_array(rd, &sub) < 0)
		return -EBADMSG;
	while (sub.i < sub.n) {
		char *s;

		if (ipc_rd_strdup(&sub, &s) < 0)
			return -EBADMSG;
		if (strv_take(out, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int
read_args(struct ipc_rd *rd, struct vars *out)
{
	struct strv sv = { NULL, 0 };
	int r = read_strv(rd, &sv);

	for (size_t i = 0; r == 0 && i < sv.n; i++)
		r = strchr(sv.v[i], '=') && sv.v[i][0] != '=' ?
		    vars_set_entry(out, sv.v[i]) : -EBADMSG;
	strv_free(&sv);
	return r;
}

/* A regular file (or memfd) read whole from offset 0. */
static int
read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return -ENOMEM;
	while (n < (size_t)st.st_size) {
		ssize_t k = pread(fd, buf + n, (size_t)st.st_size - n, (off_t)n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int
read_secrets(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next)
{
	struct strv ids = { NULL, 0 };
	int r = read_strv(rd, &ids);

	if (r < 0 || ids.n == 0)
		goto out;
	r = -ENOMEM;
	if ((b->secrets = calloc(ids.n, sizeof(*b->secrets))) == NULL)
		goto out;
	for (size_t i = 0; i < ids.n; i++, b->nsecrets++) {
		struct build_secret *s = &b->secrets[i];

		s->id = ids.v[i];
		ids.v[i] = NULL;
		if (*next >= m->nfds) {
			r = bad(b, EBADMSG, "BUILD: a secret without its descriptor");
			goto out;
		}
		if ((r = read_fd(m->fds[(*next)++], BUILD_SECRET_MAX, &s->data, &s->len)) < 0) {
			snprintf(b->error, sizeof(b->error), "secret %s: %s%s", s->id,
			    strerror(-r), r == -EFBIG ? " (500 KiB at most)" : "");
			goto out;
		}
		if ((r = strv_add(&b->opts.secrets, s->id)) < 0)
			goto out;
	}
	r = 0;
out:
	strv_free(&ids);
	return r;
}

static int
read_contexts(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next)
{
	struct ipc_rd list, e;
	int ndirs = 0;

	if (ipc_rd_array(rd, &list) < 0)
		return -EBADMSG;
	while (list.i < list.n) {
		char *name = NULL, *image = NULL;
		int r = -EBADMSG;

		if (ipc_rd_array(&list, &e) == 0 && ipc_rd_strdup(&e, &name) == 0 &&
		    ipc_rd_strdup(&e, &image) == 0 && ipc_rd_end(&e) == 0 && *name) {
			if (*image)
				r = vars_set(&b->opts.ctx_images, name, image);
			else if (*next < m->nfds && ndirs < BUILD_MAX_OUT) {
				b->ctx_dir_fds[ndirs++] = m->fds[*next];
				m->fds[(*next)++] = -1;
				r = strv_add(&b->opts.ctx_dirs, name);
			}
		}
		free(name);
		free(image);
		if (r < 0)
			return r == -ENOMEM ? r : bad(b, EBADMSG, "BUILD: a bad build context");
	}
	return 0;
}

static int
read_outputs(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next)
{
	struct strv outs = { NULL, 0 };
	int r = read_strv(rd, &outs);

	for (size_t i = 0; r == 0 && i < outs.n; i++) {
		if (strcmp(outs.v[i], "local") && strcmp(outs.v[i], "tar") &&
		    !export_is_archive(outs.v[i]))
			r = bad(b, EINVAL, "BUILD: outputs are local, tar, oci or docker");
		else if (*next >= m->nfds || b->nout >= BUILD_MAX_OUT)
			r = bad(b, EBADMSG, "BUILD: an output without its descriptor");
		else {
			b->outputs[b->nout] = outs.v[i];
			outs.v[i] = NULL;
			b->out_fds[b->nout++] = m->fds[*next];
			m->fds[(*next)++] = -1;
		}
	}
	strv_free(&outs);
	return r;
}

static int
read_dockerfile(struct build *b, struct ipc_msg *m, char **text, size_t *len)
{
	int r = read_fd(m->fds[1], DOCKERFILE_MAX, text, len);

	if (r < 0)
		snprintf(b->error, sizeof(b->error), "reading the Dockerfile: %s%s",
		    strerror(-r), r == -EFBIG ? " (4 MiB at most)" : "");
	return r;
}

/* the optional image options after the contexts */
static int
read_image_opts(struct build *b, struct ipc_rd *rd)
{
	char spec[512];

	export_opts_default(&b->img);
	if (rd->i >= rd->n)
		return 0;
	if (ipc_rd_strcpy(rd, spec, sizeof(spec)) < 0)
		return bad(b, EBADMSG, "BUILD: bad image options");
	return export_opts_parse(spec, &b->img, b->error, sizeof(b->error));
}

/* [name, target, args, ignore, flags, filters, platform, outputs, tags,
 *  secrets, contexts(, image options(, cache-to, cache-from))] + fds */
int
build_req_decode(struct build *b, struct ipc_msg *m, char **text, size_t *len)
{
	struct ipc_rd rd;
	char *target = NULL, *platform = NULL;
	uint64_t flags;
	int next = 2, r;

	if (m->nfds < 2)
		return bad(b, EBADMSG, "BUILD needs the context and the Dockerfile "
		    "descriptors");
	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &b->df_name) < 0 ||
	    ipc_rd_strdup(&rd, &target) < 0 || read_args(&rd, &b->opts.build_args) < 0 ||
	    read_strv(&rd, &b->opts.ignore) < 0 || ipc_rd_u64(&rd, &flags) < 0 ||
	    read_strv(&rd, &b->opts.nocache_filter) < 0 ||
	    ipc_rd_strdup(&rd, &platform) < 0) {
		r = bad(b, EBADMSG, "BUILD: a malformed request");
		goto out;
	}
	b->opts.target = target;
	target = NULL;
	b->opts.no_cache = (flags & BUILD_NO_CACHE) != 0;
	b->pull = (flags & BUILD_PULL) != 0;
	b->push = (flags & BUILD_PUSH) != 0;
	if (*platform && !platform_supported(platform)) {
		snprintf(b->error, sizeof(b->error), "platform %s is not supported: this "
		    "daemon builds for %s only", platform, platform_self());
		r = -ENOTSUP;
		goto out;
	}
	if ((r = read_outputs(b, &rd, m, &next)) < 0 || (r = read_strv(&rd, &b->tags)) < 0 ||
	    (r = read_secrets(b, &rd, m, &next)) < 0 ||
	    (r = read_contexts(b, &rd, m, &next)) < 0 || (r = read_image_opts(b, &rd)) < 0 ||
	    (r = cache_req_decode(b, &rd, m, &next)) < 0)
		goto out;
	if (ipc_rd_end(&rd) < 0 || next != m->nfds) {
		r = bad(b, EBADMSG, "BUILD: fields or descriptors left over");
		goto out;
	}
	if ((r = read_dockerfile(b, m, text, len)) < 0)
		goto out;
	b->ctx_fd = m->fds[0];
	m->fds[0] = -1;
out:
	if (r < 0 && b->error[0] == '\0')
		bad(b, -r, "BUILD: a malformed request");
	free(target);
	free(platform);
	return r;
}
