/* progress.c: decodes a build's progress events; renders them as BuildKit's plain lines, or hands them to the tty and rawjson views. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "progress.h"
#include "util.h"

struct progress *
progress_new(enum bopt_progress mode, FILE *out)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if (mode == PROG_AUTO)
		mode = isatty(fileno(out)) && getenv("TERM") &&
		    strcmp(getenv("TERM"), "dumb") ? PROG_TTY : PROG_PLAIN;
	p->mode = mode;
	p->out = out;
	p->start_local = util_now_ms();
	return p;
}

struct pvertex *
progress_vertex(struct progress *p, uint64_t n)
{
	struct pvertex *nv;

	for (size_t i = 0; i < p->nv; i++)
		if (p->v[i].n == n)
			return &p->v[i];
	nv = realloc(p->v, (p->nv + 1) * sizeof(*nv));
	if (nv == NULL)
		return NULL;
	p->v = nv;
	nv = &p->v[p->nv++];
	memset(nv, 0, sizeof(*nv));
	nv->n = n;
	return nv;
}

static void
plain_header(struct progress *p, struct pvertex *v)
{
	if (v->announced)
		return;
	v->announced = 1;
	fprintf(p->out, "\n#%llu %s\n", (unsigned long long)v->n,
	    v->name ? v->name : "");
}

/* "#3 0.512 hello": seconds since the step started, as BuildKit prints */
static void
plain_line(struct progress *p, struct pvertex *v, int64_t t, const char *s, size_t len)
{
	double sec = (double)(t - v->started_ms) / 1000.0;

	plain_header(p, v);
	fprintf(p->out, "#%llu %.3f %.*s\n", (unsigned long long)v->n,
	    sec < 0 ? 0 : sec, (int)len, s);
}

static void
flush_partial(struct progress *p, struct pvertex *v, int64_t t)
{
	if (v->npartial == 0)
		return;
	if (p->mode == PROG_PLAIN)
		plain_line(p, v, t, v->partial, v->npartial);
	else
		progress_tty_line(v, v->partial, v->npartial);
	v->npartial = 0;
}

/* Splits a chunk into lines; the last, unended one waits in partial. */
static void
on_log(struct progress *p, struct pvertex *v, int64_t t, const char *s, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(s, '\n', len);
		size_t take = nl ? (size_t)(nl - s) : len;
		size_t room = sizeof(v->partial) - v->npartial;

		if (take > room)
			take = room;
		memcpy(v->partial + v->npartial, s, take);
		v->npartial += take;
		s += take;
		len -= take;
		if (nl && s == nl) {
			s++;
			len--;
		} else if (v->npartial < sizeof(v->partial))
			break;
		flush_partial(p, v, t);
	}
}

static void
on_vertex(struct progress *p, struct ipc_rd *rd)
{
	struct pvertex *v;
	uint64_t n;
	char *name;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_strdup(rd, &name) < 0)
		return;
	if ((v = progress_vertex(p, n)) == NULL) {
		free(name);
		return;
	}
	free(v->name);
	v->name = name;
}

static void
plain_status(struct progress *p, struct pvertex *v)
{
	switch (v->state) {
	case PV_STARTED:
		plain_header(p, v);
		break;
	case PV_CACHED:
		plain_header(p, v);
		fprintf(p->out, "#%llu CACHED\n", (unsigned long long)v->n);
		break;
	case PV_DONE:
		plain_header(p, v);
		fprintf(p->out, "#%llu DONE %.1fs\n", (unsigned long long)v->n,
		    (double)v->duration_ms / 1000.0);
		break;
	case PV_ERROR:
		plain_header(p, v);
		fprintf(p->out, "#%llu ERROR: %s\n", (unsigned long long)v->n,
		    v->error ? v->error : "");
		break;
	case PV_CANCELLED:
		plain_header(p, v);
		fprintf(p->out, "#%llu CANCELED\n", (unsigned long long)v->n);
		break;
	default:
		break;
	}
}

static enum pv_state
state_of(const char *s, size_t len)
{
	static const char *const names[] = { "", "started", "cached", "done", "error",
	    "cancelled" };

	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (enum pv_state)i;
	return PV_NEW;
}

static void
on_status(struct progress *p, struct ipc_rd *rd)
{
	struct pvertex *v;
	const char *st;
	size_t len;
	uint64_t n;
	int64_t t, d;
	char *err;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_str(rd, &st, &len) < 0 ||
	    ipc_rd_i64(rd, &t) < 0 || ipc_rd_i64(rd, &d) < 0 ||
	    ipc_rd_strdup(rd, &err) < 0)
		return;
	if ((v = progress_vertex(p, n)) == NULL) {
		free(err);
		return;
	}
	v->state = state_of(st, len);
	if (v->state == PV_STARTED) {
		v->started_ms = t;
		v->started_local = util_now_ms();
	} else
		flush_partial(p, v, t);
	v->duration_ms = d;
	free(v->error);
	v->error = err;
	if (p->mode == PROG_PLAIN)
		plain_status(p, v);
}

void
progress_event(struct progress *p, const struct ipc_msg *m)
{
	struct ipc_rd rd;
	struct pvertex *v;
	const char *s;
	size_t len;
	uint64_t n, stream;
	int64_t t;

	if (p->mode == PROG_RAWJSON) {
		progress_json_event(p, m);
		return;
	}
	if (ipc_rd_init(&rd, &m->body) < 0)
		return;
	switch (m->hdr.type) {
	case IPC_BUILD_VERTEX:
		on_vertex(p, &rd);
		break;
	case IPC_BUILD_STATUS:
		on_status(p, &rd);
		break;
	case IPC_BUILD_LOG:
		if (ipc_rd_u64(&rd, &n) < 0 || ipc_rd_u64(&rd, &stream) < 0 ||
		    ipc_rd_i64(&rd, &t) < 0 || ipc_rd_str(&rd, &s, &len) < 0 ||
		    (v = progress_vertex(p, n)) == NULL)
			break;
		on_log(p, v, t, s, len);
		break;
	case IPC_BUILD_PROGRESS:
		progress_blob_event(p, &rd);
		break;
	case IPC_BUILD_WARN:
		if (ipc_rd_str(&rd, &s, &len) == 0) {
			if (p->mode == PROG_TTY)
				progress_tty_draw(p, 1);
			fprintf(p->out, "WARNING: %.*s\n", (int)len, s);
			p->drawn_lines = 0;
		}
		break;
	}
	fflush(p->out);
}

void
progress_tick(struct progress *p)
{
	if (p->mode == PROG_TTY)
		progress_tty_draw(p, 0);
}

void
progress_done(struct progress *p, const char *summary, const char *error)
{
	if (p->mode == PROG_RAWJSON) {
		progress_json_done(p, summary, error);
		return;
	}
	if (p->mode == PROG_TTY)
		progress_tty_draw(p, 1);
	if (error)
		fprintf(p->out, "%sERROR: %s\n", p->mode == PROG_PLAIN ? "\n" : "", error);
	else if (summary)
		fprintf(p->out, "%s%s\n", p->mode == PROG_PLAIN ? "\n" : "", summary);
	fflush(p->out);
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nv; i++) {
		free(p->v[i].name);
		free(p->v[i].error);
	}
	free(p->v);
	free(p);
}
