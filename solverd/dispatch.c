/* dispatch.c: turns the needed stages' instructions into vertices and image configs, in file order, with Docker's ARG and ENV scoping. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "util.h"

char *
dispatch_path_clean(const char *p)
{
	char *c = strdup(p);

	if (c)
		util_path_clean(c);
	return c;
}

char *
dispatch_path_join(const char *dir, const char *p)
{
	char *j;

	if (p[0] == '/')
		return dispatch_path_clean(p);
	if (asprintf(&j, "%s/%s", dir, p) < 0)
		return NULL;
	util_path_clean(j);
	return j;
}

char *
dispatch_step_name(struct dctx *d, const char *text)
{
	struct fe_stage *st = d->st;
	size_t w = strcspn(text, " \t");
	char *name, *t = strdup(text);
	int width, r;

	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < w; i++)
		t[i] = (char)toupper((unsigned char)t[i]);
	if (st->cmd_total == 0)
		return t;
	st->cmd_index++;
	width = 1 + (int)log10((double)st->cmd_total);
	r = asprintf(&name, "[%s%s%*u/%u] %s%s", st->display, *st->display ? " " : "",
	    width, st->cmd_index, st->cmd_total, d->onbuild ? "ONBUILD " : "", t);
	free(t);
	return r < 0 ? NULL : name;
}

struct vertex *
dispatch_vertex(struct dctx *d, enum vop op, const char *text)
{
	struct vertex *v = graph_add(&d->fe->g, op);

	if (v == NULL || (v->name = dispatch_step_name(d, text)) == NULL)
		return NULL;
	v->stage = d->si;
	v->parent = d->st->top;
	v->nocache = d->fe->opts->no_cache ||
	    (d->st->name && strv_index(&d->fe->opts->nocache_filter, d->st->name) >= 0);
	d->st->top = v;
	return v;
}

const struct fe_image *
dispatch_image(struct fe *fe, const char *ref)
{
	for (size_t i = 0; i < fe->nimages; i++)
		if (strcmp(fe->images[i].ref, ref) == 0)
			return &fe->images[i];
	return NULL;
}

struct vertex *
dispatch_image_vertex(struct fe *fe, const struct fe_image *img)
{
	struct vertex *v;

	for (size_t i = 0; i < fe->g.nv; i++)
		if (fe->g.v[i]->op == VOP_SOURCE && strcmp(fe->g.v[i]->ref, img->ref) == 0)
			return fe->g.v[i];
	v = graph_add(&fe->g, VOP_SOURCE);
	if (v == NULL || (v->ref = strdup(img->ref)) == NULL ||
	    (v->digest = strdup(img->digest)) == NULL ||
	    (v->snap = strdup(img->snap)) == NULL ||
	    asprintf(&v->name, "FROM %s", img->ref) < 0)
		return NULL;
	v->stage = -1;
	return v;
}

int
dispatch_source(struct dctx *d, const char *from, struct vertex **v, int *scratch,
    int *ctx)
{
	struct fe *fe = d->fe;
	int s = fe_stage_ref(fe, from, fe->nstages);
	const struct fe_image *img;

	*v = NULL;
	*scratch = 0;
	*ctx = -1;
	if (s == -2)
		return fe_errorf(fe, d->in, "invalid stage index %s", from);
	if (s >= 0) {
		if (!fe->stages[s].dispatched || fe->stages[s].dispatching)
			return fe_errorf(fe, d->in, "cannot copy from stage \"%s\", it needs "
			    "to be defined before current stage \"%s\"", from,
			    d->st->display);
		*v = fe->stages[s].top;
		*scratch = *v == NULL;
		return 0;
	}
	if ((*ctx = strv_index(&fe->opts->ctx_dirs, from)) >= 0)
		return 0;
	if (strcasecmp(from, "scratch") == 0) {
		*scratch = 1;
		return 0;
	}
	img = dispatch_image(fe, fe_image_ref(fe, from));
	if (img == NULL)
		return fe_errorf(fe, d->in, "%s: no such stage, image or build context",
		    from);
	if (img->snap[0] == '\0') {
		*scratch = 1;
		return 0;
	}
	*v = dispatch_image_vertex(fe, img);
	return *v ? 0 : -ENOMEM;
}

int
dispatch_flag(struct dctx *d, const char *name, char **out)
{
	const struct df_flag *f = df_flag_get(d->in, name);

	*out = NULL;
	if (f == NULL)
		return 0;
	return fe_expand(d->fe, d->in, &d->st->env, f->value ? f->value : "", out);
}

int
dispatch_history(struct dctx *d, const char *created_by, int layer)
{
	char *msg;
	int r;

	/* BuildKit marks the steps that ran with " # buildkit" */
	if (layer != DH_STEP)
		return ic_history(d->st->image, created_by, !layer);
	if (asprintf(&msg, "%s # buildkit", created_by) < 0)
		return -ENOMEM;
	r = ic_history(d->st->image, msg, 0);
	free(msg);
	return r;
}

static int
parse_id(const char *s, size_t n, int64_t *out)
{
	char buf[32], *end;
	long long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoll(buf, &end, 10);
	if (*end || v < 0 || v > 0xffffffffLL)
		return -EINVAL;
	*out = v;
	return 0;
}

int
dispatch_user_ids(struct dctx *d, const char *spec, const char *what, int64_t *uid,
    int64_t *gid)
{
	const char *colon = strchr(spec, ':');
	size_t un = colon ? (size_t)(colon - spec) : strlen(spec);

	*uid = *gid = -1;
	if (*spec == '\0')
		return 0;
	if (un == 4 && strncmp(spec, "root", 4) == 0)
		*uid = 0;
	else if (parse_id(spec, un, uid) < 0)
		goto names;
	if (colon == NULL) {
		*gid = *uid;	/* Docker: the user's group; root's and numeric ids' own */
		return 0;
	}
	if (strcmp(colon + 1, "root") == 0) {
		*gid = 0;
		return 0;
	}
	if (parse_id(colon + 1, strlen(colon + 1), gid) == 0)
		return 0;
names:
	/* names are looked up in the snapshot the step writes (SNAP_USER) */
	*uid = *gid = -1;
	return 1;
}

/* ARG in a stage (dispatchArg): a --build-arg wins, then the default
 * expanded now, then a global ARG of the same name. */
static int
dispatch_arg(struct dctx *d)
{
	struct fe *fe = d->fe;
	char *hist = strdup("ARG"), *v = NULL, *nh;
	int r = 0;

	for (size_t i = 0; i < d->in->nkvs && r == 0 && hist; i++) {
		const struct df_kv *kv = &d->in->kvs[i];
		const char *given = vars_get(&fe->opts->build_args, kv->key), *val = NULL;

		if ((r = strv_index(&fe->consumed, kv->key) < 0 && given ?
		    strv_add(&fe->consumed, kv->key) : 0) < 0)
			break;
		if (given)
			val = given;
		else if (kv->value) {
			if ((r = fe_expand(fe, d->in, &d->st->env, kv->value, &v)) < 0)
				break;
			val = v;
		} else
			val = vars_get(&fe->global, kv->key);
		if (val && (r = vars_set(&d->st->env, kv->key, val)) < 0)
			break;
		if (strv_index(&d->st->args, kv->key) < 0 &&
		    (r = strv_add(&d->st->args, kv->key)) < 0)
			break;
		if (asprintf(&nh, "%s %s%s%s", hist, kv->key, val ? "=" : "",
		    val ? val : "") < 0)
			r = -ENOMEM;
		else {
			free(hist);
			hist = nh;
		}
		free(v);
		v = NULL;
	}
	free(v);
	if (hist == NULL)
		return -ENOMEM;
	if (r == 0)
		r = dispatch_history(d, hist, 0);
	free(hist);
	return r;
}

/* ENV and LABEL: keys and values expanded, quotes removed. Every word sees
 * the variables as they were before the instruction: "ENV abc=bye
 * def=$abc" gives def the old abc (the Dockerfile reference). */
static int
dispatch_kv(struct dctx *d)
{
	int env = d->in->cmd == DF_ENV;
	char *hist = strdup(env ? "ENV" : "LABEL"), *nh;
	struct vars before = { 0 };
	int r = vars_copy(&before, &d->st->env);

	for (size_t i = 0; i < d->in->nkvs && r == 0 && hist; i++) {
		const struct df_kv *kv = &d->in->kvs[i];
		char *k = NULL, *v = NULL;

		if ((r = fe_expand(d->fe, d->in, &before, kv->key, &k)) == 0 &&
		    (r = fe_expand(d->fe, d->in, &before, kv->value ? kv->value : "",
		    &v)) == 0) {
			if (env && (r = vars_set(&d->st->env, k, v)) == 0)
				r = ic_env_set(d->st->image, k, v);
			else if (!env)
				r = ic_map_set(d->st->image, "Labels", k, v);
			if (asprintf(&nh, "%s %s=%s", hist, k, v) < 0)
				r = -ENOMEM;
			else {
				free(hist);
				hist = nh;
			}
		}
		free(k);
		free(v);
	}
	vars_free(&before);
	if (hist == NULL)
		return -ENOMEM;
	if (r == 0)
		r = dispatch_history(d, hist, 0);
	free(hist);
	return r;
}

static int
dispatch_one(struct dctx *d)
{
	switch (d->in->cmd) {
	case DF_RUN:
		return dispatch_run(d);
	case DF_ADD:
	case DF_COPY:
		return dispatch_copy(d);
	case DF_ARG:
		return dispatch_arg(d);
	case DF_ENV:
	case DF_LABEL:
		return dispatch_kv(d);
	case DF_WORKDIR:
		return dispatch_workdir(d, NULL, 1);
	case DF_FROM:
		return fe_errorf(d->fe, d->in, "FROM is not allowed as an ONBUILD trigger");
	default:
		return dispatch_meta(d);
	}
}

static unsigned
count_steps(const struct df_instr *in)
{
	return in->cmd == DF_RUN || in->cmd == DF_COPY || in->cmd == DF_ADD ||
	    in->cmd == DF_WORKDIR;
}

/* ONBUILD triggers: the base stage's ONBUILD instructions, or the base
 * image's OnBuild strings, parsed now. */
static int
onbuild_triggers(struct dctx *d, struct df_file *trig, const json_t *onbuild)
{
	struct fe *fe = d->fe;
	struct fe_stage *st = d->st;
	size_t i;
	json_t *t;

	memset(trig, 0, sizeof(*trig));
	if (st->base_stage >= 0)
		return 0;
	json_array_foreach(onbuild, i, t) {
		struct df_file one;
		struct df_error e;
		struct df_instr *ni;
		const char *s = json_string_value(t);
		char *text;
		int r;

		if (s == NULL)
			continue;
		/* the parser wants a FROM before anything but ARG */
		if (asprintf(&text, "FROM scratch\n%s\n", s) < 0)
			return -ENOMEM;
		memset(&e, 0, sizeof(e));
		memset(&one, 0, sizeof(one));
		r = df_parse("ONBUILD", text, strlen(text), &one, &e);
		free(text);
		if (r < 0 || one.ninstrs != 2 || one.instrs[1].cmd == DF_FROM ||
		    one.instrs[1].cmd == DF_ONBUILD) {
			df_file_free(&one);
			return r == -ENOMEM ? r : fe_errorf(fe, &fe->df->instrs[st->first - 1],
			    "%s: ONBUILD trigger \"%s\" of the base image: %s", st->base, s,
			    e.msg[0] ? e.msg : "not one instruction");
		}
		ni = realloc(trig->instrs, (trig->ninstrs + 1) * sizeof(*ni));
		if (ni == NULL) {
			df_file_free(&one);
			return -ENOMEM;
		}
		trig->instrs = ni;
		trig->instrs[trig->ninstrs++] = one.instrs[1];
		one.ninstrs = 1;	/* instrs[1] is the trigger list's now */
		df_file_free(&one);
	}
	return 0;
}

/* The instructions, or with triggers only the ONBUILD ones' triggers. */
static int
run_instrs(struct dctx *d, const struct df_instr *list, size_t n, int triggers)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		if (triggers && (list[i].cmd != DF_ONBUILD || list[i].onbuild == NULL))
			continue;
		d->in = triggers ? list[i].onbuild : &list[i];
		r = dispatch_one(d);
	}
	return r;
}

/* The stage's starting point: its base's rootfs and config. */
static int
stage_base(struct dctx *d)
{
	struct fe *fe = d->fe;
	struct fe_stage *st = d->st;
	const struct fe_image *img;

	if (st->base_stage >= 0) {
		struct fe_stage *b = &fe->stages[st->base_stage];

		st->top = b->top;
		st->image = ic_from_base(b->image);
		if (st->image == NULL || vars_copy(&st->env, &b->env) < 0 ||
		    strv_copy(&st->args, &b->args) < 0)
			return -ENOMEM;
		ic_del(st->image, "OnBuild");
		return 0;
	}
	if (st->base_ctx >= 0 || strcasecmp(st->base, "scratch") == 0) {
		st->image = ic_empty(fe->opts->platform ? fe->opts->platform : "linux/amd64");
		return st->image ? 0 : -ENOMEM;
	}
	img = dispatch_image(fe, fe_image_ref(fe, st->base));
	if (img == NULL)
		return fe_errorf(fe, &fe->df->instrs[st->first - 1], "%s: image not resolved",
		    st->base);
	if ((st->image = ic_from_base(img->config)) == NULL)
		return fe_errorf(fe, &fe->df->instrs[st->first - 1], "%s: the image's config "
		    "is not a JSON object", st->base);
	if (img->snap[0] && (st->top = dispatch_image_vertex(fe, img)) == NULL)
		return -ENOMEM;
	if (st->top) {
		char *t;

		d->in = &fe->df->instrs[st->first - 1];
		if (asprintf(&t, "FROM %s", img->ref) < 0)
			return -ENOMEM;
		free(st->top->name);
		st->top->name = dispatch_step_name(d, t);
		st->top->stage = d->si;
		free(t);
		if (st->top->name == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* FROM a --build-context directory: its files, copied into a snapshot */
static int
stage_from_dir(struct dctx *d)
{
	struct vertex *v;
	struct fact *a;
	char *t;

	if (asprintf(&t, "FROM %s", d->st->base) < 0)
		return -ENOMEM;
	d->in = &d->fe->df->instrs[d->st->first - 1];
	v = dispatch_vertex(d, VOP_FILE, t);
	free(t);
	if (v == NULL || (a = vertex_add_fact(v, FA_COPY)) == NULL ||
	    (a->dest = strdup("/")) == NULL || strv_add(&a->srcs, ".") < 0)
		return -ENOMEM;
	a->ctx = d->st->base_ctx;
	a->flags = 0;
	return 0;
}

static int
stage_init(struct dctx *d, struct df_file *trig)
{
	struct fe_stage *st = d->st;
	json_t *onbuild;
	int r;

	st->cmd_total = st->base_stage < 0 && strcasecmp(st->base, "scratch") != 0;
	for (size_t i = 0; i < st->count; i++)
		st->cmd_total += count_steps(&d->fe->df->instrs[st->first + i]);
	if ((r = stage_base(d)) < 0)
		return r;
	onbuild = json_object_get(ic_cfg(st->image), "OnBuild");
	if ((r = onbuild_triggers(d, trig, onbuild)) < 0)
		return r;
	for (size_t i = 0; i < trig->ninstrs; i++)
		st->cmd_total += count_steps(&trig->instrs[i]);
	if (st->base_stage >= 0) {
		const struct fe_stage *b = &d->fe->stages[st->base_stage];

		for (size_t i = 0; i < b->count; i++) {
			const struct df_instr *in = &d->fe->df->instrs[b->first + i];

			if (in->cmd == DF_ONBUILD && in->onbuild)
				st->cmd_total += count_steps(in->onbuild);
		}
	}
	ic_del(st->image, "OnBuild");
	if (st->base_ctx >= 0 && (r = stage_from_dir(d)) < 0)
		return r;
	if ((r = ic_env_ensure_path(st->image)) < 0 ||
	    (r = ic_env_load(st->image, &st->env)) < 0)
		return r;
	free(st->user);
	st->user = strdup(ic_get_str(st->image, "User"));
	return st->user ? 0 : -ENOMEM;
}

static int
dispatch_stage(struct fe *fe, int si)
{
	struct fe_stage *st = &fe->stages[si];
	struct dctx d = { fe, st, si, NULL, 0 };
	struct df_file trig;
	int r;

	st->dispatching = 1;
	r = stage_init(&d, &trig);
	if (r == 0 && trig.ninstrs) {
		d.onbuild = 1;
		r = run_instrs(&d, trig.instrs, trig.ninstrs, 0);
		d.onbuild = 0;
	}
	if (r == 0 && st->base_stage >= 0) {
		const struct fe_stage *b = &fe->stages[st->base_stage];

		d.onbuild = 1;
		r = run_instrs(&d, &fe->df->instrs[b->first], b->count, 1);
		d.onbuild = 0;
	}
	df_file_free(&trig);
	if (r == 0)
		r = run_instrs(&d, &fe->df->instrs[st->first], st->count, 0);
	st->dispatching = 0;
	st->dispatched = r == 0;
	return r;
}

static void
stage_reset(struct fe_stage *st)
{
	json_decref(st->image);
	st->image = NULL;
	vars_free(&st->env);
	strv_free(&st->args);
	free(st->user);
	st->user = NULL;
	st->top = NULL;
	st->dispatched = st->dispatching = 0;
	st->cmd_index = st->cmd_total = 0;
	st->cmd_set = 0;
}

int
fe_dispatch(struct fe *fe)
{
	int r = 0;

	graph_free(&fe->g);
	for (size_t i = 0; i < fe->nstages; i++)
		stage_reset(&fe->stages[i]);
	for (size_t i = 0; i < fe->nstages && r == 0; i++)
		if (fe->stages[i].reachable)
			r = dispatch_stage(fe, (int)i);
	return r;
}

json_t *
fe_result_config(struct fe *fe)
{
	json_t *img = fe->stages[fe->target].image;

	if (img && ic_finish(img, fe->opts->now) < 0)
		return NULL;
	return img;
}

static int
is_builtin_arg(const char *k)
{
	static const char *const proxy[] = { "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY",
	    "NO_PROXY", "ALL_PROXY" };

	for (size_t i = 0; i < sizeof(proxy) / sizeof(proxy[0]); i++)
		if (strcasecmp(k, proxy[i]) == 0)
			return 1;
	return strncmp(k, "BUILDKIT_", 9) == 0 || strcmp(k, "SOURCE_DATE_EPOCH") == 0;
}

int
fe_unused_args(const struct fe *fe, struct strv *out)
{
	const struct strv *a = &fe->opts->build_args.kv;

	for (size_t i = 0; i < a->n; i++) {
		char key[256];

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(a->v[i], "="), a->v[i]);
		if (strv_index(&fe->consumed, key) < 0 && !is_builtin_arg(key) &&
		    strv_add(out, key) < 0)
			return -ENOMEM;
	}
	return 0;
}

void
fe_free(struct fe *fe)
{
	for (size_t i = 0; i < fe->nstages; i++) {
		stage_reset(&fe->stages[i]);
		free(fe->stages[i].name);
		free(fe->stages[i].display);
		free(fe->stages[i].base);
	}
	free(fe->stages);
	vars_free(&fe->global);
	strv_free(&fe->consumed);
	strv_free(&fe->need);
	graph_free(&fe->g);
	fe->stages = NULL;
	fe->nstages = 0;
}
