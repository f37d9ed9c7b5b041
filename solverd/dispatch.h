/* dispatch.h: what the instruction handlers (dispatch_*.c) share: the stage being dispatched and its helpers. */
#ifndef KILN_SOLVERD_DISPATCH_H
#define KILN_SOLVERD_DISPATCH_H

#include "frontend.h"
#include "imageconfig.h"

struct dctx {
	struct fe		*fe;
	struct fe_stage		*st;
	int			 si;		/* st's index */
	const struct df_instr	*in;
	int			 onbuild;	/* a trigger of the base */
};

/* "[stage-1 2/4] " + text (its first word in capitals), or text alone
 * in a stage that counts no steps. */
char *dispatch_step_name(struct dctx *d, const char *text);
/* A new vertex on top of the stage; it becomes the stage's top. */
struct vertex *dispatch_vertex(struct dctx *d, enum vop op, const char *text);
/* The source a --from or from= names: a stage's top (*v, *scratch when
 * that stage is the empty root), an image's vertex, or a --build-context
 * directory (*ctx). -EINVAL with the error set when it names nothing. */
int dispatch_source(struct dctx *d, const char *from, struct vertex **v,
    int *scratch, int *ctx);
/* The resolved image called ref, or NULL. */
const struct fe_image *dispatch_image(struct fe *fe, const char *ref);
/* The vertex of an image (one per image and build). */
struct vertex *dispatch_image_vertex(struct fe *fe, const struct fe_image *img);
/* Expanded --flag value, or NULL (*out) when not given. */
int dispatch_flag(struct dctx *d, const char *name, char **out);
/* layer: 0 (empty_layer), DH_LAYER, or DH_STEP (a RUN or COPY) */
#define DH_LAYER	1
#define DH_STEP		2
int dispatch_history(struct dctx *d, const char *created_by, int layer);
/* "uid[:gid]" as numbers: 0; with names, 1 and -1 ids: the spec goes to
 * the file step, which has snapd resolve it in its snapshot. */
int dispatch_user_ids(struct dctx *d, const char *spec, const char *what,
    int64_t *uid, int64_t *gid);
/* SHELL's shell, or /bin/sh -c (dispatch_meta.c). */
int dispatch_shell(struct dctx *d, struct strv *out);
/* Path helpers (Go's path package). */
char *dispatch_path_clean(const char *p);
char *dispatch_path_join(const char *dir, const char *p);

/* the handlers */
int dispatch_run(struct dctx *d);
int dispatch_copy(struct dctx *d);
int dispatch_workdir(struct dctx *d, const char *path, int commit);
int dispatch_meta(struct dctx *d);

#endif
