/* error.c: the frontend's syntax errors: where, what was expected, the offending line, and their message. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

/* Line n of the file, without its line ending (and BOM), into buf. */
static void
err_source_line(const struct df_lexer *lx, unsigned n, char *buf, size_t size)
{
	const char *p = lx->text, *end = lx->text + lx->len, *nl;
	unsigned line = 1;
	size_t len;

	buf[0] = '\0';
	while (line < n && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return;
		p = nl + 1;
		line++;
	}
	if (line != n || p > end)
		return;
	if (n == 1 && end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	nl = memchr(p, '\n', (size_t)(end - p));
	len = (size_t)((nl ? nl : end) - p);
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
}

static int
err_vset(struct df_lexer *lx, struct df_pos pos, const char *fmt, va_list ap)
{
	struct df_error *e = lx->err;

	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", lx->name ? lx->name : "Dockerfile");
	e->pos = pos;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	err_source_line(lx, pos.line, e->line, sizeof(e->line));
	return -EINVAL;
}

int
df_err_at(struct df_lexer *lx, struct df_pos pos, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(lx, pos, fmt, ap);
	va_end(ap);
	return r;
}

int
df_err_src(struct df_lexer *lx, const struct df_src *src, size_t off,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(lx, df_src_pos(src, off), fmt, ap);
	va_end(ap);
	return r;
}

const char *
df_quote(const char *s, size_t n, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	if (size < 10)
		return "\"\"";
	buf[o++] = '"';
	/* room for one escaped byte (4), then "...", the quote and NUL (5) */
	for (i = 0; i < n && o + 9 < size; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			buf[o++] = '\\';
			buf[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/*
 * file:line:col: msg, then the line with its number and a caret under the
 * column (tabs kept, so the caret lines up). Without a position (errors of
 * df_expand_word the caller did not place), only "file: msg".
 */
char *
df_error_format(const struct df_error *err, char *buf, size_t size)
{
	char num[16], pad[512];
	size_t i, col;
	int w;

	if (size == 0)
		return buf;
	if (err->pos.line == 0) {
		snprintf(buf, size, "%s: %s", err->file[0] ? err->file : "Dockerfile",
		    err->msg);
		return buf;
	}
	w = snprintf(num, sizeof(num), "%u", err->pos.line);
	if (w < 4)
		w = 4;
	col = err->pos.col ? err->pos.col - 1 : 0;
	for (i = 0; i < col && i < sizeof(pad) - 1; i++)
		pad[i] = i < sizeof(err->line) && err->line[i] == '\t' ? '\t' : ' ';
	pad[i] = '\0';
	snprintf(buf, size, "%s:%u:%u: %s\n%*u | %s\n%*s | %s^",
	    err->file[0] ? err->file : "Dockerfile", err->pos.line, err->pos.col,
	    err->msg, w, err->pos.line, err->line, w, "", pad);
	return buf;
}
