/* progress.h: the client's view of a build's steps, shared by the plain, rawjson and tty renderers. */
#ifndef KILN_CLIENT_PROGRESS_H
#define KILN_CLIENT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include "build.h"

#define PROG_TAIL	6	/* output lines a running step shows on a tty */
#define PROG_LINE	256
#define PROG_BLOBS	8	/* a pull's blobs a tty shows */
#define PROG_PLAIN_MS	1000	/* plain: a blob's bytes at most this often */

enum pv_state { PV_NEW = 0, PV_STARTED, PV_CACHED, PV_DONE, PV_ERROR, PV_CANCELLED };

/* A blob of a pull (BUILD_PROGRESS) */
struct pblob {
	char		 id[80];
	uint64_t	 current, total;
	int64_t		 t_ms;		/* build-relative, the last event */
	int64_t		 printed_ms;	/* plain: when its last line went */
	int		 done;
};

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
	struct pblob	 blobs[PROG_BLOBS];		/* a pull's, the latest */
	int		 nblobs;
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

/* progress_blob.c: BUILD_PROGRESS into its vertex's blobs, and plain's
 * lines for it ("#2 sha256:0123abcd4567 10.49MB / 20.97MB 0.3s") */
void progress_blob_event(struct progress *p, struct ipc_rd *rd);
/* "sha256:0123abcd4567 10.49MB / 20.97MB", BuildKit's words */
void progress_blob_text(const struct pblob *b, char *buf, size_t size);

/* progress_json.c */
void progress_json_event(struct progress *p, const struct ipc_msg *m);
void progress_json_done(struct progress *p, const char *summary, const char *error);
/* Writes s as a JSON string (quotes included); invalid UTF-8 becomes U+FFFD. */
void progress_json_str(FILE *out, const char *s, size_t len);

#endif
