/* dispatch_copy.c: COPY, ADD and WORKDIR as file vertices: sources, destination, --from, --chown, --chmod, --link, --parents, --exclude, heredocs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "chmod.h"
#include "dispatch.h"
#include "ipc_msg.h"

/* pathRelativeToWorkingDir: absolute, cleaned, a trailing / kept */
static char *
copy_dest(struct dctx *d, const char *p)
{
	const char *wd = ic_get_str(d->st->image, "WorkingDir");
	size_t n = strlen(p);
	int slash = n == 0 || (p[n - 1] == '/') || strcmp(p, ".") == 0 ||
	    (n >= 2 && strcmp(p + n - 2, "/.") == 0);
	char *j = dispatch_path_join(*wd ? wd : "/", p), *out;

	if (j == NULL || !slash || strcmp(j, "/") == 0)
		return j;
	if (asprintf(&out, "%s/", j) < 0)
		out = NULL;
	free(j);
	return out;
}

/* A new file's mode: --chmod (octal or symbolic, as COPY reads it) on
 * the mode the file would have without it. */
static uint32_t
file_mode(const char *chmod, mode_t plain)
{
	struct chmod_spec cs;

	if (chmod == NULL || chmod_parse(chmod, &cs) < 0)
		return (uint32_t)plain;
	return (uint32_t)(chmod_apply(&cs, S_IFREG | plain, 0) & 07777);
}

/* "sha256:" and 64 hex digits: the digest ADD --checksum names */
static int
valid_checksum(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s + 7) != 64)
		return 0;
	for (s += 7; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

static int
is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "git@", 4) == 0 || strncmp(s, "git://", 6) == 0;
}

/* The heredoc a "<<EOF" source names, or NULL. */
static const struct df_heredoc *
heredoc_of(const struct df_instr *in, const char *arg)
{
	char name[256];
	size_t n;

	if (strncmp(arg, "<<", 2) != 0)
		return NULL;
	arg += 2 + (arg[2] == '-');
	snprintf(name, sizeof(name), "%s", arg + (*arg == '"' || *arg == '\''));
	n = strlen(name);
	if (n && (name[n - 1] == '"' || name[n - 1] == '\''))
		name[n - 1] = '\0';
	for (size_t i = 0; i < in->nheredocs; i++)
		if (strcmp(in->heredocs[i].name, name) == 0)
			return &in->heredocs[i];
	return NULL;
}

struct copy_opts {
	char		*chown, *chmod, *from;
	char		*checksum;	/* ADD --checksum of a URL */
	char		*owner;		/* --chown with names */
	int64_t		 uid, gid;
	uint32_t	 flags;
	struct strv	 excludes;
	struct vertex	*src;
	int		 src_scratch, src_ctx;
};

static void
copy_opts_free(struct copy_opts *o)
{
	free(o->chown);
	free(o->owner);
	free(o->chmod);
	free(o->from);
	free(o->checksum);
	strv_free(&o->excludes);
}

static int
copy_flags(struct dctx *d, struct copy_opts *o)
{
	int add = d->in->cmd == DF_ADD, r;
	const struct df_flag *f;
	struct chmod_spec cs;

	o->src_ctx = -1;
	/* no --chown: -1, so snapd makes context files root's but keeps the
	 * owners of another stage's files and of an archive's members */
	o->uid = o->gid = -1;
	if ((r = dispatch_flag(d, "chown", &o->chown)) < 0 ||
	    (r = dispatch_flag(d, "chmod", &o->chmod)) < 0)
		return r;
	if (o->chown && (r = dispatch_user_ids(d, o->chown, "--chown", &o->uid, &o->gid)) < 0)
		return r;
	if (r == 1 && (o->owner = strdup(o->chown)) == NULL)
		return -ENOMEM;
	if (o->chmod && chmod_parse(o->chmod, &cs) < 0)
		return fe_errorf(d->fe, d->in, "invalid chmod parameter: '%s'. it should be "
		    "octal string and between 0 and 07777", o->chmod);
	if ((r = dispatch_flag(d, "checksum", &o->checksum)) < 0)
		return r;
	if (o->checksum && !valid_checksum(o->checksum))
		return fe_errorf(d->fe, d->in, "invalid checksum '%s': expected "
		    "sha256: and 64 hexadecimal digits", o->checksum);
	if (df_flag_get(d->in, "keep-git-dir"))
		return fe_errorf(d->fe, d->in, "--keep-git-dir needs a Git source, which "
		    "kiln does not fetch yet");
	for (f = df_flag_get(d->in, "exclude"); f; f = df_flag_next(d->in, f, "exclude")) {
		char *p = NULL;

		if ((r = fe_expand(d->fe, d->in, &d->st->env, f->value ? f->value : "", &p)) < 0)
			return r;
		if ((r = strv_take(&o->excludes, p)) < 0)
			return r;
	}
	/* ADD extracts local archives unless --unpack=false (Dockerfile 1.17) */
	o->flags = SNAP_COPY_FOLLOW;
	if (add && (df_flag_get(d->in, "unpack") == NULL || df_flag_bool(d->in, "unpack")))
		o->flags |= SNAP_COPY_UNPACK;
	if ((f = df_flag_get(d->in, "link")) && (!f->value || strcmp(f->value, "false")))
		o->flags |= SNAP_COPY_LINK;
	if ((f = df_flag_get(d->in, "parents")) && (!f->value || strcmp(f->value, "false")))
		o->flags |= SNAP_COPY_PARENTS;
	if ((f = df_flag_get(d->in, "from")) == NULL || f->value == NULL)
		return 0;
	if (strchr(f->value, '$'))
		return fe_errorf(d->fe, d->in, "variable expansion is not supported for "
		    "--from, define a new stage with FROM using ARG from global scope as a "
		    "workaround");
	if ((o->from = strdup(f->value)) == NULL)
		return -ENOMEM;
	return dispatch_source(d, o->from, &o->src, &o->src_scratch, &o->src_ctx);
}

/* COPY <<EOF dest: a file of its own, its text expanded unless quoted */
static int
copy_heredoc(struct dctx *d, struct vertex *v, const struct df_heredoc *h,
    const char *dest, int many, const struct copy_opts *o)
{
	struct fact *a = vertex_add_fact(v, FA_MKFILE);
	size_t n = strlen(dest);
	char *text = NULL;
	int r;

	if (a == NULL)
		return -ENOMEM;
	if (h->expand)
		r = fe_expand_raw(d->fe, d->in, &d->st->env, h->content, &text);
	else
		r = (text = strdup(h->content)) ? 0 : -ENOMEM;
	if (r < 0)
		return r;
	a->content = text;
	a->len = strlen(text);
	if (many || (n && dest[n - 1] == '/'))
		r = asprintf(&a->dest, "%s%s%s", dest, dest[n - 1] == '/' ? "" : "/", h->name);
	else	/* a file, unless dest is a directory already: then in it */
		r = (a->dest = strdup(dest)) && (a->name = strdup(h->name)) ? 0 : -1;
	if (r < 0)
		return -ENOMEM;
	a->mode = file_mode(o->chmod, 0644);
	a->uid = o->uid;
	a->gid = o->gid;
	if (o->owner && (a->owner = strdup(o->owner)) == NULL)
		return -ENOMEM;
	return 0;
}

/* The last part of a URL's path, without query or fragment: the file's
 * name when ADD's destination is a directory ("" when it has none). */
static char *
url_file_name(const char *url)
{
	const char *p = strstr(url, "://"), *end, *slash;

	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");		/* past the host */
	end = p + strcspn(p, "?#");
	for (slash = end; slash > p && slash[-1] != '/'; slash--)
		;
	if (end - slash == 1 && *slash == '.')
		slash = end;
	if (end - slash == 2 && slash[0] == '.' && slash[1] == '.')
		slash = end;
	return strndup(slash, (size_t)(end - slash));
}

/* ADD URL dest: the body comes through kiln-netd when the build's keys
 * are made; a file of mode 0600 (--chmod's otherwise), root's unless
 * --chown, with the Last-Modified time, as Docker documents. */
static int
fetch_action(struct dctx *d, struct vertex *v, const char *dest, int many,
    const struct copy_opts *o, const char *url)
{
	size_t n = strlen(dest);
	struct fact *a;

	if (strncmp(url, "git@", 4) == 0 || strncmp(url, "git://", 6) == 0)
		return fe_errorf(d->fe, d->in, "ADD %s: Git sources are not fetched by "
		    "kiln yet; clone it and COPY the directory", url);
	if (many && (n == 0 || dest[n - 1] != '/'))
		return fe_errorf(d->fe, d->in, "When using ADD with more than one source "
		    "file, the destination must be a directory and end with a /");
	if ((a = vertex_add_fact(v, FA_FETCH)) == NULL || (a->dest = strdup(dest)) == NULL ||
	    strv_add(&a->srcs, url) < 0 || (a->name = url_file_name(url)) == NULL ||
	    (o->checksum && (a->expect = strdup(o->checksum)) == NULL) ||
	    (a->chmod = strdup(o->chmod ? o->chmod : "")) == NULL ||
	    (o->owner && (a->owner = strdup(o->owner)) == NULL))
		return -ENOMEM;
	a->mode = file_mode(o->chmod, 0600);
	a->uid = o->uid;
	a->gid = o->gid;
	return 0;
}

static int
copy_action(struct dctx *d, struct vertex *v, const char *dest, struct copy_opts *o,
    struct fact **out)
{
	struct fact *a;

	if (*out)
		return 0;
	if ((a = vertex_add_fact(v, FA_COPY)) == NULL || (a->dest = strdup(dest)) == NULL ||
	    (a->chmod = strdup(o->chmod ? o->chmod : "")) == NULL ||
	    strv_copy(&a->excludes, &o->excludes) < 0)
		return -ENOMEM;
	/* .dockerignore filters the context, not other stages */
	if (o->from == NULL && strv_copy(&a->excludes, &d->fe->opts->ignore) < 0)
		return -ENOMEM;
	a->from = o->src;
	a->scratch = o->src_scratch;
	a->ctx = o->from ? o->src_ctx : -1;
	a->uid = o->uid;
	a->gid = o->gid;
	if (o->owner && (a->owner = strdup(o->owner)) == NULL)
		return -ENOMEM;
	a->flags = o->flags;
	*out = a;
	return 0;
}

/* The sources, expanded; the history line is built along. */
static int
copy_sources(struct dctx *d, struct vertex *v, const char *dest, struct copy_opts *o,
    FILE *hist)
{
	const struct df_instr *in = d->in;
	size_t nsrc = in->nargs - 1;
	struct fact *files = NULL;
	int r = 0;

	for (size_t i = 0; i < nsrc && r == 0; i++) {
		const struct df_heredoc *h = in->json ? NULL : heredoc_of(in, in->args[i]);
		char *s = NULL;

		if (h) {
			fprintf(hist, " <<%s", h->name);
			r = copy_heredoc(d, v, h, dest, nsrc > 1, o);
			continue;
		}
		if ((r = fe_expand(d->fe, d->in, &d->st->env, in->args[i], &s)) < 0)
			break;
		fprintf(hist, " %s", s);
		if (is_url(s) && o->from == NULL && in->cmd == DF_COPY)
			r = fe_errorf(d->fe, in, "source can't be a URL for COPY");
		else if (is_url(s) && o->from == NULL)
			r = fetch_action(d, v, dest, nsrc > 1, o, s);
		else if (o->checksum)
			r = fe_errorf(d->fe, in, "checksum requires HTTP(S) or Git sources");
		else if ((r = copy_action(d, v, dest, o, &files)) == 0)
			r = strv_take(&files->srcs, s), s = NULL;
		free(s);
	}
	return r;
}

int
dispatch_copy(struct dctx *d)
{
	const struct df_instr *in = d->in;
	struct copy_opts o;
	struct vertex *v;
	char *dest = NULL, *raw = NULL, *hist = NULL, *text;
	const char *orig;
	size_t hlen = 0;
	FILE *h = NULL;
	int r;

	memset(&o, 0, sizeof(o));
	if (in->nargs < 2)
		return fe_errorf(d->fe, in, "%s requires at least two arguments, but only "
		    "%zu provided", df_cmd_name(in->cmd), in->nargs);
	if ((r = copy_flags(d, &o)) < 0)
		goto out;
	if ((r = fe_expand(d->fe, in, &d->st->env, in->args[in->nargs - 1], &raw)) < 0)
		goto out;
	r = -ENOMEM;
	orig = in->original ? in->original : df_cmd_name(in->cmd);
	if ((dest = copy_dest(d, raw)) == NULL ||
	    (text = strndup(orig, strcspn(orig, "\n"))) == NULL)
		goto out;
	v = dispatch_vertex(d, VOP_FILE, text);
	free(text);
	if (v == NULL || (h = open_memstream(&hist, &hlen)) == NULL)
		goto out;
	fputs(df_cmd_name(in->cmd), h);
	if (o.flags & SNAP_COPY_PARENTS)
		fputs(" --parents", h);
	if (o.chown)
		fprintf(h, " --chown=%s", o.chown);
	if (o.chmod)
		fprintf(h, " --chmod=%s", o.chmod);
	r = copy_sources(d, v, dest, &o, h);
	fprintf(h, " %s", raw);
	if (fclose(h) != 0 && r == 0)
		r = -ENOMEM;
	h = NULL;
	if (r == 0)
		r = dispatch_history(d, hist, DH_STEP);
out:
	if (h)
		fclose(h);
	free(hist);
	free(dest);
	free(raw);
	copy_opts_free(&o);
	return r;
}

/* WORKDIR: relative to the current one; made, owned by USER, unless "/" */
int
dispatch_workdir(struct dctx *d, const char *path, int commit)
{
	const char *cur = ic_get_str(d->st->image, "WorkingDir"), *orig;
	char *p = NULL, *wd, *hist, *text;
	struct vertex *v;
	struct fact *a;
	int r;

	if (path == NULL) {
		if ((r = fe_expand(d->fe, d->in, &d->st->env,
		    d->in->nargs ? d->in->args[0] : "", &p)) < 0)
			return r;
		path = p;
	}
	wd = dispatch_path_join(*cur ? cur : "/", path);
	free(p);
	if (wd == NULL || (r = ic_set_str(d->st->image, "WorkingDir", wd)) < 0) {
		free(wd);
		return -ENOMEM;
	}
	if (!commit || strcmp(wd, "/") == 0)
		goto history;
	orig = d->in->original ? d->in->original : "WORKDIR";
	text = strndup(orig, strcspn(orig, "\n"));
	v = text ? dispatch_vertex(d, VOP_FILE, text) : NULL;
	free(text);
	if (v == NULL || (a = vertex_add_fact(v, FA_MKDIR)) == NULL ||
	    (a->dest = strdup(wd)) == NULL) {
		free(wd);
		return -ENOMEM;
	}
	a->mode = 0755;
	/* owned by USER; a name is resolved in the stage's own /etc/passwd */
	if (dispatch_user_ids(d, d->st->user ? d->st->user : "", "USER", &a->uid,
	    &a->gid) == 1 && (a->owner = strdup(d->st->user)) == NULL) {
		free(wd);
		return -ENOMEM;
	}
history:
	r = 0;
	if (commit && asprintf(&hist, "WORKDIR %s", wd) < 0)
		r = -ENOMEM;
	else if (commit) {
		r = dispatch_history(d, hist, strcmp(wd, "/") ? DH_LAYER : 0);
		free(hist);
	}
	free(wd);
	return r;
}
