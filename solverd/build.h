/* build.h: one build's life in kiln-solverd, from the BUILD request to its result, and the shared jobs that run its steps. */
#ifndef KILN_SOLVERD_BUILD_H
#define KILN_SOLVERD_BUILD_H

#include <stdint.h>
#include "frontend.h"
#include "helper.h"

#define BUILD_MAX_OUT	IPC_MAX_FDS
#define BUILD_ID_MAX	32
#define BUILD_SNAP_MAX	64
#define BUILD_SECRET_MAX (500 * 1024)

struct cache_state;
struct fwd_client;
struct job;

/* A vertex's state within one build (vertex->sched). */
enum bv_state { BV_NEW = 0, BV_LOOKUP, BV_INPUTS, BV_JOB, BV_DONE, BV_FAILED };

struct bvertex {
	enum bv_state	 state;
	int		 pending;	/* inputs not done yet */
	int		 cached, reported;
	char		 snap[BUILD_SNAP_MAX];
	struct job	*job;		/* while BV_JOB */
	long long	 started;	/* ms, build-relative */
};

struct build_secret {
	char	*id;
	char	*data;
	size_t	 len;
};

/* export_opts.c: an image's layer compression and media types */
struct export_opts {
	char	compression[8];	/* "gzip", "zstd", "none" (uncompressed) */
	int	level;		/* -1: the compressor's default */
	int	force;		/* recompress base layers too */
	int	oci;		/* OCI media types, else Docker v2 schema 2's */
};

struct build {
	struct build		*next;
	int			 refs;		/* the client's, and each job it owns */
	struct helper		*h;
	struct fwd_client	*client;	/* NULL once the answer went */
	uint32_t		 id;		/* the client's BUILD request id */
	char			 bid[BUILD_ID_MAX];
	long long		 t0;		/* util_now_ms() at the start */
	char			 df_digest[80];
	/* the request */
	char			*df_name;
	int			 ctx_fd;
	char			*outputs[BUILD_MAX_OUT];
	int			 out_fds[BUILD_MAX_OUT];
	int			 nout;
	struct strv		 tags;
	struct build_secret	*secrets;
	size_t			 nsecrets;
	int			 ctx_dir_fds[BUILD_MAX_OUT];
	/* the frontend */
	struct df_file		 df;
	int			 df_parsed;
	struct fe_opts		 opts;
	struct fe		 fe;
	int			 fe_ready;
	struct vertex		*target;	/* NULL: the empty root */
	/* progress */
	int			 pending;	/* async calls of the current phase */
	int			 failed, cancelled, finished;
	char			 error[2048];
	uint64_t		 steps, cached;
	/* the result */
	char			 image_digest[80], config_digest[80];
	/* snapshots it leased from snapd: kept from GC and prune until the
	 * answer went */
	struct strv		 leases;
	uint64_t		 image_size;	/* the manifest's bytes */
	int			 pull, push;	/* BUILD_PULL, BUILD_PUSH */
	struct export_opts	 img;		/* the image's options */
	struct cache_state	*cache;		/* --cache-to, --cache-from (cache.h) */
	uint64_t		 npulls;	/* pulls' steps: 1..npulls */
};

/* build_fetch.c: ADD of a URL, fetched (b->pending counts it) and hashed
 * into a->checksum before the keys are made. 0 or negative errno. */
int build_fetch(struct build *b, struct fact *a);
/* A step that runs after a 304 fetches the body into a->fd now (cb gets
 * the answer), and build_fetch_check makes sure it is the body the key
 * was made for: 0, or negative errno and why. */
int build_fetch_body(struct helper *h, struct fact *a, ipc_reply_fn cb, void *arg);
int build_fetch_check(struct fact *a, const struct ipc_msg *m, char *why, size_t size);

/* build.c */
int build_start(struct helper *h, struct fwd_client *c, struct ipc_msg *m);
/* BUILD_CANCEL, or the client left (id 0: all its builds). */
void build_cancel(struct fwd_client *c, uint32_t id, int client_gone);
void build_ref(struct build *b);
void build_unref(struct build *b);
/* Fails the build with the message (the first failure wins). */
void build_fail(struct build *b, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A checksum or a fetch that the keys wait for has answered (b->pending
 * counted down): the keys and the solve when it was the last. */
void build_sums_done(struct build *b);
/* The solver has the target's snapshot: export, answer. */
void build_solved(struct build *b);
long long build_ms(const struct build *b);
/* A lease of b's on a committed snapshot ("": none), dropped when b ends. */
void build_lease(struct build *b, const char *snap);

/* build_req.c: the BUILD body and fds into b, the Dockerfile's text into
 * *text (malloc'd). 0 or -errno, b->error set. */
int build_req_decode(struct build *b, struct ipc_msg *m, char **text, size_t *len);

/* build_walk.c: the target's vertices, from the cache or run by jobs */
int walk_start(struct build *b);
/* job.c tells the build one of its vertices is done (snap) or failed */
void walk_vertex_done(struct build *b, struct vertex *v, const char *snap, int cached);
void walk_vertex_failed(struct build *b, struct vertex *v, const char *error);
void walk_cancel(struct build *b);

/* progress.c: events to the client while it listens */
void progress_vertex(struct build *b, const struct vertex *v);
void progress_status(struct build *b, const struct vertex *v, const char *state,
    long long duration, const char *error);
void progress_log(struct build *b, const struct vertex *v, int stream,
    const char *data, size_t len);
void progress_warn(struct build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* the same for a step that is no vertex (a pull) */
void progress_vertex_n(struct build *b, uint64_t n, const char *name);
void progress_status_n(struct build *b, uint64_t n, const char *state,
    long long duration, const char *error);
/* BUILD_PROGRESS of a pull's blob */
void progress_pull(struct build *b, uint64_t n, const char *id, uint64_t current,
    uint64_t total, const char *state);

/* export.c: outputs and -t names, then build_finish() */
int export_start(struct build *b);
/* Calls of the export phase: each holds a reference and counts in
 * b->pending until export_returned. */
int export_call(struct build *b, uint16_t type, struct ipc_wr *w, int *fds, int nfds,
    ipc_reply_fn cb, void *arg);
void export_returned(struct build *b);

/* export_oci.c: the image's archives (--output type=oci, type=docker) and
 * its pushes (--push), once it is made */
/* "oci", "docker", "oci,name=REF" ... */
int export_is_archive(const char *output);
/* Whether the build must make an image even without -t names. */
int export_wants_image(const struct build *b);
/* SOURCE_DATE_EPOCH of the build args, or -1 */
int64_t export_epoch(const struct build *b);
/* Sends the IMAGE_EXPORT and IMAGE_PUSH calls for the image just made. */
void export_after_image(struct build *b);

void export_opts_default(struct export_opts *o);
/* "compression=zstd,oci-mediatypes=true,..." into o; -EINVAL and why. */
int export_opts_parse(const char *spec, struct export_opts *o, char *why, size_t size);
/* SNAP_DIFF's compression: "gzip", "zstd:3" ... */
void export_opts_compression(const struct export_opts *o, char *out, size_t size);

/* build_pull.c: IMAGE_PULL of a base image, then done */
typedef void (*build_pull_fn)(struct build *b, void *arg, int err, const char *why);
int build_pull(struct build *b, const char *ref, build_pull_fn done, void *arg);
void build_finish(struct build *b);

#endif
