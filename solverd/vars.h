/* vars.h: an ordered KEY=VALUE list (an image's Env, a stage's build environment) and the lookup df_expand uses. */
#ifndef KILN_SOLVERD_VARS_H
#define KILN_SOLVERD_VARS_H

#include "strv.h"

/* kv.v[i] is "KEY=VALUE"; keys are unique and case-sensitive (Linux). */
struct vars {
	struct strv	kv;
};

/* The value, or NULL when unset. */
const char *vars_get(const struct vars *vs, const char *key);
/* Replaces the value in place, or appends. 0 or -ENOMEM. */
int vars_set(struct vars *vs, const char *key, const char *value);
/* "KEY=VALUE" or "KEY" (value "") entries, as Env is written. */
int vars_set_entry(struct vars *vs, const char *entry);
int vars_copy(struct vars *dst, const struct vars *src);
void vars_free(struct vars *vs);
/* df_lookup_fn over a struct vars */
const char *vars_lookup(const char *name, void *arg);

#endif
