/* duration.c: parses and prints durations exactly as Go's time package does. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "duration.h"

static const struct unit {
	const char	*name;
	int64_t		 ns;
} units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
	{ "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL },
	{ "h", 3600000000000LL },
};

static const struct unit *
unit_at(const char **s)
{
	const struct unit *best = NULL;
	size_t blen = 0;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (strncmp(*s, units[i].name, n) == 0 && n > blen) {
			best = &units[i];
			blen = n;
		}
	}
	*s += blen;
	return best;
}

int
duration_parse(const char *s, int64_t *ns)
{
	int neg = 0;
	double total = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return -EINVAL;
	while (*s) {
		double v = 0, scale = 1;
		const struct unit *u;
		int digits = 0;

		for (; isdigit((unsigned char)*s); s++, digits++)
			v = v * 10 + (*s - '0');
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++, digits++)
				v += (*s - '0') * (scale /= 10);
		if (digits == 0 || (u = unit_at(&s)) == NULL)
			return -EINVAL;
		total += v * (double)u->ns;
	}
	if (total > 9.2e18)
		return -EINVAL;
	*ns = (int64_t)(neg ? -total : total);
	return 0;
}

/* v/10^prec with trailing zeros of the fraction dropped */
static int
put_frac(char *buf, size_t size, uint64_t v, int prec)
{
	char frac[24];
	uint64_t p = 1;
	int n;

	for (int i = 0; i < prec; i++)
		p *= 10;
	n = snprintf(frac, sizeof(frac), "%0*llu", prec, (unsigned long long)(v % p));
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n == 0)
		return snprintf(buf, size, "%llu", (unsigned long long)(v / p));
	return snprintf(buf, size, "%llu.%s", (unsigned long long)(v / p), frac);
}

char *
duration_format(int64_t ns, char *buf, size_t size)
{
	uint64_t u = ns < 0 ? (uint64_t)-ns : (uint64_t)ns, sec, h, m;
	size_t o = 0;

	if (ns == 0) {
		snprintf(buf, size, "0s");
		return buf;
	}
	if (ns < 0)
		o += (size_t)snprintf(buf, size, "-");
	if (u < 1000) {
		snprintf(buf + o, size - o, "%lluns", (unsigned long long)u);
	} else if (u < 1000000) {
		o += (size_t)put_frac(buf + o, size - o, u, 3);
		snprintf(buf + o, size - o, "\xc2\xb5s");
	} else if (u < 1000000000ULL) {
		o += (size_t)put_frac(buf + o, size - o, u, 6);
		snprintf(buf + o, size - o, "ms");
	} else {
		sec = u / 1000000000ULL;
		h = sec / 3600;
		m = (sec / 60) % 60;
		if (h)
			o += (size_t)snprintf(buf + o, size - o, "%lluh", (unsigned long long)h);
		if (h || m)
			o += (size_t)snprintf(buf + o, size - o, "%llum", (unsigned long long)m);
		o += (size_t)put_frac(buf + o, size - o, u % 60000000000ULL, 9);
		snprintf(buf + o, size - o, "s");
	}
	return buf;
}
