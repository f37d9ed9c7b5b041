/* pattern.h: .dockerignore and COPY source patterns (Go filepath.Match, **, ! exceptions, last match wins). */
#ifndef KILN_SNAPD_PATTERN_H
#define KILN_SNAPD_PATTERN_H

#include <stddef.h>

/*
 * Syntax, as Docker and BuildKit have it: '*' any run of characters but
 * '/', '?' one character but '/', '[a-z]' '[^a-z]' a class, '\' quotes the
 * next character, '**' any run including '/' ("**" + "/" may match no
 * directory at all). A pattern matches a path when it matches the whole
 * path, or, in an exclude list, one of its parent directories.
 */
int pattern_match(const char *pattern, const char *path);
/* Whether s has any of * ? [ \ (a source to expand, not a literal). */
int pattern_has_magic(const char *s);

struct pattern {
	char	*pat;		/* cleaned: no leading "/", "./", no ".." */
	int	 negate;	/* "!pattern": an exception */
};
struct patterns {
	struct pattern	*v;
	size_t		 n;
	int		 has_negate;
};
/* Blank lines and "#" comments are skipped, as in .dockerignore. */
int patterns_init(struct patterns *ps, char *const *pats, size_t n);
void patterns_free(struct patterns *ps);
/* The last pattern matching path (or a parent of it) decides. */
int patterns_excluded(const struct patterns *ps, const char *path);

#endif
