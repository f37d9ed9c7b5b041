/* dockerignore.c: reads a .dockerignore as moby's ignorefile does: comments, blank lines, cleaned paths, ! exceptions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "util.h"

#define IGNORE_MAX_PATTERNS	4096

static void
trim(char **s)
{
	char *p = *s, *e;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' ||
	    *p == '\f')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n' || e[-1] == '\v' || e[-1] == '\f'))
		*--e = '\0';
	*s = p;
}

/* One line into a pattern, or NULL when it holds none. */
static char *
line_pattern(char *line, int first)
{
	int invert;
	char *out;

	if (first && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;	/* a UTF-8 byte order mark */
	if (line[0] == '#')
		return NULL;
	trim(&line);
	if (*line == '\0')
		return NULL;
	invert = line[0] == '!';
	if (invert) {
		line++;
		trim(&line);
	}
	if (*line) {
		util_path_clean(line);
		if (line[0] == '/' && line[1])
			line++;
	}
	if (asprintf(&out, "%s%s", invert ? "!" : "", line) < 0)
		return NULL;
	return out;
}

int
dockerignore_read(const char *path, char ***out, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, **pats = NULL, *p;
	size_t cap = 0, len = 0;
	int first = 1, r = 0;

	*out = NULL;
	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, f) >= 0) {
		if ((p = line_pattern(line, first)) == NULL) {
			first = 0;
			continue;
		}
		first = 0;
		if (len >= IGNORE_MAX_PATTERNS) {
			free(p);
			r = -E2BIG;
			break;
		}
		char **np = realloc(pats, (len + 1) * sizeof(*pats));
		if (np == NULL) {
			free(p);
			r = -ENOMEM;
			break;
		}
		pats = np;
		pats[len++] = p;
	}
	free(line);
	fclose(f);
	if (r < 0) {
		dockerignore_free(pats, len);
		return r;
	}
	*out = pats;
	*n = len;
	return 0;
}

void
dockerignore_free(char **pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pats[i]);
	free(pats);
}
