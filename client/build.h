/* build.h: kilnctl build's options, .dockerignore reader and progress renderers. */
#ifndef KILN_CLIENT_BUILD_H
#define KILN_CLIENT_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "ipc.h"

#define BOPT_MAX_LIST	64	/* build args, tags, filters */
#define BOPT_MAX_FDS	IPC_MAX_FDS

enum bopt_progress { PROG_AUTO = 0, PROG_TTY, PROG_PLAIN, PROG_RAWJSON };

struct bopt_secret {
	const char	*id;
	const char	*src;		/* a file, or NULL */
	const char	*env;		/* a variable, or NULL */
};

struct bopt_context {
	char		*name;
	const char	*dir;		/* a directory, or NULL */
	const char	*image;		/* docker-image://REF, or NULL */
	const char	*oci;		/* oci-layout://DIR[:TAG], or NULL */
	char		 digest[80];	/* oci: the imported image, for image */
};

struct bopt_output {
	char		 type[16];	/* "local", "tar", "oci", "docker" */
	const char	*dest;		/* "-": standard output (tar, oci, docker) */
	const char	*name;		/* oci, docker: the archive's image name */
	char		 wire[300];	/* as BUILD carries it: "oci,name=REF" */
};

/* --cache-to, --cache-from (kiln-cache.5) */
struct bopt_cache {
	char		 wire[600];	/* as BUILD carries it: without dest= or src= */
	const char	*dir;		/* type=local: its dest= or src= */
	int		 fd;		/* dir opened (-1: not, or dropped) */
};

struct build_opts {
	const char	*file;		/* -f; NULL: CONTEXT/Dockerfile */
	const char	*context;
	const char	*target;
	const char	*platform;
	const char	*metadata_file;
	int		 no_cache;
	int		 pull, push;	/* --pull; --push or type=image,push=true */
	enum bopt_progress progress;
	char		*args[BOPT_MAX_LIST];	/* "K=V", resolved */
	int		 nargs;
	const char	*tags[BOPT_MAX_LIST];
	int		 ntags;
	const char	*filters[BOPT_MAX_LIST];
	int		 nfilters;
	struct bopt_secret secrets[BOPT_MAX_FDS];
	int		 nsecrets;
	struct bopt_context contexts[BOPT_MAX_FDS];
	int		 ncontexts;
	struct bopt_output output;	/* type "" when none */
	/* the image outputs' compression=, compression-level=,
	 * force-compression=, oci-mediatypes=: "K=V,K=V" as BUILD carries it */
	char		 image_opts[256];
	int		 docker_types;	/* oci-mediatypes=false */
	struct bopt_cache cache_to[BOPT_MAX_FDS], cache_from[BOPT_MAX_FDS];
	int		 ncache_to, ncache_from;
};

/* build_opts.c: 0, or -EINVAL after printing what was wrong. */
int bopt_parse(int argc, char **argv, struct build_opts *o);
void bopt_free(struct build_opts *o);
void bopt_usage(FILE *out);

/* dockerignore.c: the patterns of an ignore file, cleaned as Docker does
 * (comments and blank lines dropped, paths cleaned, a leading / removed,
 * ! kept). *out is a malloc'd array of malloc'd strings; 0 patterns and
 * 0 when the file does not exist. */
int dockerignore_read(const char *path, char ***out, size_t *n);
void dockerignore_free(char **pats, size_t n);

/* progress.c: renders the build's events. */
struct progress;
struct progress *progress_new(enum bopt_progress mode, FILE *out);
/* One event frame (BUILD_VERTEX, BUILD_STATUS, BUILD_LOG, BUILD_WARN). */
void progress_event(struct progress *p, const struct ipc_msg *m);
/* The end: ok with the result's summary line, or the error. */
void progress_done(struct progress *p, const char *summary, const char *error);
/* Redraws a live view (tty), called about ten times a second. */
void progress_tick(struct progress *p);
void progress_free(struct progress *p);

#endif
