/* strset.c: a set of strings with open addressing and FNV-1a hashing. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strset.h"

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static size_t
find(char **slots, size_t cap, const char *str)
{
	size_t i = (size_t)hash(str) & (cap - 1);

	while (slots[i] && strcmp(slots[i], str) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static int
grow(struct strset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			slots[find(slots, cap, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int
strset_add(struct strset *s, const char *str)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -ENOMEM;
	i = find(s->slots, s->cap, str);
	if (s->slots[i])
		return 0;
	if ((s->slots[i] = strdup(str)) == NULL)
		return -ENOMEM;
	s->n++;
	return 0;
}

int
strset_has(const struct strset *s, const char *str)
{
	return s->cap && s->slots[find(s->slots, s->cap, str)] != NULL;
}

void
strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	s->slots = NULL;
	s->cap = s->n = 0;
}
