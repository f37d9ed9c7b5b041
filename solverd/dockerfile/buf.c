/* buf.c: growable strings and arrays for the Dockerfile frontend, with a sticky out-of-memory flag. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int
df_isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int
df_istokspace(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int
buf_reserve(struct df_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->n + more + 1 <= b->cap)
		return 0;
	if (more > SIZE_MAX / 4 - b->n) {
		b->oom = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 32;
	while (cap < b->n + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
df_buf_add(struct df_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return;
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
df_buf_addc(struct df_buf *b, char c)
{
	df_buf_add(b, &c, 1);
}

void
df_buf_adds(struct df_buf *b, const char *s)
{
	df_buf_add(b, s, strlen(s));
}

char *
df_buf_take(struct df_buf *b)
{
	char *p;

	if (!b->oom)
		buf_reserve(b, 0);
	if (b->oom) {
		df_buf_free(b);
		return NULL;
	}
	p = b->p;
	p[b->n] = '\0';
	memset(b, 0, sizeof(*b));
	return p;
}

void
df_buf_free(struct df_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int
df_vec_grow(void *v, size_t *cap, size_t n, size_t elsize)
{
	void **vp = v;
	size_t ncap;
	void *p;

	if (n + 1 < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / elsize)
		return -ENOMEM;
	p = realloc(*vp, ncap * elsize);
	if (p == NULL)
		return -ENOMEM;
	/* zeroed, so a half-built array is always safe to free */
	memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
	*vp = p;
	*cap = ncap;
	return 0;
}

char *
df_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
