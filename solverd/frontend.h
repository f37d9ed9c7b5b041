/* frontend.h: the Dockerfile frontend's semantics: stages, ARG/ENV scoping, expansion, the graph and the image config (no I/O). */
#ifndef KILN_SOLVERD_FRONTEND_H
#define KILN_SOLVERD_FRONTEND_H

#include <jansson.h>
#include "dockerfile/dockerfile.h"
#include "graph.h"
#include "vars.h"

/*
 * Two passes, so that a build can resolve its base images in between:
 *   fe_prepare()  stages, global ARGs, the FROM names, the target and the
 *                 stages it needs; fe->need lists the images to resolve;
 *   fe_dispatch() given those images, every needed instruction becomes
 *                 vertices of g and changes to its stage's image config.
 * fe_dispatch() returns -EAGAIN with more names in fe->need when ONBUILD
 * triggers of a resolved image name more images: resolve them and call
 * it again.
 */

/* What the build gives the frontend. */
struct fe_opts {
	const char	*target;	/* NULL or "": the last stage */
	struct vars	 build_args;	/* --build-arg */
	struct strv	 nocache_filter;
	int		 no_cache;
	struct strv	 ignore;	/* .dockerignore patterns */
	struct strv	 secrets;	/* --secret ids given */
	struct strv	 ctx_dirs;	/* --build-context NAME=DIR names, in order */
	struct vars	 ctx_images;	/* --build-context NAME=docker-image://REF */
	const char	*platform;	/* "linux/amd64", the daemon's */
	const char	*file;		/* the Dockerfile's name, for errors */
	long long	 now;		/* unix seconds, for created */
};

/* A resolved image (IMAGE_RESOLVED). */
struct fe_image {
	char		*ref;		/* as fe->need named it */
	char		*digest;	/* manifest */
	char		*snap;		/* top snapshot ("": no layers) */
	json_t		*config;	/* the parsed config JSON */
};

struct fe_stage {
	char		*name;		/* AS name (lowercase), or NULL */
	char		*display;	/* in progress names: name, stage-N, or "" */
	char		*base;		/* FROM after expansion */
	int		 base_stage;	/* the stage it builds on, or -1 */
	int		 base_ctx;	/* FROM a --build-context directory, or -1 */
	size_t		 first, count;	/* its instructions in the file */
	int		 reachable, dispatched, dispatching;
	/* dispatch state */
	struct vertex	*top;		/* NULL: the empty root */
	json_t		*image;		/* the image config being made */
	struct vars	 env;		/* the build environment: Env + ARG values */
	struct strv	 args;		/* ARGs declared, for history's |N */
	char		*user;		/* USER, for WORKDIR's and COPY's owner */
	int		 cmd_set;	/* CMD given in this stage */
	unsigned	 cmd_index, cmd_total;
};

struct fe {
	const struct df_file	*df;
	const struct fe_opts	*opts;
	struct fe_stage		*stages;
	size_t			 nstages;
	int			 target;
	struct vars		 global;	/* global ARGs and the platform ARGs */
	struct strv		 consumed;	/* build args some ARG declared */
	struct strv		 need;		/* image names to resolve */
	struct fe_image		*images;	/* resolved, set by the caller */
	size_t			 nimages;
	struct graph		 g;
	struct df_error		 err;
};

int fe_prepare(struct fe *fe, const struct df_file *df, const struct fe_opts *o);
int fe_dispatch(struct fe *fe);
/* The target's image config, finished but for rootfs (export adds it). */
json_t *fe_result_config(struct fe *fe);
/* Build args that no ARG consumed, as BuildKit warns about them. */
int fe_unused_args(const struct fe *fe, struct strv *out);
void fe_free(struct fe *fe);

/* An error at an instruction: fills fe->err from in. Returns -EINVAL. */
int fe_errorf(struct fe *fe, const struct df_instr *in, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "Dockerfile:3: ..." with the line, or just the message without a
 * position. Returns buf. */
char *fe_error_format(const struct fe *fe, char *buf, size_t size);

/* stage.c: a --from or from= value as a stage index (-1: no stage,
 * so an image or context; -2: an index out of range), and an image name
 * after --build-context NAME=docker-image://REF renames */
int fe_stage_ref(const struct fe *fe, const char *from, size_t before);
const char *fe_image_ref(const struct fe *fe, const char *name);

/* expand.c: one word with a stage's environment (or the global ARGs);
 * quotes removed. raw: keeps quotes and backslashes but for \$ (heredoc
 * contents). */
int fe_expand(struct fe *fe, const struct df_instr *in, const struct vars *env,
    const char *word, char **out);
int fe_expand_raw(struct fe *fe, const struct df_instr *in,
    const struct vars *env, const char *text, char **out);
/* expands and splits (EXPOSE) */
int fe_expand_split(struct fe *fe, const struct df_instr *in,
    const struct vars *env, const char *text, struct strv *out);

#endif
