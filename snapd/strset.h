/* strset.h: a set of strings (open addressing), for the paths one layer or one copy touched. */
#ifndef KILN_SNAPD_STRSET_H
#define KILN_SNAPD_STRSET_H

#include <stddef.h>

struct strset {
	char	**slots;
	size_t	  cap, n;
};

/* 0 or -ENOMEM; adding what is there already is 0. */
int strset_add(struct strset *s, const char *str);
int strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif
