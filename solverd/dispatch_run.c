/* dispatch_run.c: RUN: its command (exec form, shell form, heredocs), environment, --mount, --network and --security, as BuildKit's dispatchRun. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "ipc_msg.h"
#include "util.h"

static int
parse_bool(const char *v, int *out)
{
	if (v == NULL || !strcasecmp(v, "true") || !strcmp(v, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "false") || !strcmp(v, "0")) {
		*out = 0;
		return 0;
	}
	return -EINVAL;
}

static int
parse_num(const char *v, int base, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return -EINVAL;
	n = strtoll(v, &end, base);
	if (*end || n < 0 || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

struct mspec {
	char	*type, *target, *source, *from, *id, *sharing, *env;
	int	 ro, rw, required, ro_set;
	int64_t	 uid, gid, mode;
	uint64_t size;
};

static void
mspec_free(struct mspec *m)
{
	free(m->type);
	free(m->target);
	free(m->source);
	free(m->from);
	free(m->id);
	free(m->sharing);
	free(m->env);
}

static int
mspec_set(struct dctx *d, struct mspec *m, const char *k, const char *v, const char *spec)
{
	char **str = NULL;
	int r = 0;

	if (!strcmp(k, "type"))
		str = &m->type;
	else if (!strcmp(k, "target") || !strcmp(k, "dst") || !strcmp(k, "destination"))
		str = &m->target;
	else if (!strcmp(k, "source") || !strcmp(k, "src"))
		str = &m->source;
	else if (!strcmp(k, "from"))
		str = &m->from;
	else if (!strcmp(k, "id"))
		str = &m->id;
	else if (!strcmp(k, "sharing"))
		str = &m->sharing;
	else if (!strcmp(k, "env"))
		str = &m->env;
	else if (!strcmp(k, "ro") || !strcmp(k, "readonly"))
		r = parse_bool(v, &m->ro), m->ro_set = 1;
	else if (!strcmp(k, "rw") || !strcmp(k, "readwrite"))
		r = parse_bool(v, &m->rw);
	else if (!strcmp(k, "required"))
		r = parse_bool(v, &m->required);
	else if (!strcmp(k, "mode"))
		r = parse_num(v, 8, 07777, &m->mode);
	else if (!strcmp(k, "uid"))
		r = parse_num(v, 10, 0xffffffffLL, &m->uid);
	else if (!strcmp(k, "gid"))
		r = parse_num(v, 10, 0xffffffffLL, &m->gid);
	else if (!strcmp(k, "size"))
		r = v ? util_parse_size(v, &m->size) : -EINVAL;
	else
		return fe_errorf(d->fe, d->in, "unexpected key '%s' in '%s'", k, spec);
	if (str) {
		if (v == NULL)
			return fe_errorf(d->fe, d->in, "invalid field '%s' must be a key=value "
			    "pair", k);
		free(*str);
		r = (*str = strdup(v)) ? 0 : -ENOMEM;
	}
	if (r == -EINVAL)
		return fe_errorf(d->fe, d->in, "invalid value for %s: '%s'", k, v ? v : "");
	return r;
}

/* --mount=k=v,k=v with every value expanded (BuildKit's ParseMount) */
static int
mspec_parse(struct dctx *d, const char *spec, struct mspec *m)
{
	char *copy = strdup(spec), *save = NULL;
	int r = 0;

	memset(m, 0, sizeof(*m));
	m->uid = m->gid = m->mode = -1;
	if (copy == NULL)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t && r == 0; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '='), *v = NULL;

		if (eq) {
			*eq = '\0';
			if ((r = fe_expand(d->fe, d->in, &d->st->env, eq + 1, &v)) < 0)
				break;
		}
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		r = mspec_set(d, m, t, v, spec);
		free(v);
	}
	free(copy);
	if (r == 0 && m->type == NULL)
		r = (m->type = strdup("bind")) ? 0 : -ENOMEM;
	return r;
}

/* A relative target is under the working directory. */
static char *
mount_target(struct dctx *d, const char *t)
{
	const char *wd = ic_get_str(d->st->image, "WorkingDir");

	return dispatch_path_join(*wd ? wd : "/", t);
}

static int
mount_secret(struct dctx *d, struct vertex *v, struct mspec *ms)
{
	const struct strv *have = &d->fe->opts->secrets;
	struct vmount *m;

	if (ms->id == NULL && ms->target) {
		const char *b = strrchr(ms->target, '/');

		ms->id = strdup(b ? b + 1 : ms->target);
	}
	if (ms->id == NULL || *ms->id == '\0')
		return fe_errorf(d->fe, d->in, "a secret mount needs id= or target=");
	if (strv_index(have, ms->id) < 0) {
		if (ms->required)
			return fe_errorf(d->fe, d->in, "secret %s: not found: pass it with "
			    "kilnctl build --secret id=%s,src=FILE", ms->id, ms->id);
		return 0;	/* an optional secret not given: no mount */
	}
	if ((m = vertex_add_mount(v, VM_SECRET)) == NULL)
		return -ENOMEM;
	m->source = strdup(ms->id);
	if (ms->target)
		m->target = mount_target(d, ms->target);
	else if (ms->env)
		m->target = strdup("");	/* only the variable */
	else if (asprintf(&m->target, "/run/secrets/%s", ms->id) < 0)
		m->target = NULL;
	m->env = ms->env ? strdup(ms->env) : NULL;
	m->readonly = 1;
	m->required = ms->required;
	m->uid = ms->uid < 0 ? 0 : ms->uid;
	m->gid = ms->gid < 0 ? 0 : ms->gid;
	m->mode = ms->mode < 0 ? 0400 : ms->mode;
	return m->source && m->target ? 0 : -ENOMEM;
}

/* bind from the build context: its files are copied into a snapshot
 * first, so the step reads a filtered, checksummed tree. They go to
 * CONTEXT_COPY_DEST, a name that does not exist yet, so that by COPY's
 * rules a file source becomes that file and a directory that directory:
 * the mount's source is the same path either way. */
#define CONTEXT_COPY_DEST	"/src"
static struct vertex *
context_copy(struct dctx *d, const char *source, int ctx, const char *dest)
{
	struct fe_stage *st = d->st;
	struct vertex *keep = st->top, *v;
	struct fact *a;

	st->top = NULL;
	v = graph_add(&d->fe->g, VOP_FILE);
	st->top = keep;
	if (v == NULL || (a = vertex_add_fact(v, FA_COPY)) == NULL ||
	    (a->dest = strdup(dest)) == NULL || strv_add(&a->srcs, source) < 0 ||
	    asprintf(&v->name, "[internal] context %s for a bind mount", source) < 0)
		return NULL;
	v->stage = d->si;
	a->ctx = ctx;
	a->flags = SNAP_COPY_FOLLOW;
	if (ctx < 0 && strv_copy(&a->excludes, &d->fe->opts->ignore) < 0)
		return NULL;
	return v;
}

/* cache from=STAGE,source=DIR: the cache starts as a copy of DIR in that
 * stage, image or context when it is first made (BuildKit keeps one cache
 * per id and seed, so kiln-snapd names the record after both) */
static int
cache_seed(struct dctx *d, struct vmount *m, const struct mspec *ms)
{
	int r;

	if (ms->from == NULL || *ms->from == '\0')
		return 0;
	if (strchr(ms->from, '$'))
		return fe_errorf(d->fe, d->in, "variable expansion is not supported for from=");
	if ((m->seed = dispatch_path_clean(ms->source ? ms->source : "/")) == NULL)
		return -ENOMEM;
	r = dispatch_source(d, ms->from, &m->from, &m->from_scratch, &m->ctx);
	if (r < 0 || m->from || m->from_scratch)
		return r;
	/* the main context or a --build-context directory, filtered */
	m->from = context_copy(d, m->seed[0] == '/' ? m->seed + 1 : m->seed, m->ctx, "/");
	free(m->seed);
	m->seed = strdup("/");
	m->ctx = -1;
	return m->from && m->seed ? 0 : -ENOMEM;
}

static int
mount_add(struct dctx *d, struct vertex *v, struct mspec *ms)
{
	enum vmount_type t;
	struct vmount *m;
	int r = 0;

	if (!strcmp(ms->type, "secret"))
		return mount_secret(d, v, ms);
	if (!strcmp(ms->type, "bind"))
		t = VM_BIND;
	else if (!strcmp(ms->type, "cache"))
		t = VM_CACHE;
	else if (!strcmp(ms->type, "tmpfs"))
		t = VM_TMPFS;
	else if (!strcmp(ms->type, "ssh"))
		return fe_errorf(d->fe, d->in, "RUN --mount=type=ssh is not supported");
	else
		return fe_errorf(d->fe, d->in, "unsupported mount type \"%s\"", ms->type);
	if (ms->target == NULL || *ms->target == '\0')
		return fe_errorf(d->fe, d->in, "mount type %s needs target=", ms->type);
	if ((m = vertex_add_mount(v, t)) == NULL || (m->target = mount_target(d, ms->target))
	    == NULL)
		return -ENOMEM;
	if (strcmp(m->target, "/") == 0)
		return fe_errorf(d->fe, d->in, "invalid mount target \"/\"");
	m->uid = ms->uid;
	m->gid = ms->gid;
	m->mode = ms->mode;
	m->size = ms->size;
	if (t == VM_TMPFS)
		return 0;
	if (t == VM_CACHE) {
		if ((r = cache_seed(d, m, ms)) < 0)
			return r;
		if (ms->sharing && strcmp(ms->sharing, "shared") &&
		    strcmp(ms->sharing, "private") && strcmp(ms->sharing, "locked"))
			return fe_errorf(d->fe, d->in, "unsupported sharing value \"%s\"",
			    ms->sharing);
		m->source = strdup(ms->id ? ms->id : m->target);
		m->sharing = strdup(ms->sharing ? ms->sharing : "shared");
		m->readonly = ms->ro;
		return m->source && m->sharing ? 0 : -ENOMEM;
	}
	/* bind: read-only unless rw; writes are thrown away */
	m->readonly = ms->ro_set ? ms->ro : !ms->rw;
	if ((m->source = dispatch_path_clean(ms->source ? ms->source : "/")) == NULL)
		return -ENOMEM;
	if (ms->from && *ms->from) {
		if (strchr(ms->from, '$'))
			return fe_errorf(d->fe, d->in, "variable expansion is not supported "
			    "for from=");
		r = dispatch_source(d, ms->from, &m->from, &m->from_scratch, &m->ctx);
		if (r < 0 || m->from || m->from_scratch)
			return r;
	}
	/* the main context or a --build-context directory */
	m->from = context_copy(d, m->source[0] == '/' ? m->source + 1 : m->source, m->ctx,
	    CONTEXT_COPY_DEST);
	if (m->from == NULL)
		return -ENOMEM;
	free(m->source);
	m->source = strdup(CONTEXT_COPY_DEST);
	m->ctx = -1;
	return m->source ? 0 : -ENOMEM;
}

static int
run_mounts(struct dctx *d, struct vertex *v)
{
	int r = 0;

	for (const struct df_flag *f = df_flag_get(d->in, "mount"); f && r == 0;
	    f = df_flag_next(d->in, f, "mount")) {
		struct mspec ms;

		if ((r = mspec_parse(d, f->value ? f->value : "", &ms)) == 0)
			r = mount_add(d, v, &ms);
		mspec_free(&ms);
	}
	return r;
}

/* "<<EOF", "<<-EOF", "<<'EOF'" as the whole command line */
static int
only_heredoc(const char *line)
{
	const char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "<<", 2) != 0)
		return 0;
	p += 2 + (p[2] == '-');
	if (*p == '"' || *p == '\'')
		p++;
	if (!isalnum((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')
		p++;
	if (*p == '"' || *p == '\'')
		p++;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p == '\0';
}

static char *
chomp_tabs(const struct df_heredoc *h)
{
	char *out = malloc(strlen(h->content) + 1), *w = out;
	int bol = 1;

	if (out == NULL)
		return NULL;
	for (const char *s = h->content; *s; s++) {
		if (bol && h->strip_tabs && *s == '\t')
			continue;
		bol = *s == '\n';
		*w++ = *s;
	}
	*w = '\0';
	return out;
}

/* An executable file NAME of its own snapshot, bound at /dev/pipes. */
static int
inline_file(struct dctx *d, struct vertex *v, const char *name, const char *data,
    char **path)
{
	struct vertex *fv = graph_add(&d->fe->g, VOP_FILE);
	struct vmount *m;
	struct fact *a;

	if (fv == NULL || (a = vertex_add_fact(fv, FA_MKFILE)) == NULL ||
	    asprintf(&a->dest, "/%s", name) < 0 || (a->content = strdup(data)) == NULL ||
	    asprintf(&fv->name, "[internal] preparing inline document") < 0)
		return -ENOMEM;
	fv->stage = d->si;
	a->len = strlen(data);
	a->mode = 0755;
	a->uid = a->gid = 0;
	if ((m = vertex_add_mount(v, VM_BIND)) == NULL ||
	    (m->target = strdup("/dev/pipes")) == NULL || (m->source = strdup("/")) == NULL)
		return -ENOMEM;
	m->from = fv;
	m->readonly = 1;
	return asprintf(path, "/dev/pipes/%s", name) < 0 ? -ENOMEM : 0;
}

/* The shell form's one string, heredocs folded in as BuildKit does. */
static int
shell_line(struct dctx *d, struct vertex *v, char **out)
{
	const struct df_instr *in = d->in;
	const char *line = in->nargs ? in->args[0] : "";
	char *s = NULL, *data;
	size_t len = 0;
	FILE *f;
	int r;

	if (in->nheredocs == 0)
		return (*out = strdup(line)) ? 0 : -ENOMEM;
	if (in->nheredocs == 1 && only_heredoc(line)) {
		if ((data = chomp_tabs(&in->heredocs[0])) == NULL)
			return -ENOMEM;
		if (strncmp(data, "#!", 2) != 0) {
			*out = data;
			return 0;
		}
		/* with a #!, the script runs as a file of its own, made in an
		 * empty snapshot and bound read-only at /dev/pipes (BuildKit) */
		r = inline_file(d, v, in->heredocs[0].name, data, out);
		free(data);
		return r;
	}
	if ((f = open_memstream(&s, &len)) == NULL)
		return -ENOMEM;
	fputs(line, f);
	for (size_t i = 0; i < in->nheredocs; i++)
		fprintf(f, "\n%s%s", in->heredocs[i].content, in->heredocs[i].name);
	if (fclose(f) != 0) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static int
run_argv(struct dctx *d, struct vertex *v)
{
	char *line = NULL;
	int r;

	if (d->in->json) {
		for (size_t i = 0; i < d->in->nargs; i++)
			if (strv_add(&v->argv, d->in->args[i]) < 0)
				return -ENOMEM;
		return 0;
	}
	if ((r = shell_line(d, v, &line)) < 0)
		return r;
	if ((r = dispatch_shell(d, &v->argv)) == 0)
		r = strv_take(&v->argv, line);
	else
		free(line);
	return r;
}

static int
is_proxy(const char *k, size_t n)
{
	static const char *const names[] = { "http_proxy", "https_proxy", "ftp_proxy",
	    "no_proxy", "all_proxy" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(k, names[i], n) == 0)
			return 1;
	return 0;
}

/* Proxy build args reach every RUN without an ARG, outside the key. */
static int
run_env(struct dctx *d, struct vertex *v)
{
	const struct strv *ba = &d->fe->opts->build_args.kv;

	if (strv_copy(&v->env, &d->st->env.kv) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ba->n; i++) {
		size_t n = strcspn(ba->v[i], "=");
		char key[64], up[64];

		if (!is_proxy(ba->v[i], n) || n >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)n, ba->v[i]);
		if (vars_get(&d->st->env, key))
			continue;
		for (size_t j = 0; j <= n; j++)
			up[j] = (char)toupper((unsigned char)key[j]);
		for (size_t j = 0; j <= n; j++)
			key[j] = (char)tolower((unsigned char)key[j]);
		if (strv_addf(&v->proxy_env, "%s%s", up, ba->v[i] + n) < 0 ||
		    strv_addf(&v->proxy_env, "%s%s", key, ba->v[i] + n) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int
run_options(struct dctx *d, struct vertex *v)
{
	const struct df_flag *net = df_flag_get(d->in, "network");
	const struct df_flag *sec = df_flag_get(d->in, "security");
	const char *n = net && net->value ? net->value : "default";
	const char *s = sec && sec->value ? sec->value : "sandbox";
	const char *wd = ic_get_str(d->st->image, "WorkingDir");

	if (strcmp(n, "default") && strcmp(n, "none") && strcmp(n, "host"))
		return fe_errorf(d->fe, d->in, "unsupported network mode \"%s\" (default, "
		    "none or host)", n);
	if (strcmp(s, "sandbox") && strcmp(s, "insecure"))
		return fe_errorf(d->fe, d->in, "unsupported security mode \"%s\" (sandbox "
		    "or insecure)", s);
	v->network = strdup(n);
	v->security = strdup(s);
	v->cwd = strdup(*wd ? wd : "/");
	v->user = strdup(d->st->user ? d->st->user : "");
	return v->network && v->security && v->cwd && v->user ? 0 : -ENOMEM;
}

/* "RUN |2 A=1 B=2 /bin/sh -c make" (runCommandString) */
static int
run_history(struct dctx *d, const struct vertex *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (f == NULL)
		return -ENOMEM;
	fputs("RUN", f);
	if (d->st->args.n)
		fprintf(f, " |%zu", d->st->args.n);
	for (size_t i = 0; i < d->st->args.n; i++) {
		const char *val = vars_get(&d->st->env, d->st->args.v[i]);

		fprintf(f, " %s=%s", d->st->args.v[i], val ? val : "");
	}
	for (size_t i = 0; i < v->argv.n; i++)
		fprintf(f, " %s", v->argv.v[i]);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	r = dispatch_history(d, buf, DH_STEP);
	free(buf);
	return r;
}

int
dispatch_run(struct dctx *d)
{
	const char *orig = d->in->original ? d->in->original : "RUN";
	char *text = strndup(orig, strcspn(orig, "\n"));
	struct vertex *v;
	int r;

	if (text == NULL)
		return -ENOMEM;
	v = dispatch_vertex(d, VOP_EXEC, text);
	free(text);
	if (v == NULL)
		return -ENOMEM;
	if ((r = run_argv(d, v)) < 0 || (r = run_env(d, v)) < 0 ||
	    (r = run_options(d, v)) < 0 || (r = run_mounts(d, v)) < 0)
		return r;
	return run_history(d, v);
}
