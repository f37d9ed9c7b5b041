/* copy_src.c: the source paths one COPY or ADD names, wildcards expanded under the source root, as Docker and BuildKit expand them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "copy.h"

#define SRC_MAX_MATCHES	100000

int
src_open(int root, const char *rel, int follow, int flags)
{
	char buf[PATH_MAX];
	const char *parent, *base;
	int pfd, fd;

	if (follow || !*rel)
		return fs_open_in_root(root, rel, flags);
	if (strlen(rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	fs_split(buf, &parent, &base);
	pfd = fs_open_in_root(root, parent, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, base, flags | O_NOFOLLOW | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	close(pfd);
	return fd;
}

static int
push(struct src_list *l, const char *s)
{
	size_t *k;
	char **v;

	if (l->n >= SRC_MAX_MATCHES)
		return -E2BIG;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	k = realloc(l->keep, (l->n + 1) * sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	l->keep = k;
	l->keep[l->n] = 0;
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -ENOMEM;
	l->n++;
	return 0;
}

void
src_list_free(struct src_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->keep);
	l->v = NULL;
	l->keep = NULL;
	l->n = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
join(char *out, size_t size, const char *a, const char *b)
{
	snprintf(out, size, "%s%s%s", a, *a ? "/" : "", b);
}

/* path and everything under it, symlinks not followed: what a "**"
 * component matches (any number of directories, none included). */
static int
glob_all(int root, const char *path, struct src_list *next)
{
	char sub[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = push(next, path), fd;

	if (r < 0 || (fd = src_open(root, path, 0, O_RDONLY | O_DIRECTORY)) < 0)
		return r;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		join(sub, sizeof(sub), path, e->d_name);
		r = glob_all(root, sub, next);
	}
	closedir(d);
	return r;
}

/* Every path under the prefixes in cur that one more component (comp)
 * matches, into next. */
static int
glob_step(int root, const struct src_list *cur, const char *comp, struct src_list *next)
{
	char path[PATH_MAX];
	int r = 0;

	for (size_t i = 0; r == 0 && i < cur->n; i++) {
		struct dirent *e;
		DIR *d;
		int fd;

		if (strcmp(comp, "**") == 0) {
			r = glob_all(root, cur->v[i], next);
			continue;
		}
		if (!pattern_has_magic(comp)) {
			join(path, sizeof(path), cur->v[i], comp);
			fd = src_open(root, path, 0, O_PATH);
			if (fd >= 0) {
				close(fd);
				r = push(next, path);
			}
			continue;
		}
		fd = src_open(root, cur->v[i], 1, O_RDONLY | O_DIRECTORY);
		if (fd < 0 || (d = fdopendir(fd)) == NULL) {
			if (fd >= 0)
				close(fd);
			continue;	/* not a directory: nothing under it */
		}
		while (r == 0 && (e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			    !pattern_match(comp, e->d_name))
				continue;
			join(path, sizeof(path), cur->v[i], e->d_name);
			r = push(next, path);
		}
		closedir(d);
	}
	return r;
}

static int
expand_glob(int root, const char *pat, const struct patterns *ex, struct src_list *out)
{
	struct src_list cur = { 0 }, next = { 0 };
	char buf[PATH_MAX], *save = NULL, *comp;
	int r = push(&cur, "");
	size_t first = out->n;

	snprintf(buf, sizeof(buf), "%s", pat);
	for (comp = strtok_r(buf, "/", &save); r == 0 && comp;
	    comp = strtok_r(NULL, "/", &save)) {
		r = glob_step(root, &cur, comp, &next);
		src_list_free(&cur);
		cur = next;
		memset(&next, 0, sizeof(next));
	}
	for (size_t i = 0; r == 0 && i < cur.n; i++)
		if (!ex || !patterns_excluded(ex, cur.v[i]))
			r = push(out, cur.v[i]);
	src_list_free(&cur);
	if (r == 0 && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_str);
	return r;
}

/* A source as Docker reads it, path.Clean("/" + src) without the slash:
 * relative to the source root, and a ../ never leaves it ("/a", "../a"
 * and "sub/../a" are all "a"). 0, or -ENAMETOOLONG. */
static int
src_clean(const char *src, char *out, size_t size)
{
	size_t o = 0;

	while (*src) {
		const char *c;
		size_t n;

		while (*src == '/')
			src++;
		c = src;
		while (*src && *src != '/')
			src++;
		n = (size_t)(src - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + n + 2 > size)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/* --parents keeps a source's path from its last "/./" on (rsync -R's
 * marker; a leading "./" is no marker): how many bytes of the clean path
 * come before that point. */
static size_t
src_pivot(const char *src)
{
	char pre[PATH_MAX], clean[PATH_MAX];
	const char *last = NULL;
	size_t n;

	for (const char *s = strstr(src, "/./"); s; s = strstr(s + 1, "/./"))
		last = s;
	if (last == NULL || (size_t)(last - src) >= sizeof(pre))
		return 0;
	snprintf(pre, sizeof(pre), "%.*s", (int)(last - src), src);
	if (src_clean(pre, clean, sizeof(clean)) < 0)
		return 0;
	n = strlen(clean);
	return n ? n + 1 : 0;
}

/* The entries from first on came from src: where --parents cuts them. */
static void
set_keep(struct src_list *l, size_t first, const char *src)
{
	size_t k = src_pivot(src);

	for (size_t i = first; i < l->n; i++)
		l->keep[i] = k < strlen(l->v[i]) ? k : 0;
}

int
src_expand(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    struct src_list *out, struct snap_err *err)
{
	return src_expand_in(root, "the build context", srcs, nsrcs, ex, out, err);
}

int
src_expand_in(int root, const char *where, char *const *srcs, size_t nsrcs,
    const struct patterns *ex, struct src_list *out, struct snap_err *err)
{
	char clean[PATH_MAX];
	int r = 0, fd;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; r == 0 && i < nsrcs; i++) {
		size_t first = out->n;

		if (src_clean(srcs[i], clean, sizeof(clean)) < 0) {
			r = snap_errf(err, -ENAMETOOLONG, "source '%s': name too long",
			    srcs[i]);
			break;
		}
		if (pattern_has_magic(clean)) {
			out->wildcard = 1;
			r = expand_glob(root, clean, ex, out);
			if (r < 0)
				r = snap_errf(err, r, "source '%s': %s", srcs[i], strerror(-r));
			set_keep(out, first, srcs[i]);
			continue;
		}
		if (*clean && ex && patterns_excluded(ex, clean)) {
			r = snap_errf(err, -ENOENT, "source '%s' not found: it is excluded "
			    "by .dockerignore", srcs[i]);
			break;
		}
		fd = src_open(root, clean, 0, O_PATH);
		if (fd < 0) {
			r = snap_errf(err, fd == -ENOENT ? -ENOENT : fd, "source '%s' not "
			    "found in %s%s%s", srcs[i], where, fd == -ENOENT ? "" :
			    ": ", fd == -ENOENT ? "" : strerror(-fd));
			break;
		}
		close(fd);
		if ((r = push(out, clean)) == 0)
			set_keep(out, first, srcs[i]);
	}
	if (r < 0)
		src_list_free(out);
	return r;
}
