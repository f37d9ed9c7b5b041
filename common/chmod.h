/* chmod.h: COPY --chmod's and ADD --chmod's modes, parsed once and applied per file (snapd's copies, solverd's fetched files). */
#ifndef KILN_COMMON_CHMOD_H
#define KILN_COMMON_CHMOD_H

#include <stddef.h>
#include <sys/types.h>

#define CHMOD_MAX_CLAUSES	8
struct chmod_clause {
	mode_t	who, perm;
	int	op;		/* '+', '-', '=' */
	int	big_x;		/* X */
	int	copy;		/* 'u', 'g', 'o': the class's bits now (g=u), or 0 */
};
struct chmod_spec {
	int			octal;
	mode_t			mode;
	struct chmod_clause	v[CHMOD_MAX_CLAUSES];
	size_t			n;
};
/* "755", "0644", "u+x,go-w", "a=rX". -EINVAL */
int chmod_parse(const char *s, struct chmod_spec *c);
mode_t chmod_apply(const struct chmod_spec *c, mode_t old, int isdir);

#endif
