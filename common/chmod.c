/* chmod.c: COPY and ADD --chmod's modes: octal ("755") or symbolic ("u+x,g-w,o=r", "a+X", "g=u"), as chmod(1) reads them. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "chmod.h"

static int
octal(const char *s, struct chmod_spec *c)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 4)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v * 8 + (unsigned)(*s - '0');
	}
	c->n = 0;
	c->octal = 1;
	c->mode = (mode_t)v;
	return 0;
}

/* One clause: [ugoa]*[+-=]([rwxXst]*|[ugo]) */
static int
clause(const char **sp, struct chmod_clause *cl)
{
	const char *s = *sp;

	memset(cl, 0, sizeof(*cl));
	for (; strchr("ugoa", *s) && *s; s++)
		cl->who |= *s == 'u' ? 04700 : *s == 'g' ? 02070 : *s == 'o' ? 01007 : 07777;
	if (!cl->who)
		cl->who = 07777;	/* chmod(1) would apply the umask; BuildKit does not */
	if (*s != '+' && *s != '-' && *s != '=')
		return -EINVAL;
	cl->op = *s++;
	/* the copy form: the bits another class has */
	if (*s && strchr("ugo", *s) && (s[1] == '\0' || s[1] == ',')) {
		cl->copy = *s++;
		*sp = s;
		return 0;
	}
	for (; *s && *s != ','; s++) {
		switch (*s) {
		case 'r': cl->perm |= 0444; break;
		case 'w': cl->perm |= 0222; break;
		case 'x': cl->perm |= 0111; break;
		case 'X': cl->big_x = 1; break;
		case 's': cl->perm |= 06000; break;
		case 't': cl->perm |= 01000; break;
		default: return -EINVAL;
		}
	}
	*sp = s;
	return 0;
}

int
chmod_parse(const char *s, struct chmod_spec *c)
{
	memset(c, 0, sizeof(*c));
	if (*s >= '0' && *s <= '7')
		return octal(s, c);
	while (*s) {
		if (c->n == CHMOD_MAX_CLAUSES || clause(&s, &c->v[c->n++]) < 0)
			return -EINVAL;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return c->n ? 0 : -EINVAL;
}

mode_t
chmod_apply(const struct chmod_spec *c, mode_t old, int isdir)
{
	mode_t m = old & 07777;

	if (c->octal)
		return c->mode;
	for (size_t i = 0; i < c->n; i++) {
		const struct chmod_clause *cl = &c->v[i];
		mode_t perm = cl->perm;

		if (cl->copy) {
			mode_t b = (m >> (cl->copy == 'u' ? 6 : cl->copy == 'g' ? 3 : 0)) & 7;

			perm = b << 6 | b << 3 | b;
		}
		/* X: execute for directories and what some class may run */
		if (cl->big_x && (isdir || (m & 0111)))
			perm |= 0111;
		perm &= cl->who;
		if (cl->op == '+')
			m |= perm;
		else if (cl->op == '-')
			m &= ~perm;
		else
			m = (m & ~(cl->who & 07777)) | perm;
	}
	return m;
}
