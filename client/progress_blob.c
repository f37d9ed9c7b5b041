/* progress_blob.c: a pull's per-blob progress (BUILD_PROGRESS) kept with its step, and its plain lines as BuildKit prints them. */
#include <stdio.h>
#include <string.h>
#include "progress.h"

/* go-units' HumanSize: four significant digits, powers of 1000 */
static void
human(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%.4g%s", v, units[u]);
}

void
progress_blob_text(const struct pblob *b, char *buf, size_t size)
{
	char cur[32], tot[32];
	const char *id = strncmp(b->id, "sha256:", 7) == 0 ? b->id + 7 : b->id;

	human(b->current, cur, sizeof(cur));
	human(b->total, tot, sizeof(tot));
	snprintf(buf, size, "sha256:%.12s %s / %s", id, cur, tot);
}

/* the vertex's record of blob id: a new one takes the oldest's place */
static struct pblob *
blob_of(struct pvertex *v, const char *id, size_t len)
{
	struct pblob *b;

	for (int i = 0; i < v->nblobs; i++)
		if (strlen(v->blobs[i].id) == len && memcmp(v->blobs[i].id, id, len) == 0)
			return &v->blobs[i];
	if (v->nblobs == PROG_BLOBS) {
		memmove(&v->blobs[0], &v->blobs[1], (PROG_BLOBS - 1) * sizeof(v->blobs[0]));
		v->nblobs--;
	}
	b = &v->blobs[v->nblobs++];
	memset(b, 0, sizeof(*b));
	b->printed_ms = -PROG_PLAIN_MS;
	snprintf(b->id, sizeof(b->id), "%.*s", (int)len, id);
	return b;
}

/* "#2 sha256:0123abcd4567 10.49MB / 20.97MB 0.3s done" */
static void
plain_blob(struct progress *p, struct pvertex *v, struct pblob *b, int present)
{
	char text[160];
	double sec = (double)(b->t_ms - v->started_ms) / 1000.0;

	if (!b->done && b->t_ms - b->printed_ms < PROG_PLAIN_MS)
		return;
	b->printed_ms = b->t_ms;
	progress_blob_text(b, text, sizeof(text));
	if (!v->announced) {
		v->announced = 1;
		fprintf(p->out, "\n#%llu %s\n", (unsigned long long)v->n, v->name ? v->name : "");
	}
	fprintf(p->out, "#%llu %s %.1fs%s\n", (unsigned long long)v->n, text,
	    sec < 0 ? 0 : sec, present ? " (already here)" : b->done ? " done" : "");
}

/* [u64 n, str id, u64 current, u64 total, i64 ms, str state] */
void
progress_blob_event(struct progress *p, struct ipc_rd *rd)
{
	struct pvertex *v;
	struct pblob *b;
	const char *id, *st;
	size_t idn, stn;
	uint64_t n, cur, total;
	int64_t t;
	int present;

	if (ipc_rd_u64(rd, &n) < 0 || ipc_rd_str(rd, &id, &idn) < 0 ||
	    ipc_rd_u64(rd, &cur) < 0 || ipc_rd_u64(rd, &total) < 0 ||
	    ipc_rd_i64(rd, &t) < 0 || ipc_rd_str(rd, &st, &stn) < 0 ||
	    (v = progress_vertex(p, n)) == NULL)
		return;
	b = blob_of(v, id, idn);
	b->current = cur;
	b->total = total;
	b->t_ms = t;
	present = stn == 7 && memcmp(st, "present", 7) == 0;
	b->done = present || (stn == 4 && memcmp(st, "done", 4) == 0);
	if (p->mode == PROG_PLAIN)
		plain_blob(p, v, b, present);
}
