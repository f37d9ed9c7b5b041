/* stage.c: a Dockerfile's stages: global ARGs, FROM names, the target and the stages it needs, the images to resolve. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend.h"

static char *
lower(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The platform ARGs every FROM line sees (BuildKit's defaultArgs). */
static int
platform_args(struct fe *fe)
{
	const char *p = fe->opts->platform ? fe->opts->platform : "linux/amd64";
	const char *slash = strchr(p, '/');
	char os[32], arch[32];
	static const char *const pre[] = { "BUILD", "TARGET" };
	int r = 0;

	snprintf(os, sizeof(os), "%.*s", slash ? (int)(slash - p) : (int)strlen(p), p);
	snprintf(arch, sizeof(arch), "%s", slash ? slash + 1 : "");
	for (size_t i = 0; i < 2 && r == 0; i++) {
		char k[32];

		snprintf(k, sizeof(k), "%sPLATFORM", pre[i]);
		r = vars_set(&fe->global, k, p);
		snprintf(k, sizeof(k), "%sOS", pre[i]);
		r = r ? r : vars_set(&fe->global, k, os);
		snprintf(k, sizeof(k), "%sARCH", pre[i]);
		r = r ? r : vars_set(&fe->global, k, arch);
		snprintf(k, sizeof(k), "%sVARIANT", pre[i]);
		r = r ? r : vars_set(&fe->global, k, "");
	}
	return r;
}

static int
consume(struct fe *fe, const char *key)
{
	if (vars_get(&fe->opts->build_args, key) == NULL ||
	    strv_index(&fe->consumed, key) >= 0)
		return 0;
	return strv_add(&fe->consumed, key);
}

/* ARG before the first FROM (buildMetaArgs): a --build-arg wins, else
 * the default expanded with the global ARGs so far. */
static int
global_arg(struct fe *fe, const struct df_instr *in)
{
	for (size_t i = 0; i < in->nkvs; i++) {
		const struct df_kv *kv = &in->kvs[i];
		const char *given = vars_get(&fe->opts->build_args, kv->key);
		char *v = NULL;
		int r;

		if ((r = consume(fe, kv->key)) < 0)
			return r;
		if (given)
			r = vars_set(&fe->global, kv->key, given);
		else if (kv->value) {
			if ((r = fe_expand(fe, in, &fe->global, kv->value, &v)) < 0)
				return r;
			r = vars_set(&fe->global, kv->key, v);
			free(v);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int
find_stage(const struct fe *fe, const char *name, size_t before)
{
	for (size_t i = 0; i < before && i < fe->nstages; i++)
		if (fe->stages[i].name && strcasecmp(fe->stages[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
check_platform(struct fe *fe, const struct df_instr *in)
{
	const struct df_flag *f = df_flag_get(in, "platform");
	const char *want = fe->opts->platform ? fe->opts->platform : "linux/amd64";
	char *p = NULL;
	int r;

	if (f == NULL || f->value == NULL)
		return 0;
	if ((r = fe_expand(fe, in, &fe->global, f->value, &p)) < 0)
		return r;
	if (strcmp(p, want) != 0 && !(strncmp(p, want, strlen(p)) == 0 &&
	    strcmp(p, "linux") == 0))
		r = fe_errorf(fe, in, "platform %s is not supported: this daemon builds "
		    "for %s only", p, want);
	free(p);
	return r;
}

/* FROM base [AS name]: its words are the parser's, quotes still in. */
static int
add_stage(struct fe *fe, const struct df_instr *in, size_t index)
{
	struct fe_stage *st, *ns;
	char *base = NULL;
	int r;

	if (in->nargs != 1 && !(in->nargs == 3 && strcasecmp(in->args[1], "as") == 0))
		return fe_errorf(fe, in, "FROM takes an image or stage and an optional "
		    "AS name");
	if ((r = fe_expand(fe, in, &fe->global, in->args[0], &base)) < 0)
		return r;
	if (base[0] == '\0') {
		free(base);
		return fe_errorf(fe, in, "base name (%s) should not be blank", in->args[0]);
	}
	if ((r = check_platform(fe, in)) < 0) {
		free(base);
		return r;
	}
	ns = realloc(fe->stages, (fe->nstages + 1) * sizeof(*ns));
	if (ns == NULL) {
		free(base);
		return -ENOMEM;
	}
	fe->stages = ns;
	st = &fe->stages[fe->nstages];
	memset(st, 0, sizeof(*st));
	st->base = base;
	st->first = index + 1;
	st->base_stage = find_stage(fe, base, fe->nstages);
	st->base_ctx = strv_index(&fe->opts->ctx_dirs, base);
	if (in->nargs == 3 && (st->name = lower(in->args[2])) == NULL)
		return -ENOMEM;
	fe->nstages++;
	return 0;
}

static int
split_stages(struct fe *fe)
{
	const struct df_file *df = fe->df;
	int r = 0;

	for (size_t i = 0; i < df->ninstrs && r == 0; i++) {
		const struct df_instr *in = &df->instrs[i];

		if (in->cmd == DF_FROM)
			r = add_stage(fe, in, i);
		else if (fe->nstages == 0 && in->cmd == DF_ARG)
			r = global_arg(fe, in);
		else if (fe->nstages == 0)
			r = fe_errorf(fe, in, "%s before the first FROM: only ARG may come "
			    "before FROM", df_cmd_name(in->cmd));
		else
			fe->stages[fe->nstages - 1].count++;
	}
	if (r == 0 && fe->nstages == 0)
		r = fe_errorf(fe, NULL, "the Dockerfile has no FROM: nothing to build");
	return r;
}

static int
find_target(struct fe *fe)
{
	const char *t = fe->opts->target;

	if (t == NULL || *t == '\0') {
		fe->target = (int)fe->nstages - 1;
		return 0;
	}
	fe->target = find_stage(fe, t, fe->nstages);
	if (fe->target < 0)
		return fe_errorf(fe, NULL, "target stage \"%s\" could not be found", t);
	return 0;
}

/* A --from or from= value: a stage by name or index, else an image or a
 * named context. -1 when it is no stage. */
int
fe_stage_ref(const struct fe *fe, const char *from, size_t before)
{
	char *end;
	long idx = strtol(from, &end, 10);

	if (*from && *end == '\0')
		return idx >= 0 && (size_t)idx < fe->nstages ? (int)idx : -2;
	return find_stage(fe, from, before);
}

/* --build-context NAME=docker-image://REF renames an image */
const char *
fe_image_ref(const struct fe *fe, const char *name)
{
	const char *m = vars_get(&fe->opts->ctx_images, name);

	return m ? m : name;
}

static int
need_image(struct fe *fe, const char *name)
{
	const char *ref = fe_image_ref(fe, name);

	if (strcasecmp(ref, "scratch") == 0 || strv_index(&fe->need, ref) >= 0 ||
	    strv_index(&fe->opts->ctx_dirs, name) >= 0)
		return 0;
	return strv_add(&fe->need, ref);
}

/* The name after from= in a --mount value, or NULL. */
static char *
mount_from(const char *spec)
{
	for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, "from=", 5) == 0)
			return strndup(p + 5, strcspn(p + 5, ","));
	return NULL;
}

static int mark(struct fe *fe, int s);

static int
mark_from(struct fe *fe, const char *from)
{
	int dep = fe_stage_ref(fe, from, fe->nstages);

	if (dep >= 0)
		return mark(fe, dep);
	return dep == -1 ? need_image(fe, from) : 0;
}

static int
mark_instr(struct fe *fe, const struct df_instr *in)
{
	const struct df_flag *f;
	int r = 0;

	if (in->cmd == DF_COPY && (f = df_flag_get(in, "from")) && f->value)
		return mark_from(fe, f->value);
	if (in->cmd != DF_RUN)
		return 0;
	for (f = df_flag_get(in, "mount"); f && r == 0; f = df_flag_next(in, f, "mount")) {
		char *from = f->value ? mount_from(f->value) : NULL;

		if (from && *from)
			r = mark_from(fe, from);
		free(from);
	}
	return r;
}

/* The stages the target needs: its base, COPY --from and RUN --mount
 * from= sources, and what ONBUILD triggers of a base stage name. */
static int
mark(struct fe *fe, int s)
{
	struct fe_stage *st = &fe->stages[s];
	int r = 0;

	if (st->reachable)
		return 0;
	st->reachable = 1;
	if (st->base_stage >= 0) {
		const struct fe_stage *b = &fe->stages[st->base_stage];

		r = mark(fe, st->base_stage);
		for (size_t i = 0; i < b->count && r == 0; i++) {
			const struct df_instr *in = &fe->df->instrs[b->first + i];

			if (in->cmd == DF_ONBUILD && in->onbuild)
				r = mark_instr(fe, in->onbuild);
		}
	} else if (st->base_ctx < 0)
		r = need_image(fe, st->base);
	for (size_t i = 0; i < st->count && r == 0; i++)
		r = mark_instr(fe, &fe->df->instrs[st->first + i]);
	return r;
}

static int
name_stages(struct fe *fe)
{
	for (size_t i = 0; i < fe->nstages; i++) {
		struct fe_stage *st = &fe->stages[i];
		int r;

		if (fe->nstages == 1)
			r = (st->display = strdup("")) ? 0 : -1;
		else if (st->name)
			r = (st->display = strdup(st->name)) ? 0 : -1;
		else
			r = asprintf(&st->display, "stage-%zu", i);
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

int
fe_prepare(struct fe *fe, const struct df_file *df, const struct fe_opts *o)
{
	int r;

	memset(fe, 0, sizeof(*fe));
	fe->df = df;
	fe->opts = o;
	if ((r = platform_args(fe)) < 0 || (r = split_stages(fe)) < 0 ||
	    (r = find_target(fe)) < 0 || (r = name_stages(fe)) < 0)
		return r;
	return mark(fe, fe->target);
}
