/* job.h: the shared runs of vertices: one job per cache key however many builds want it, at most --max-parallelism at once. */
#ifndef KILN_SOLVERD_JOB_H
#define KILN_SOLVERD_JOB_H

#include <stdint.h>
#include "build.h"

struct jwatch {
	struct jwatch	*next;
	struct build	*b;
	struct vertex	*v;
};

enum job_state { J_QUEUED = 1, J_RUNNING, J_ENDED };

struct job {
	struct job	*next, *qnext;
	char		 key[GRAPH_KEY_MAX];
	struct build	*owner;		/* whose vertex defines the job (a ref) */
	struct vertex	*v;
	struct jwatch	*watchers;
	enum job_state	 state;
	int		 cancelled;	/* nobody wants it any more */
	long long	 t_start;
	void		*op;		/* job_exec.c's or job_file.c's */
};

/* A vertex of b, its inputs done, is to be run: joins the running job
 * of the same key or makes one. */
int job_attach(struct build *b, struct vertex *v);
/* b does not want v's job any more; the job ends when nobody does. */
void job_detach(struct build *b, struct vertex *v);
void job_set_parallelism(int n);
/* A helper's connection closed: the running steps that relied on it
 * (kiln-snapd's snapshots) are stopped and fail. */
void job_peer_lost(enum kiln_proc peer);
int job_parallelism(void);

/* for the runners */
struct helper *job_helper(const struct job *j);
const char *job_input_snap(const struct job *j, const struct vertex *in);
int job_ctx_fd(const struct job *j, int ctx);
const struct build_secret *job_secret(const struct job *j, const char *id);
void job_log(struct job *j, int stream, const char *data, size_t len);
/* Asks snapd to remove a step's snapshot; a refusal is logged. */
void job_snap_drop(struct helper *h, const char *id);
/* The job's end: every watcher learns it; the job is freed. */
void job_succeeded(struct job *j, const char *snap);
void job_failed(struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* job_exec.c (RUN), job_file.c (COPY, ADD, WORKDIR): start, or ask to
 * stop (the runner still ends with job_failed or job_succeeded) */
int jexec_start(struct job *j);
void jexec_cancel(struct job *j);
void jexec_snapd_lost(struct job *j);
int jfile_start(struct job *j);
void jfile_cancel(struct job *j);

#endif
