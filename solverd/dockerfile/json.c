/* json.c: the exec form's JSON array of strings, with Go's encoding/json rules (a line that is not JSON is the shell form). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* deeper than this is not JSON to us (Go allows 10000; we stay bounded) */
#define JS_MAX_DEPTH	200

struct js {
	const char	*s;
	size_t		 n, i;
	int		 nul;		/* a \u0000 was decoded */
};

static int
js_peek(const struct js *j)
{
	return j->i < j->n ? (unsigned char)j->s[j->i] : -1;
}

static void
js_ws(struct js *j)
{
	int c;

	while ((c = js_peek(j)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		j->i++;
}

static void
utf8_put(struct df_buf *b, unsigned long r)
{
	char u[4];

	if (r < 0x80) {
		df_buf_addc(b, (char)r);
		return;
	}
	if (r < 0x800) {
		u[0] = (char)(0xc0 | r >> 6);
		u[1] = (char)(0x80 | (r & 0x3f));
		df_buf_add(b, u, 2);
	} else if (r < 0x10000) {
		u[0] = (char)(0xe0 | r >> 12);
		u[1] = (char)(0x80 | (r >> 6 & 0x3f));
		u[2] = (char)(0x80 | (r & 0x3f));
		df_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | r >> 18);
		u[1] = (char)(0x80 | (r >> 12 & 0x3f));
		u[2] = (char)(0x80 | (r >> 6 & 0x3f));
		u[3] = (char)(0x80 | (r & 0x3f));
		df_buf_add(b, u, 4);
	}
}

/* Length of the valid UTF-8 sequence at s, or 0 (Go then writes U+FFFD
 * for that one byte). */
static size_t
utf8_valid(const unsigned char *s, size_t n)
{
	size_t len, k;
	unsigned long r;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	r = s[0] & (0x3f >> (len - 1));
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && r < 0x800) || (len == 4 && r < 0x10000) ||
	    (r >= 0xd800 && r <= 0xdfff) || r > 0x10ffff)
		return 0;
	return len;
}

static int
js_hex4(struct js *j, unsigned long *v)
{
	int k, c;

	*v = 0;
	for (k = 0; k < 4; k++) {
		c = js_peek(j);
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (unsigned long)c;
		j->i++;
	}
	return 0;
}

static int
js_unicode(struct js *j, struct df_buf *out)
{
	unsigned long r, lo;
	size_t save;

	if (js_hex4(j, &r) < 0)
		return -1;
	if (r >= 0xd800 && r < 0xdc00) {
		/* a surrogate pair, or U+FFFD for a lone one */
		save = j->i;
		if (j->i + 1 < j->n && j->s[j->i] == '\\' && j->s[j->i + 1] == 'u') {
			j->i += 2;
			if (js_hex4(j, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				r = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
				goto put;
			}
		}
		j->i = save;
		r = 0xfffd;
	} else if (r >= 0xdc00 && r < 0xe000) {
		r = 0xfffd;
	}
put:
	if (r == 0)
		j->nul = 1;
	if (out)
		utf8_put(out, r);
	return 0;
}

static int
js_escape(struct js *j, struct df_buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	int c = js_peek(j);

	if (c == 'u') {
		j->i++;
		return js_unicode(j, out);
	}
	if (c <= 0 || (p = strchr(from, c)) == NULL)
		return -1;
	j->i++;
	if (out)
		df_buf_addc(out, to[p - from]);
	return 0;
}

/* A string (j at its opening quote), decoded into out when out is set. */
static int
js_string(struct js *j, struct df_buf *out)
{
	const unsigned char *u;
	size_t len;
	int c;

	j->i++;
	for (;;) {
		c = js_peek(j);
		if (c < 0x20)
			return -1;	/* the end, or a control character */
		if (c == '"') {
			j->i++;
			return 0;
		}
		if (c == '\\') {
			j->i++;
			if (js_escape(j, out) < 0)
				return -1;
			continue;
		}
		if (c < 0x80) {
			if (out)
				df_buf_addc(out, (char)c);
			j->i++;
			continue;
		}
		u = (const unsigned char *)j->s + j->i;
		len = utf8_valid(u, j->n - j->i);
		if (out) {
			if (len)
				df_buf_add(out, (const char *)u, len);
			else
				df_buf_add(out, "\xef\xbf\xbd", 3);
		}
		j->i += len ? len : 1;
	}
}

static int
js_digits(struct js *j)
{
	size_t start = j->i;
	int c;

	while ((c = js_peek(j)) >= '0' && c <= '9')
		j->i++;
	return j->i > start ? 0 : -1;
}

static int
js_number(struct js *j)
{
	int c;

	if (js_peek(j) == '-')
		j->i++;
	if (js_peek(j) == '0')
		j->i++;
	else if (js_digits(j) < 0)
		return -1;
	if (js_peek(j) == '.') {
		j->i++;
		if (js_digits(j) < 0)
			return -1;
	}
	if ((c = js_peek(j)) == 'e' || c == 'E') {
		j->i++;
		if ((c = js_peek(j)) == '+' || c == '-')
			j->i++;
		if (js_digits(j) < 0)
			return -1;
	}
	return 0;
}

static int
js_word(struct js *j, const char *w)
{
	size_t n = strlen(w);

	if (j->n - j->i < n || memcmp(j->s + j->i, w, n) != 0)
		return -1;
	j->i += n;
	return 0;
}

static int js_value(struct js *j, int depth);

/* [ ... ] or { ... }: j at the opening bracket */
static int
js_container(struct js *j, int depth)
{
	int obj = js_peek(j) == '{', close = obj ? '}' : ']';

	if (depth >= JS_MAX_DEPTH)
		return -1;
	j->i++;
	js_ws(j);
	if (js_peek(j) == close) {
		j->i++;
		return 0;
	}
	for (;;) {
		js_ws(j);
		if (obj) {
			if (js_peek(j) != '"' || js_string(j, NULL) < 0)
				return -1;
			js_ws(j);
			if (js_peek(j) != ':')
				return -1;
			j->i++;
			js_ws(j);
		}
		if (js_value(j, depth + 1) < 0)
			return -1;
		js_ws(j);
		if (js_peek(j) == close) {
			j->i++;
			return 0;
		}
		if (js_peek(j) != ',')
			return -1;
		j->i++;
	}
}

static int
js_value(struct js *j, int depth)
{
	switch (js_peek(j)) {
	case '"':
		return js_string(j, NULL);
	case '[':
	case '{':
		return js_container(j, depth);
	case 't':
		return js_word(j, "true");
	case 'f':
		return js_word(j, "false");
	case 'n':
		return js_word(j, "null");
	default:
		return js_number(j);
	}
}

static int
js_push(char ***v, size_t *n, size_t *cap, struct df_buf *b)
{
	char *s;

	if (df_vec_grow(v, cap, *n, sizeof(**v)) < 0)
		return -ENOMEM;
	if ((s = df_buf_take(b)) == NULL)
		return -ENOMEM;
	(*v)[(*n)++] = s;
	return 0;
}

static void
js_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* The elements of the top array: strings kept, others only checked. */
static int
js_elements(struct js *j, char ***v, size_t *n, size_t *cap, size_t *other)
{
	struct df_buf b = { 0 };
	size_t at;
	int r;

	js_ws(j);
	if (js_peek(j) == ']')
		return 0;
	for (;;) {
		js_ws(j);
		at = j->i;
		if (js_peek(j) == '"') {
			if (js_string(j, &b) < 0)
				goto bad;
			if ((r = js_push(v, n, cap, &b)) < 0) {
				df_buf_free(&b);
				return r;
			}
		} else {
			if (js_value(j, 1) < 0)
				goto bad;
			if (*other == (size_t)-1)
				*other = at;
		}
		js_ws(j);
		if (js_peek(j) == ']')
			return 0;
		if (js_peek(j) != ',')
			goto bad;
		j->i++;
	}
bad:
	df_buf_free(&b);
	return 1;
}

int
df_json_array(const char *text, size_t len, char ***out, size_t *n,
    size_t *bad)
{
	struct js j = { text, len, 0, 0 };
	size_t cap = 0, other = (size_t)-1;
	char **v = NULL;
	int r;

	*out = NULL;
	*n = 0;
	js_ws(&j);
	if (js_peek(&j) != '[') {
		*bad = j.i;
		return 0;
	}
	j.i++;
	r = js_elements(&j, &v, n, &cap, &other);
	if (r < 0)
		goto fail;
	if (r == 0) {
		j.i++;
		js_ws(&j);
	}
	if (r > 0 || j.i != j.n) {
		*bad = j.i;
		r = 0;
		goto fail;
	}
	if (other != (size_t)-1 || j.nul) {
		*bad = other != (size_t)-1 ? other : 0;
		r = other != (size_t)-1 ? -EINVAL : -EILSEQ;
		goto fail;
	}
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		return -ENOMEM;
	*out = v;
	return 1;
fail:
	js_free(v, *n);
	*n = 0;
	return r;
}
