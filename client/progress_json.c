/* progress_json.c: --progress=rawjson, one JSON object per event and one for the end. */
#include <stdlib.h>
#include <string.h>
#include "progress.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned min;
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	if (n > left)
		return 0;
	unsigned cp = c & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
progress_json_str(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n == 0) {
			fputs("\xef\xbf\xbd", out);
			i++;
		} else if (n > 1) {
			fwrite(s + i, 1, n, out);
			i += n;
		} else {
			unsigned char c = s[i++];

			if (c == '"' || c == '\\')
				fprintf(out, "\\%c", c);
			else if (c == '\n')
				fputs("\\n", out);
			else if (c == '\t')
				fputs("\\t", out);
			else if (c == '\r')
				fputs("\\r", out);
			else if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void
key_str(FILE *out, const char *key, const char *s, size_t len)
{
	fprintf(out, ",\"%s\":", key);
	progress_json_str(out, s, len);
}

static void
json_vertex(FILE *out, struct ipc_rd *rd)
{
	struct ipc_rd in;
	const char *s;
	size_t len;
	uint64_t n, x;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_str(rd, &s, &len) < 0 ||
	    ipc_rd_array(rd, &in) < 0)
		return;
	fprintf(out, "{\"type\":\"vertex\",\"n\":%llu", (unsigned long long)n);
	key_str(out, "name", s, len);
	fputs(",\"inputs\":[", out);
	for (uint32_t i = 0; ipc_rd_u64(&in, &x) == 0; i++)
		fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)x);
	fputs("]}\n", out);
}

static void
json_status(FILE *out, struct ipc_rd *rd)
{
	const char *st, *err;
	size_t slen, elen;
	uint64_t n;
	int64_t t, d;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_str(rd, &st, &slen) < 0 ||
	    ipc_rd_i64(rd, &t) < 0 || ipc_rd_i64(rd, &d) < 0 ||
	    ipc_rd_str(rd, &err, &elen) < 0)
		return;
	fprintf(out, "{\"type\":\"status\",\"n\":%llu", (unsigned long long)n);
	key_str(out, "state", st, slen);
	fprintf(out, ",\"t_ms\":%lld,\"duration_ms\":%lld", (long long)t, (long long)d);
	if (elen)
		key_str(out, "error", err, elen);
	fputs("}\n", out);
}

static void
json_log(FILE *out, struct ipc_rd *rd)
{
	const char *s;
	size_t len;
	uint64_t n, stream;
	int64_t t;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_u64(rd, &stream) < 0 ||
	    ipc_rd_i64(rd, &t) < 0 || ipc_rd_str(rd, &s, &len) < 0)
		return;
	fprintf(out, "{\"type\":\"log\",\"n\":%llu,\"stream\":%llu,\"t_ms\":%lld",
	    (unsigned long long)n, (unsigned long long)stream, (long long)t);
	key_str(out, "data", s, len);
	fputs("}\n", out);
}

/* {"type":"progress","n":2,"id":"sha256:...","current":..,"total":..,
 *  "t_ms":..,"state":"downloading"} */
static void
json_progress(FILE *out, struct ipc_rd *rd)
{
	const char *id, *st;
	size_t idn, stn;
	uint64_t n, cur, total;
	int64_t t;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_str(rd, &id, &idn) < 0 ||
	    ipc_rd_u64(rd, &cur) < 0 || ipc_rd_u64(rd, &total) < 0 ||
	    ipc_rd_i64(rd, &t) < 0 || ipc_rd_str(rd, &st, &stn) < 0)
		return;
	fprintf(out, "{\"type\":\"progress\",\"n\":%llu", (unsigned long long)n);
	key_str(out, "id", id, idn);
	fprintf(out, ",\"current\":%llu,\"total\":%llu,\"t_ms\":%lld",
	    (unsigned long long)cur, (unsigned long long)total, (long long)t);
	key_str(out, "state", st, stn);
	fputs("}\n", out);
}

void
progress_json_event(struct progress *p, const struct ipc_msg *m)
{
	struct ipc_rd rd;
	const char *s;
	size_t len;

	if (ipc_rd_init(&rd, &m->body) < 0)
		return;
	switch (m->hdr.type) {
	case IPC_BUILD_VERTEX:
		json_vertex(p->out, &rd);
		break;
	case IPC_BUILD_STATUS:
		json_status(p->out, &rd);
		break;
	case IPC_BUILD_LOG:
		json_log(p->out, &rd);
		break;
	case IPC_BUILD_PROGRESS:
		json_progress(p->out, &rd);
		break;
	case IPC_BUILD_WARN:
		if (ipc_rd_str(&rd, &s, &len) == 0) {
			fputs("{\"type\":\"warning\"", p->out);
			key_str(p->out, "message", s, len);
			fputs("}\n", p->out);
		}
		break;
	}
	fflush(p->out);
}

void
progress_json_done(struct progress *p, const char *summary, const char *error)
{
	const char *what = error ? error : summary ? summary : "";

	fprintf(p->out, "{\"type\":\"%s\"", error ? "error" : "result");
	key_str(p->out, "message", what, strlen(what));
	fputs("}\n", p->out);
	fflush(p->out);
}
