/* graph.c: allocation and walking of a build's vertices. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "graph.h"

struct vertex *
graph_add(struct graph *g, enum vop op)
{
	struct vertex **nv, *v;

	nv = realloc(g->v, (g->nv + 1) * sizeof(*nv));
	if (nv == NULL)
		return NULL;
	g->v = nv;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->op = op;
	v->n = (unsigned)g->nv + 1;
	g->v[g->nv++] = v;
	return v;
}

struct fact *
vertex_add_fact(struct vertex *v, enum fact_kind kind)
{
	struct fact *na = realloc(v->acts, (v->nacts + 1) * sizeof(*na)), *a;

	if (na == NULL)
		return NULL;
	v->acts = na;
	a = &v->acts[v->nacts++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->ctx = -1;
	a->uid = a->gid = -1;
	a->mtime = -1;
	a->fd = -1;
	return a;
}

struct vmount *
vertex_add_mount(struct vertex *v, enum vmount_type type)
{
	struct vmount *nm = realloc(v->mounts, (v->nmounts + 1) * sizeof(*nm)), *m;

	if (nm == NULL)
		return NULL;
	v->mounts = nm;
	m = &v->mounts[v->nmounts++];
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->ctx = -1;
	m->uid = m->gid = m->mode = -1;
	return m;
}

static void
add_input(const struct vertex **out, size_t *n, size_t max, const struct vertex *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < *n; i++)
		if (out[i] == in)
			return;
	if (*n < max)
		out[(*n)++] = in;
}

size_t
vertex_inputs(const struct vertex *v, const struct vertex **out, size_t max)
{
	size_t n = 0;

	add_input(out, &n, max, v->parent);
	for (size_t i = 0; i < v->nacts; i++)
		add_input(out, &n, max, v->acts[i].from);
	for (size_t i = 0; i < v->nmounts; i++)
		add_input(out, &n, max, v->mounts[i].from);
	return n;
}

static void
fact_free(struct fact *a)
{
	free(a->dest);
	strv_free(&a->srcs);
	strv_free(&a->excludes);
	free(a->chmod);
	free(a->owner);
	free(a->content);
	free(a->expect);
	free(a->name);
	if (a->fd >= 0)
		close(a->fd);
}

static void
mount_free(struct vmount *m)
{
	free(m->target);
	free(m->source);
	free(m->sharing);
	free(m->seed);
	free(m->env);
}

static void
vertex_free(struct vertex *v)
{
	free(v->name);
	free(v->ref);
	free(v->digest);
	free(v->snap);
	strv_free(&v->argv);
	strv_free(&v->env);
	strv_free(&v->proxy_env);
	free(v->cwd);
	free(v->user);
	free(v->network);
	free(v->security);
	for (size_t i = 0; i < v->nmounts; i++)
		mount_free(&v->mounts[i]);
	free(v->mounts);
	for (size_t i = 0; i < v->nacts; i++)
		fact_free(&v->acts[i]);
	free(v->acts);
	free(v);
}

void
graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->nv; i++)
		vertex_free(g->v[i]);
	free(g->v);
	g->v = NULL;
	g->nv = 0;
}
