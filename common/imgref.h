/* imgref.h: image references (name[:tag][@digest]) parsed and normalised as Docker does. */
#ifndef KILN_IMGREF_H
#define KILN_IMGREF_H

#include <stddef.h>

/*
 * The grammar is distribution/reference's:
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]...
 *   domain    := host [ ":" port ]; the first component is a domain when
 *                it holds a '.' or a ':', or is "localhost", or has an
 *                upper-case letter (which a path may not)
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest    := "sha256:" 64 lower-case hex (or "sha512:" 128)
 * The name is at most 255 characters.
 * Docker Hub normalisation: no domain is docker.io, index.docker.io is
 * docker.io, and a single-component name there is library/NAME; with
 * neither tag nor digest the tag is "latest".
 */

#define IMGREF_DOMAIN_MAX	256
#define IMGREF_PATH_MAX		256
#define IMGREF_TAG_MAX		129
#define IMGREF_DIGEST_MAX	136	/* "sha512:" + 128 hex + NUL */
#define IMGREF_NAME_MAX		(IMGREF_DOMAIN_MAX + IMGREF_PATH_MAX)
#define IMGREF_STR_MAX		(IMGREF_NAME_MAX + IMGREF_TAG_MAX + IMGREF_DIGEST_MAX)

#define IMGREF_DOCKER_HUB	"docker.io"

struct imgref {
	char	domain[IMGREF_DOMAIN_MAX];	/* "docker.io", "127.0.0.1:5000" */
	char	path[IMGREF_PATH_MAX];		/* "library/alpine" */
	char	tag[IMGREF_TAG_MAX];		/* "" when only a digest was given */
	char	digest[IMGREF_DIGEST_MAX];	/* "" or "sha256:..." */
};

/* Parses and normalises s. 0, or -EINVAL with *why (when why is not
 * NULL) set to a static sentence saying what is wrong. */
int imgref_parse(const char *s, struct imgref *r, const char **why);
/* "docker.io/library/alpine": the repository with its domain. */
int imgref_name(const struct imgref *r, char *buf, size_t size);
/* name[:tag][@digest], the canonical form. */
int imgref_format(const struct imgref *r, char *buf, size_t size);
/* 1 when d is "sha256:" + 64 lower-case hex (or sha512 and 128). */
int imgref_digest_valid(const char *d);
/* The host that serves a domain's API: registry-1.docker.io for docker.io. */
const char *imgref_api_host(const char *domain);

#endif
