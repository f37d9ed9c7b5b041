/* progress_tty.c: --progress=tty, BuildKit's live view: steps with timers, the last lines of running ones, redrawn in place. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "progress.h"
#include "util.h"

void
progress_tty_line(struct pvertex *v, const char *line, size_t len)
{
	char *dst = v->tail[v->tail_next];
	size_t j = 0;

	/* control characters would move the cursor under our feet */
	for (size_t i = 0; i < len && j < PROG_LINE - 1; i++)
		dst[j++] = (unsigned char)line[i] < 0x20 ? ' ' : line[i];
	dst[j] = '\0';
	v->tail_next = (v->tail_next + 1) % PROG_TAIL;
	if (v->ntail < PROG_TAIL)
		v->ntail++;
}

static void
term_size(struct progress *p, int *rows)
{
	struct winsize ws;

	p->width = 80;
	*rows = 24;
	if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) {
		p->width = ws.ws_col;
		*rows = ws.ws_row > 4 ? ws.ws_row : 4;
	}
}

static double
seconds(const struct progress *p, const struct pvertex *v, long long now)
{
	if (v->state == PV_STARTED)
		return (double)(now - v->started_local) / 1000.0;
	return (double)v->duration_ms / 1000.0;
}

/* One line, cut to the terminal's width, with the time at the right. */
static int
draw_vertex(struct progress *p, const struct pvertex *v, long long now)
{
	static const char *const tag[] = { "", "", "CACHED ", "", "ERROR ", "CANCELED " };
	char left[PROG_LINE * 2], right[32];
	int room;

	snprintf(left, sizeof(left), " => %s%s", tag[v->state], v->name ? v->name : "");
	if (v->state == PV_CACHED || v->state == PV_NEW)
		right[0] = '\0';
	else
		snprintf(right, sizeof(right), "%.1fs", seconds(p, v, now));
	room = p->width - 1 - (int)strlen(right) - 1;
	if ((int)strlen(left) > room)
		left[room > 0 ? room : 0] = '\0';
	fprintf(p->out, "%-*s %s\n", room, left, right);
	return 1;
}

static int
draw_tail(struct progress *p, const struct pvertex *v)
{
	int first = (v->tail_next - v->ntail + PROG_TAIL) % PROG_TAIL;

	for (int i = 0; i < v->ntail; i++)
		fprintf(p->out, "\033[2m => => # %.*s\033[0m\n", p->width - 12,
		    v->tail[(first + i) % PROG_TAIL]);
	return v->ntail;
}

/* a pull's blobs: " => => sha256:0123abcd4567 10.49MB / 20.97MB 0.3s done" */
static int
draw_blobs(struct progress *p, const struct pvertex *v)
{
	char text[160];

	for (int i = 0; i < v->nblobs; i++) {
		const struct pblob *b = &v->blobs[i];

		progress_blob_text(b, text, sizeof(text));
		fprintf(p->out, " => => %.*s %.1fs%s\n", p->width - 20, text,
		    (double)(b->t_ms - v->started_ms) / 1000.0, b->done ? " done" : "");
	}
	return v->nblobs;
}

static int
lines_of(const struct pvertex *v)
{
	return 1 + (v->state == PV_STARTED ? v->ntail + v->nblobs : 0);
}

void
progress_tty_draw(struct progress *p, int final)
{
	long long now = util_now_ms();
	size_t done = 0, from = 0;
	int rows, lines = 0, budget;

	term_size(p, &rows);
	for (size_t i = 0; i < p->nv; i++)
		done += p->v[i].state >= PV_CACHED;
	/* the newest steps when they do not all fit */
	budget = rows - 2;
	for (size_t i = p->nv; i > 0; i--) {
		if (lines + lines_of(&p->v[i - 1]) > budget) {
			from = i;
			break;
		}
		lines += lines_of(&p->v[i - 1]);
	}
	if (p->drawn_lines)
		fprintf(p->out, "\033[%dA", p->drawn_lines);
	fputs("\033[J", p->out);
	fprintf(p->out, "[+] Building %.1fs (%zu/%zu)%s\n",
	    (double)(now - p->start_local) / 1000.0, done, p->nv,
	    final ? " FINISHED" : "");
	lines = 1;
	for (size_t i = from; i < p->nv; i++) {
		if (p->v[i].state == PV_NEW)
			continue;
		lines += draw_vertex(p, &p->v[i], now);
		if (p->v[i].state == PV_STARTED)
			lines += draw_blobs(p, &p->v[i]);
		if (p->v[i].state == PV_STARTED || (final && p->v[i].state == PV_ERROR))
			lines += draw_tail(p, &p->v[i]);
	}
	p->drawn_lines = final ? 0 : lines;
	fflush(p->out);
}
