/* build_opts.c: kilnctl build's command line, as docker buildx build spells it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"

void
bopt_usage(FILE *out)
{
	fprintf(out, "usage: kilnctl build [-f FILE|-] [--target STAGE] "
	    "[--build-arg K[=V]]... [--secret id=ID,src=PATH|env=VAR]...\n"
	    "    [--build-context NAME=DIR|docker-image://REF|oci-layout://DIR[:TAG]]... "
	    "[--no-cache] [--no-cache-filter STAGE]...\n"
	    "    [--progress auto|tty|plain|rawjson] "
	    "[--output type=local,dest=DIR | type=tar,dest=FILE|-\n"
	    "     | type=oci|docker,dest=FILE|-[,name=REF] | type=image,name=REF[,push=true]]\n"
	    "     (image outputs: [,compression=gzip|zstd|uncompressed][,compression-level=N]"
	    "[,force-compression=true][,oci-mediatypes=true|false])\n"
	    "    [--cache-to type=local,dest=DIR|type=registry,ref=REF[,mode=min|max]"
	    "|type=inline]...\n"
	    "    [--cache-from type=local,src=DIR|type=registry,ref=REF]...\n"
	    "    [-t NAME]... [--push] [--pull] [--metadata-file FILE] [--platform P] CONTEXT\n");
}

static int
bad(const char *what, const char *val)
{
	fprintf(stderr, "kilnctl build: %s: '%s'\n", what, val);
	return -EINVAL;
}

/* --build-arg K=V, or K alone: its value from the environment, and left
 * out when it is not set (as docker does). */
static int
add_arg(struct build_opts *o, const char *v)
{
	const char *env;
	char *s;

	if (*v == '\0' || *v == '=')
		return bad("--build-arg needs a name", v);
	if (o->nargs >= BOPT_MAX_LIST)
		return bad("too many --build-arg", v);
	if (strchr(v, '=') == NULL) {
		if ((env = getenv(v)) == NULL)
			return 0;
		if (asprintf(&s, "%s=%s", v, env) < 0)
			return -ENOMEM;
	} else if ((s = strdup(v)) == NULL)
		return -ENOMEM;
	o->args[o->nargs++] = s;
	return 0;
}

/* Splits "a=b,c=d" in place; calls fn for each pair. */
static int
each_pair(char *s, int (*fn)(void *arg, const char *k, const char *v), void *arg)
{
	for (char *save = NULL, *t = strtok_r(s, ",", &save); t;
	    t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		int r;

		if (eq == NULL)
			return -EINVAL;
		*eq = '\0';
		if ((r = fn(arg, t, eq + 1)) < 0)
			return r;
	}
	return 0;
}

static int
secret_pair(void *arg, const char *k, const char *v)
{
	struct bopt_secret *s = arg;

	if (strcmp(k, "id") == 0)
		s->id = v;
	else if (strcmp(k, "src") == 0 || strcmp(k, "source") == 0)
		s->src = v;
	else if (strcmp(k, "env") == 0)
		s->env = v;
	else if (strcmp(k, "type") != 0 || (strcmp(v, "file") && strcmp(v, "env")))
		return -EINVAL;
	return 0;
}

static int
add_secret(struct build_opts *o, char *v)
{
	struct bopt_secret *s = &o->secrets[o->nsecrets];
	char *copy = v;

	if (o->nsecrets >= BOPT_MAX_FDS)
		return bad("too many --secret", v);
	memset(s, 0, sizeof(*s));
	if (each_pair(copy, secret_pair, s) < 0 || s->id == NULL || !*s->id ||
	    (s->src && s->env))
		return bad("--secret takes id=ID,src=PATH or id=ID,env=VAR", v);
	if (s->src == NULL && s->env == NULL)
		s->env = s->id;	/* buildx: the variable of the same name */
	o->nsecrets++;
	return 0;
}

struct output_parse {
	struct bopt_output	*out;
	struct build_opts	*o;
	const char		*name;
	int			 push;	/* -1: not given */
	int			 image_opts;	/* compression= and the like given */
};

static const char *const image_keys[] = {
	"compression", "compression-level", "force-compression", "oci-mediatypes",
};

/* An image option: carried to the daemon as it is, which checks it. */
static int
image_opt(struct output_parse *op, const char *k, const char *v)
{
	char *s = op->o->image_opts;
	size_t n = strlen(s);

	for (size_t i = 0; i < sizeof(image_keys) / sizeof(image_keys[0]); i++) {
		if (strcmp(k, image_keys[i]) != 0)
			continue;
		if (snprintf(s + n, sizeof(op->o->image_opts) - n, "%s%s=%s", n ? "," : "",
		    k, v) >= (int)(sizeof(op->o->image_opts) - n))
			return -EINVAL;
		if (strcmp(k, "oci-mediatypes") == 0)
			op->o->docker_types = strcmp(v, "false") == 0;
		op->image_opts = 1;
		return 0;
	}
	return -EINVAL;
}

/* type=local|tar|oci|docker|image|registry, dest=, name=, push=, and
 * the image options */
static int
output_pair(void *arg, const char *k, const char *v)
{
	struct output_parse *op = arg;
	struct bopt_output *out = op->out;

	if (strcmp(k, "type") == 0) {
		if (strcmp(v, "local") && strcmp(v, "tar") && strcmp(v, "oci") &&
		    strcmp(v, "docker") && strcmp(v, "image") && strcmp(v, "registry"))
			return -ENOTSUP;
		snprintf(out->type, sizeof(out->type), "%s", v);
	} else if (strcmp(k, "dest") == 0)
		out->dest = v;
	else if (strcmp(k, "name") == 0)
		op->name = v;
	else if (strcmp(k, "push") == 0 && (!strcmp(v, "true") || !strcmp(v, "false")))
		op->push = strcmp(v, "true") == 0;
	else
		return image_opt(op, k, v);
	return 0;
}

/* type=image and type=registry are -t names (pushed for registry or
 * push=true); oci and docker write an archive, as tar does */
static int
output_kind(struct build_opts *o, struct output_parse *op, const char *orig)
{
	struct bopt_output *out = &o->output;
	int image = !strcmp(out->type, "image") || !strcmp(out->type, "registry");

	if (op->image_opts && (!strcmp(out->type, "local") || !strcmp(out->type, "tar")))
		return bad("compression= and oci-mediatypes= are for type=image, registry, "
		    "oci and docker", orig);
	if (image) {
		if (op->name == NULL || out->dest)
			return bad("--output type=image takes name=REF[,push=true], no dest",
			    orig);
		if (o->ntags >= BOPT_MAX_LIST)
			return bad("too many names", orig);
		o->tags[o->ntags++] = op->name;
		o->push |= op->push == 1 || (op->push == -1 && !strcmp(out->type, "registry"));
		out->type[0] = '\0';	/* no descriptor of its own */
		return 0;
	}
	if (op->push != -1 || (op->name && strcmp(out->type, "oci") &&
	    strcmp(out->type, "docker")))
		return bad("name= is for type=oci, docker and image; push= for image",
		    orig);
	out->name = op->name;
	snprintf(out->wire, sizeof(out->wire), "%s%s%s", out->type, op->name ? ",name=" : "",
	    op->name ? op->name : "");
	return 0;
}

/* -o DIR is type=local, -o - a tar on standard output (buildx's
 * shorthands). */
static int
set_output(struct build_opts *o, char *v)
{
	struct output_parse op = { &o->output, o, NULL, -1, 0 };
	char orig[512];
	int r;

	snprintf(orig, sizeof(orig), "%s", v);
	if (o->output.type[0])
		return bad("only one --output with a destination is supported", v);
	if (strchr(v, '=') == NULL) {
		snprintf(o->output.type, sizeof(o->output.type), "%s",
		    strcmp(v, "-") == 0 ? "tar" : "local");
		snprintf(o->output.wire, sizeof(o->output.wire), "%s", o->output.type);
		o->output.dest = v;
		return 0;
	}
	r = each_pair(v, output_pair, &op);
	if (r == -ENOTSUP)
		return bad("--output type is local, tar, oci, docker, image or registry",
		    orig);
	if (r == 0 && o->output.type[0] && o->output.dest == NULL &&
	    strcmp(o->output.type, "image") && strcmp(o->output.type, "registry"))
		r = -EINVAL;
	if (r < 0 || !o->output.type[0])
		return bad("--output takes type=local,dest=DIR, type=tar|oci|docker,"
		    "dest=FILE|- or type=image,name=REF", orig);
	return output_kind(o, &op, orig);
}

static int
add_context(struct build_opts *o, const char *v)
{
	struct bopt_context *c = &o->contexts[o->ncontexts];
	const char *eq = strchr(v, '=');

	if (eq == NULL || eq == v || eq[1] == '\0')
		return bad("--build-context takes NAME=DIR, NAME=docker-image://REF "
		    "or NAME=oci-layout://DIR[:TAG]", v);
	if (o->ncontexts >= BOPT_MAX_FDS)
		return bad("too many --build-context", v);
	memset(c, 0, sizeof(*c));
	if ((c->name = strndup(v, (size_t)(eq - v))) == NULL)
		return -ENOMEM;
	eq++;
	if (strncmp(eq, "docker-image://", 15) == 0)
		c->image = eq + 15;
	else if (strncmp(eq, "oci-layout://", 13) == 0)
		c->oci = eq + 13;
	else
		c->dir = eq;
	o->ncontexts++;
	return 0;
}

/* --cache-to type=local,dest=DIR[,mode=] | type=registry,ref=REF[,mode=]
 * | type=inline; --cache-from type=local,src=DIR | type=registry,ref=REF
 * | REF. The daemon checks the rest of the keys. */
static int
add_cache(struct build_opts *o, const char *v, int to)
{
	struct bopt_cache *c = to ? &o->cache_to[o->ncache_to] :
	    &o->cache_from[o->ncache_from];
	const char *dirkey = to ? "dest=" : "src=";
	char buf[600], *save = NULL;
	int local = 0;

	if ((to ? o->ncache_to : o->ncache_from) >= BOPT_MAX_FDS)
		return bad(to ? "too many --cache-to" : "too many --cache-from", v);
	if (strlen(v) >= sizeof(buf) || !*v)
		return bad("a bad cache", v);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!to && strchr(v, '=') == NULL) {
		snprintf(c->wire, sizeof(c->wire), "type=registry,ref=%s", v);
		o->ncache_from++;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strncmp(t, dirkey, strlen(dirkey)) == 0) {
			c->dir = v + (t - buf) + strlen(dirkey);
			continue;
		}
		local |= strcmp(t, "type=local") == 0;
		snprintf(c->wire + strlen(c->wire), sizeof(c->wire) - strlen(c->wire), "%s%s",
		    c->wire[0] ? "," : "", t);
	}
	if (local != (c->dir != NULL))
		return bad(to ? "--cache-to type=local takes dest=DIR (and only it)" :
		    "--cache-from type=local takes src=DIR (and only it)", v);
	if (c->dir && (*c->dir == '\0' || *c->dir == ','))
		return bad("an empty directory", v);
	if (c->dir && (c->dir = strndup(c->dir, strcspn(c->dir, ","))) == NULL)
		return -ENOMEM;
	*(to ? &o->ncache_to : &o->ncache_from) += 1;
	return 0;
}

static int
has_arg(const struct build_opts *o, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < o->nargs; i++)
		if (strncmp(o->args[i], key, n) == 0 && o->args[i][n] == '=')
			return 1;
	return 0;
}

static int
set_progress(struct build_opts *o, const char *v)
{
	static const char *const names[] = { "auto", "tty", "plain", "rawjson" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			o->progress = (enum bopt_progress)i;
			return 0;
		}
	return bad("--progress is auto, tty, plain or rawjson", v);
}

static int
add_list(const char **list, int *n, const char *v, const char *what)
{
	if (*n >= BOPT_MAX_LIST)
		return bad(what, v);
	list[(*n)++] = v;
	return 0;
}

/* One option with its value. */
static int
set_opt(struct build_opts *o, const char *name, char *v)
{
	if (!strcmp(name, "-f") || !strcmp(name, "--file"))
		o->file = v;
	else if (!strcmp(name, "--target"))
		o->target = v;
	else if (!strcmp(name, "--build-arg"))
		return add_arg(o, v);
	else if (!strcmp(name, "--secret"))
		return add_secret(o, v);
	else if (!strcmp(name, "--build-context"))
		return add_context(o, v);
	else if (!strcmp(name, "--no-cache-filter"))
		return add_list(o->filters, &o->nfilters, v, "too many --no-cache-filter");
	else if (!strcmp(name, "--progress"))
		return set_progress(o, v);
	else if (!strcmp(name, "-o") || !strcmp(name, "--output"))
		return set_output(o, v);
	else if (!strcmp(name, "-t") || !strcmp(name, "--tag"))
		return add_list(o->tags, &o->ntags, v, "too many -t");
	else if (!strcmp(name, "--metadata-file"))
		o->metadata_file = v;
	else if (!strcmp(name, "--cache-to") || !strcmp(name, "--cache-from"))
		return add_cache(o, v, !strcmp(name, "--cache-to"));
	else if (!strcmp(name, "--platform"))
		o->platform = v;
	else
		return bad("unknown option", name);
	return 0;
}

static int
takes_value(const char *name)
{
	static const char *const with[] = { "-f", "--file", "--target", "--build-arg",
	    "--secret", "--build-context", "--no-cache-filter", "--progress", "-o",
	    "--output", "-t", "--tag", "--metadata-file", "--platform", "--cache-to",
	    "--cache-from" };

	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		if (strcmp(name, with[i]) == 0)
			return 1;
	return 0;
}

int
bopt_parse(int argc, char **argv, struct build_opts *o)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		char name[64], *a = argv[i], *eq;

		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->context)
				return bad("one CONTEXT only, found another", a);
			o->context = a;
			continue;
		}
		if (strcmp(a, "--no-cache") == 0) {
			o->no_cache = 1;
			continue;
		}
		if (strcmp(a, "--push") == 0 || strcmp(a, "--pull") == 0) {
			*(strcmp(a, "--push") == 0 ? &o->push : &o->pull) = 1;
			continue;
		}
		snprintf(name, sizeof(name), "%s", a);
		if ((eq = strchr(name, '=')) && name[1] == '-') {
			*eq = '\0';
			r = set_opt(o, name, strchr(a, '=') + 1);
		} else if (!takes_value(name))
			return bad("unknown option", a);
		else if (i + 1 >= argc)
			return bad("option needs a value", a);
		else
			r = set_opt(o, name, argv[++i]);
		if (r < 0)
			return r;
	}
	if (o->context == NULL)
		return bad("a CONTEXT directory is needed", "");
	if (o->push && o->ntags == 0)
		return bad("--push needs a name: -t NAME or --output type=image,name=REF",
		    "--push");
	/* as buildx: the environment's SOURCE_DATE_EPOCH is a build arg */
	if (getenv("SOURCE_DATE_EPOCH") && !has_arg(o, "SOURCE_DATE_EPOCH") &&
	    (r = add_arg(o, "SOURCE_DATE_EPOCH")) < 0)
		return r;
	if (strcmp(o->context, "-") == 0)
		return bad("a context from standard input is not supported; name a "
		    "directory", o->context);
	return 0;
}

void
bopt_free(struct build_opts *o)
{
	for (int i = 0; i < o->nargs; i++)
		free(o->args[i]);
	for (int i = 0; i < o->ncontexts; i++)
		free(o->contexts[i].name);
	for (int i = 0; i < o->ncache_to; i++)
		free((char *)o->cache_to[i].dir);
	for (int i = 0; i < o->ncache_from; i++)
		free((char *)o->cache_from[i].dir);
}
