/* health.c: HEALTHCHECK NONE | [--interval ...] CMD, and Go's duration syntax its options use. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

static const struct {
	const char	*name;
	long long	 ns;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
	{ "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL },
	{ "h", 3600000000000LL },
};

static long long
duration_unit(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (strlen(units[k].name) == n && memcmp(units[k].name, s, n) == 0)
			return units[k].ns;
	return 0;
}

/* One "1.5h" element of a duration: its nanoseconds added to *total. */
static int
duration_elem(const char **sp, unsigned long long *total)
{
	const char *s = *sp, *u;
	unsigned long long v = 0;
	double frac = 0, scale = 1;
	int digits = 0;
	long long unit;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (scale < 1e18) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
	if (digits == 0)
		return -EINVAL;
	for (u = s; *s && *s != '.' && !(*s >= '0' && *s <= '9'); s++)
		;
	if ((unit = duration_unit(u, (size_t)(s - u))) == 0)
		return -EINVAL;
	if (v > (unsigned long long)INT64_MAX / (unsigned long long)unit)
		return -ERANGE;
	v = v * (unsigned long long)unit + (unsigned long long)(frac * ((double)unit / scale));
	if (v > (unsigned long long)INT64_MAX - *total)
		return -ERANGE;
	*total += v;
	*sp = s;
	return 0;
}

int
df_duration_parse(const char *s, long long *ns)
{
	unsigned long long total = 0;
	int neg = 0, r;

	*ns = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0)
		return 0;
	if (*s == '\0')
		return -EINVAL;
	while (*s)
		if ((r = duration_elem(&s, &total)) < 0)
			return r;
	*ns = neg ? -(long long)total : (long long)total;
	return 0;
}

static int
health_value(struct df_lexer *lx, const struct df_flag *f)
{
	long long v;
	char *end;

	if (strcmp(f->name, "retries") == 0) {
		errno = 0;
		v = strtoll(f->value, &end, 10);
		if (f->value[0] == '\0' || *end || errno || v > INT32_MAX || v < INT32_MIN ||
		    f->value[0] == ' ' || f->value[0] == '\t')
			return df_err_at(lx, f->pos,
			    "invalid value \"%s\" for --retries (expected a whole number)",
			    f->value);
		if (v < 0)
			return df_err_at(lx, f->pos, "--retries cannot be negative (%lld)", v);
		return 0;
	}
	if (df_duration_parse(f->value, &v) < 0)
		return df_err_at(lx, f->pos,
		    "time: invalid duration \"%s\" (expected a number and a unit: ns, us, ms, s, m or h, like 30s or 1m30s)",
		    f->value);
	if (v != 0 && v < 1000000)
		return df_err_at(lx, f->pos, "Interval \"%s\" cannot be less than 1ms",
		    f->name);
	return 0;
}

int
df_health_parse(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in)
{
	const char *t = src->text;
	size_t sep, next, k;
	int r;

	if (off >= end)
		return df_err_at(lx, in->pos, "HEALTHCHECK requires at least one argument");
	for (sep = off; sep < end && !df_isspace((unsigned char)t[sep]); sep++)
		;
	for (next = sep; next < end && df_isspace((unsigned char)t[next]); next++)
		;
	if (sep - off == 4 && strncasecmp(t + off, "NONE", 4) == 0) {
		if (next < end)
			return df_err_src(lx, src, next, "HEALTHCHECK NONE takes no arguments");
		in->health_none = 1;
		return 0;
	}
	if (!(sep - off == 3 && strncasecmp(t + off, "CMD", 3) == 0)) {
		char typ[68];

		for (k = 0; k < sep - off && k < 64; k++)
			typ[k] = (char)(t[off + k] >= 'a' && t[off + k] <= 'z' ?
			    t[off + k] - 0x20 : t[off + k]);
		typ[k] = '\0';
		return df_err_src(lx, src, off,
		    "Unknown type \"%s\" in HEALTHCHECK (try CMD, or NONE)", typ);
	}
	if ((r = df_args_cmdline(lx, src, next, end, in)) < 0)
		return r;
	if (in->nargs == 0)
		return df_err_src(lx, src, off, "Missing command after HEALTHCHECK CMD");
	for (k = 0; k < in->nflags; k++)
		if ((r = health_value(lx, &in->flags[k])) < 0)
			return r;
	return 0;
}
