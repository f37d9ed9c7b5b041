/* graph.h: a build's graph of operations (source, exec, file), what the frontend makes and the scheduler runs. */
#ifndef KILN_SOLVERD_GRAPH_H
#define KILN_SOLVERD_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "strv.h"

#define GRAPH_KEY_MAX	72	/* "sha256:" + 64 hex + NUL */

/*
 * A vertex's result is a committed snapshot: its parent's with the
 * vertex's changes on top. Every vertex reads its parent (NULL: the
 * empty root) and may read more: the sources of COPY --from and the
 * stages and images RUN --mount binds.
 */
enum vop {
	VOP_SOURCE = 1,		/* an image's top snapshot, resolved already */
	VOP_EXEC,		/* RUN */
	VOP_FILE,		/* COPY, ADD, WORKDIR, COPY <<EOF */
};

enum fact_kind { FA_COPY = 1, FA_MKFILE, FA_MKDIR, FA_FETCH };

/* One file action, applied in order to the vertex's snapshot. */
struct fact {
	enum fact_kind	 kind;
	char		*dest;		/* COPY: the destination; else the path */
	struct strv	 srcs;		/* COPY: relative to the source root */
	struct strv	 excludes;	/* COPY: .dockerignore and --exclude */
	struct vertex	*from;		/* COPY from a stage or image; NULL: a context */
	int		 ctx;		/* COPY from a context: -1 the main one, else a
					 * --build-context directory's index */
	int		 scratch;	/* COPY --from an empty stage: copies nothing */
	int64_t		 uid, gid;	/* -1: not given */
	char		*owner;		/* "user[:group]" with names: snapd looks
					 * them up in the snapshot (SNAP_USER) */
	char		*chmod;		/* "" keep */
	uint32_t	 flags;		/* SNAP_COPY_* */
	uint32_t	 mode;		/* MKFILE, MKDIR */
	char		*content;	/* MKFILE */
	size_t		 len;
	char		 checksum[GRAPH_KEY_MAX + 8];	/* COPY from a context; FETCH's
					 * body */
	/* FETCH (ADD of a URL, srcs.v[0]): fetched by kiln-netd when the
	 * build's keys are made (build.c), written by SNAP_MKFILE */
	char		*expect;	/* --checksum, "sha256:HEX"; NULL: none */
	char		*name;		/* the file's name when dest is a directory */
	int64_t		 mtime;		/* Last-Modified; -1: none */
	int		 fd;		/* the body (a memfd), -1 until fetched */
	int		 have_body;	/* fd holds it: not after a 304 */
};

enum vmount_type { VM_BIND = 1, VM_CACHE, VM_TMPFS, VM_SECRET };

struct vmount {
	enum vmount_type type;
	char		*target;
	char		*source;	/* bind: a path in from (or the context);
					 * cache: its id; secret: its id */
	struct vertex	*from;		/* bind, cache from a stage or image */
	int		 ctx;		/* bind from a context: -1 main, or index */
	int		 from_scratch;	/* from an empty stage */
	int		 readonly;
	uint64_t	 size;
	int64_t		 uid, gid, mode;
	char		*sharing;	/* cache: shared, private, locked */
	char		*seed;		/* cache from: the directory of from it
					 * starts with; NULL: empty */
	int		 required;	/* secret */
	char		*env;		/* secret: also as this variable */
};

struct vertex {
	enum vop	 op;
	unsigned	 n;		/* 1, 2 ... within its build, for progress */
	char		*name;		/* "[stage-1 2/4] RUN make" */
	int		 stage;
	int		 nocache;	/* --no-cache, --no-cache-filter */
	struct vertex	*parent;	/* NULL: the empty root */
	/* VOP_SOURCE */
	char		*ref, *digest, *snap;
	/* VOP_EXEC */
	struct strv	 argv, env;
	struct strv	 proxy_env;	/* passed, not part of the key */
	char		*cwd, *user, *network, *security;
	struct vmount	*mounts;
	size_t		 nmounts;
	/* VOP_FILE */
	struct fact	*acts;
	size_t		 nacts;
	/* computed by cachekey.c */
	char		 key[GRAPH_KEY_MAX];
	/* used by the build and the scheduler */
	int		 needed;
	void		*sched;
};

struct graph {
	struct vertex	**v;		/* in the order dispatch made them */
	size_t		  nv;
};

struct vertex *graph_add(struct graph *g, enum vop op);
struct fact *vertex_add_fact(struct vertex *v, enum fact_kind kind);
struct vmount *vertex_add_mount(struct vertex *v, enum vmount_type type);
/* The vertices v reads: parent, COPY --from and mount sources (at most
 * max); returns how many. */
size_t vertex_inputs(const struct vertex *v, const struct vertex **out, size_t max);
void graph_free(struct graph *g);

#endif
