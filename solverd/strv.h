/* strv.h: growable NULL-terminated string vectors, solverd's common currency. */
#ifndef KILN_SOLVERD_STRV_H
#define KILN_SOLVERD_STRV_H

#include <stddef.h>

struct strv {
	char	**v;	/* NULL-terminated once anything was added */
	size_t	  n;
};

/* Appends a copy of s (strv_add) or s itself (strv_take, which frees s
 * on failure). 0 or -ENOMEM. */
int strv_add(struct strv *sv, const char *s);
int strv_take(struct strv *sv, char *s);
int strv_addf(struct strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int strv_copy(struct strv *dst, const struct strv *src);
/* -1 when absent */
int strv_index(const struct strv *sv, const char *s);
void strv_free(struct strv *sv);

#endif
