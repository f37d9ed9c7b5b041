/* vars.c: ordered KEY=VALUE lists, replaced in place as Docker's addEnv does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vars.h"

static int
find(const struct vars *vs, const char *key, size_t klen)
{
	for (size_t i = 0; i < vs->kv.n; i++) {
		const char *e = vs->kv.v[i];

		if (strncmp(e, key, klen) == 0 && (e[klen] == '=' || e[klen] == '\0'))
			return (int)i;
	}
	return -1;
}

const char *
vars_get(const struct vars *vs, const char *key)
{
	size_t klen = strlen(key);
	int i = find(vs, key, klen);

	if (i < 0)
		return NULL;
	return vs->kv.v[i][klen] == '=' ? vs->kv.v[i] + klen + 1 : "";
}

static int
set(struct vars *vs, const char *key, size_t klen, const char *value)
{
	int i = find(vs, key, klen);
	char *e;

	if (asprintf(&e, "%.*s=%s", (int)klen, key, value) < 0)
		return -ENOMEM;
	if (i < 0)
		return strv_take(&vs->kv, e);
	free(vs->kv.v[i]);
	vs->kv.v[i] = e;
	return 0;
}

int
vars_set(struct vars *vs, const char *key, const char *value)
{
	return set(vs, key, strlen(key), value);
}

int
vars_set_entry(struct vars *vs, const char *entry)
{
	const char *eq = strchr(entry, '=');

	if (eq == NULL)
		return set(vs, entry, strlen(entry), "");
	return set(vs, entry, (size_t)(eq - entry), eq + 1);
}

int
vars_copy(struct vars *dst, const struct vars *src)
{
	for (size_t i = 0; i < src->kv.n; i++)
		if (vars_set_entry(dst, src->kv.v[i]) < 0)
			return -ENOMEM;
	return 0;
}

void
vars_free(struct vars *vs)
{
	strv_free(&vs->kv);
}

const char *
vars_lookup(const char *name, void *arg)
{
	return vars_get(arg, name);
}
