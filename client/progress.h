/* progress.h: the client's view of a build's steps, shared by the plain, rawjson and tty renderers. */
#ifndef KILN_CLIENT_PROGRESS_H
#define KILN_CLIENT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include "build.h"

#define PROG_TAIL	6	/* output lines a running step shows on a tty */
#define PROG_LINE	256

enum pv_state { PV_NEW = 0, PV_STARTED, PV_CACHED, PV_DONE, PV_ERROR, PV_CANCELLED };

struct pvertex {
	uint64_t	 n;
	char		*name;
	enum pv_state	 state;
	int64_t		 started_ms, duration_ms;	/* build-relative */
	long long	 started_local;			/* util_now_ms() */
	char		*error;
	char		 partial[PROG_LINE];		/* a line not ended yet */
	size_t		 npartial;
	int		 announced;			/* plain: header printed */
	char		 tail[PROG_TAIL][PROG_LINE];	/* tty: the last lines */
	int		 ntail, tail_next;
};

struct progress {
	enum bopt_progress mode;
	FILE		*out;
	struct pvertex	*v;
	size_t		 nv;
	long long	 start_local;
	int		 drawn_lines;		/* tty: lines to go back over */
	int		 width;
	uint64_t	 last_plain;		/* plain: the step printed last */
};

struct pvertex *progress_vertex(struct progress *p, uint64_t n);

/* progress_tty.c */
void progress_tty_draw(struct progress *p, int final);
void progress_tty_line(struct pvertex *v, const char *line, size_t len);

/* progress_json.c */
void progress_json_event(struct progress *p, const struct ipc_msg *m);
void progress_json_done(struct progress *p, const char *summary, const char *error);
/* Writes s as a JSON string (quotes included); invalid UTF-8 becomes U+FFFD. */
void progress_json_str(FILE *out, const char *s, size_t len);

#endif
