/* cache_spec.c: --cache-to and --cache-from as BUILD carries them ("type=registry,ref=REF,mode=max"; a directory fd for type=local), checked and kept in b->cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build.h"
#include "cache.h"

struct spec_parse {
	struct cache_spec	*s;
	int			 to;
	const char		*why;
};

static int
spec_pair(struct spec_parse *sp, const char *k, const char *v)
{
	struct cache_spec *s = sp->s;

	if (strcmp(k, "type") == 0) {
		s->type = !strcmp(v, "local") ? CT_LOCAL : !strcmp(v, "registry") ?
		    CT_REGISTRY : !strcmp(v, "inline") && sp->to ? CT_INLINE : 0;
		if (s->type == 0)
			sp->why = sp->to ? "type is local, registry or inline" :
			    "type is local or registry";
	} else if (strcmp(k, "mode") == 0 && sp->to) {
		s->max = strcmp(v, "max") == 0;
		if (s->max == 0 && strcmp(v, "min") != 0)
			sp->why = "mode is min or max";
	} else if (strcmp(k, "ref") == 0) {
		if (strlen(v) >= sizeof(s->ref) || imgref_parse(v, &(struct imgref){ 0 },
		    &sp->why) < 0)
			sp->why = sp->why ? sp->why : "ref is too long";
		else
			snprintf(s->ref, sizeof(s->ref), "%s", v);
	} else if (strcmp(k, "ignore-error") == 0 && sp->to &&
	    (!strcmp(v, "true") || !strcmp(v, "false")))
		s->ignore_error = strcmp(v, "true") == 0;
	else
		sp->why = "unknown key (type, mode, ref, ignore-error)";
	return sp->why ? -EINVAL : 0;
}

int
cache_spec_parse(const char *text, int to, struct cache_spec *s, char *why, size_t size)
{
	struct spec_parse sp = { s, to, NULL };
	char buf[1024];

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(why, size, "too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && !sp.why;
	    t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');

		if (eq == NULL)
			sp.why = "not KEY=VALUE";
		else {
			*eq = '\0';
			spec_pair(&sp, t, eq + 1);
		}
	}
	if (!sp.why && s->type == 0)
		sp.why = "no type=";
	if (!sp.why && s->type == CT_REGISTRY && !s->ref[0])
		sp.why = "type=registry needs ref=REF";
	if (!sp.why && s->type != CT_REGISTRY && s->ref[0])
		sp.why = "ref= is for type=registry";
	if (!sp.why && s->type == CT_INLINE && s->max)
		sp.why = "type=inline exports mode=min only";
	if (sp.why) {
		snprintf(why, size, "%s", sp.why);
		return -EINVAL;
	}
	snprintf(s->text, sizeof(s->text), "%.63s", s->type == CT_REGISTRY ? s->ref :
	    s->type == CT_LOCAL ? "type=local" : "type=inline");
	return 0;
}

static int
read_specs(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next, int to)
{
	struct cache_state *c = b->cache;
	struct cache_spec *list = to ? c->to : c->from;
	size_t *n = to ? &c->nto : &c->nfrom;
	struct ipc_rd sub;
	char why[256];

	if (ipc_rd_array(rd, &sub) < 0 || sub.n > CACHE_MAX_SPECS)
		return -EBADMSG;
	while (sub.i < sub.n) {
		struct cache_spec *s = &list[*n];
		char *text;
		int r;

		if (ipc_rd_strdup(&sub, &text) < 0)
			return -EBADMSG;
		r = cache_spec_parse(text, to, s, why, sizeof(why));
		if (r < 0)
			snprintf(b->error, sizeof(b->error), "--cache-%s %s: %s", to ? "to" :
			    "from", text, why);
		free(text);
		if (r < 0)
			return r;
		if (s->type == CT_LOCAL) {
			if (*next >= m->nfds) {
				snprintf(b->error, sizeof(b->error), "BUILD: a type=local cache "
				    "without its directory descriptor");
				return -EBADMSG;
			}
			s->fd = m->fds[*next];
			m->fds[(*next)++] = -1;
		}
		(*n)++;
	}
	return 0;
}

int
cache_req_decode(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next)
{
	int r;

	if ((b->cache = calloc(1, sizeof(*b->cache))) == NULL)
		return -ENOMEM;
	/* optional, after the image options */
	if (rd->i >= rd->n)
		return 0;
	if ((r = read_specs(b, rd, m, next, 1)) < 0 || (r = read_specs(b, rd, m, next, 0)) < 0)
		return r;
	return 0;
}

void
cache_state_free(struct cache_state *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nto; i++)
		if (c->to[i].fd >= 0)
			close(c->to[i].fd);
	for (size_t i = 0; i < c->nfrom; i++) {
		if (c->from[i].fd >= 0)
			close(c->from[i].fd);
		cachedoc_free(&c->from[i].doc);
	}
	cachedoc_free(&c->out);
	free(c);
}
