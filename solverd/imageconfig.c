/* imageconfig.c: builds the image config JSON with jansson, field by field as BuildKit's dockerfile2llb fills it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imageconfig.h"

json_t *
ic_empty(const char *platform)
{
	const char *slash = strchr(platform, '/');
	char os[32];
	json_t *img;

	snprintf(os, sizeof(os), "%.*s", slash ? (int)(slash - platform) :
	    (int)strlen(platform), platform);
	img = json_pack("{s:s, s:s, s:{s:[s+], s:s}, s:{s:s, s:[]}}",
	    "architecture", slash ? slash + 1 : "amd64", "os", os,
	    "config", "Env", "PATH=", IC_DEFAULT_PATH, "WorkingDir", "/",
	    "rootfs", "type", "layers", "diff_ids");
	return img;
}

json_t *
ic_from_base(const json_t *base)
{
	json_t *img = json_deep_copy(base);

	if (img == NULL || !json_is_object(img)) {
		json_decref(img);
		return NULL;
	}
	json_object_del(img, "created");
	return img;
}

json_t *
ic_cfg(json_t *img)
{
	json_t *c = json_object_get(img, "config");

	if (json_is_object(c))
		return c;
	c = json_object();
	if (c == NULL || json_object_set_new(img, "config", c) < 0)
		return NULL;
	return c;
}

const char *
ic_get_str(json_t *img, const char *key)
{
	const char *s = json_string_value(json_object_get(ic_cfg(img), key));

	return s ? s : "";
}

int
ic_set_str(json_t *img, const char *key, const char *value)
{
	json_t *c = ic_cfg(img);

	if (c == NULL || json_object_set_new(c, key, json_string(value)) < 0)
		return -ENOMEM;
	return 0;
}

static json_t *
str_array(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
ic_set_strv(json_t *img, const char *key, char *const *v, size_t n)
{
	json_t *c = ic_cfg(img), *a = str_array(v, n);

	if (c == NULL || a == NULL || json_object_set_new(c, key, a) < 0)
		return -ENOMEM;
	return 0;
}

void
ic_del(json_t *img, const char *key)
{
	json_object_del(ic_cfg(img), key);
}

int
ic_map_set(json_t *img, const char *map, const char *key, const char *value)
{
	json_t *c = ic_cfg(img), *m;

	if (c == NULL)
		return -ENOMEM;
	m = json_object_get(c, map);
	if (!json_is_object(m)) {
		m = json_object();
		if (m == NULL || json_object_set_new(c, map, m) < 0)
			return -ENOMEM;
	}
	if (json_object_set_new(m, key, value ? json_string(value) : json_object()) < 0)
		return -ENOMEM;
	return 0;
}

static json_t *
env_array(json_t *img)
{
	json_t *c = ic_cfg(img), *e;

	if (c == NULL)
		return NULL;
	e = json_object_get(c, "Env");
	if (json_is_array(e))
		return e;
	e = json_array();
	if (e == NULL || json_object_set_new(c, "Env", e) < 0)
		return NULL;
	return e;
}

int
ic_env_set(json_t *img, const char *key, const char *value)
{
	json_t *env = env_array(img), *v;
	size_t klen = strlen(key), i;
	char *entry;
	int r;

	if (env == NULL || asprintf(&entry, "%s=%s", key, value) < 0)
		return -ENOMEM;
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && strncmp(s, key, klen) == 0 && (s[klen] == '=' || s[klen] == '\0'))
			break;
	}
	if (i < json_array_size(env))
		r = json_array_set_new(env, i, json_string(entry));
	else
		r = json_array_append_new(env, json_string(entry));
	free(entry);
	return r < 0 ? -ENOMEM : 0;
}

int
ic_env_load(json_t *img, struct vars *vs)
{
	json_t *env = env_array(img), *v;
	size_t i;

	if (env == NULL)
		return -ENOMEM;
	json_array_foreach(env, i, v)
		if (json_is_string(v) && vars_set_entry(vs, json_string_value(v)) < 0)
			return -ENOMEM;
	return 0;
}

int
ic_env_ensure_path(json_t *img)
{
	struct vars vs = { { NULL, 0 } };
	int r = ic_env_load(img, &vs);

	if (r == 0 && vars_get(&vs, "PATH") == NULL)
		r = ic_env_set(img, "PATH", IC_DEFAULT_PATH);
	vars_free(&vs);
	return r;
}

int
ic_history(json_t *img, const char *created_by, int empty_layer)
{
	json_t *h = json_object_get(img, "history"), *e;

	if (!json_is_array(h)) {
		h = json_array();
		if (h == NULL || json_object_set_new(img, "history", h) < 0)
			return -ENOMEM;
	}
	e = json_pack("{s:s, s:s}", "created_by", created_by, "comment",
	    IC_HISTORY_COMMENT);
	if (e == NULL)
		return -ENOMEM;
	if (empty_layer)
		json_object_set_new(e, "empty_layer", json_true());
	return json_array_append_new(h, e) < 0 ? -ENOMEM : 0;
}

int
ic_finish(json_t *img, long long now)
{
	char when[40];
	time_t t = (time_t)now;
	struct tm tm;
	json_t *h, *e;
	size_t i;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (json_object_set_new(img, "created", json_string(when)) < 0)
		return -ENOMEM;
	h = json_object_get(img, "history");
	json_array_foreach(h, i, e)
		if (json_object_get(e, "created") == NULL &&
		    json_object_set_new(e, "created", json_string(when)) < 0)
			return -ENOMEM;
	return 0;
}

int
ic_set_diff_ids(json_t *img, char *const *ids, size_t n)
{
	json_t *a = str_array(ids, n), *r;

	r = json_pack("{s:s, s:o}", "type", "layers", "diff_ids", a);
	if (a == NULL || r == NULL || json_object_set_new(img, "rootfs", r) < 0)
		return -ENOMEM;
	return 0;
}

char *
ic_dump(const json_t *img)
{
	return json_dumps(img, JSON_COMPACT);
}

/* Go's strconv.Quote for the bytes kiln meets in commands. */
static void
go_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static char *
go_list(char *const *v, size_t n, int quote)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		if (quote)
			go_quote(f, v[i]);
		else
			fputs(v[i], f);
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *
ic_go_quote_list(char *const *v, size_t n)
{
	return go_list(v, n, 1);
}

char *
ic_go_list(char *const *v, size_t n)
{
	return go_list(v, n, 0);
}
