/* imageconfig.h: the image config JSON a build makes, as Docker would: Env, Cmd, Entrypoint, ..., history, rootfs. */
#ifndef KILN_SOLVERD_IMAGECONFIG_H
#define KILN_SOLVERD_IMAGECONFIG_H

#include <jansson.h>
#include "strv.h"
#include "vars.h"

#define IC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define IC_HISTORY_COMMENT "buildkit.dockerfile.v0"

/* FROM scratch: BuildKit's emptyImage (PATH and WorkingDir "/"). */
json_t *ic_empty(const char *platform);
/* A base image's config, copied, without its created time. */
json_t *ic_from_base(const json_t *base);
/* The "config" object, made when missing. */
json_t *ic_cfg(json_t *img);
/* A config string ("" when unset). */
const char *ic_get_str(json_t *img, const char *key);
int ic_set_str(json_t *img, const char *key, const char *value);
int ic_set_strv(json_t *img, const char *key, char *const *v, size_t n);
void ic_del(json_t *img, const char *key);
/* Labels (a string value) or ExposedPorts/Volumes (value NULL: {}). */
int ic_map_set(json_t *img, const char *map, const char *key, const char *value);
/* Env: replaces KEY's entry or appends one. */
int ic_env_set(json_t *img, const char *key, const char *value);
/* Adds PATH when Env has none. */
int ic_env_ensure_path(json_t *img);
/* Env into vs, in order. */
int ic_env_load(json_t *img, struct vars *vs);
int ic_history(json_t *img, const char *created_by, int empty_layer);
/* created for the image and every history entry without one; unix
 * seconds as RFC 3339. */
int ic_finish(json_t *img, long long now);
/* rootfs.diff_ids, replaced. */
int ic_set_diff_ids(json_t *img, char *const *ids, size_t n);
/* The config text for IMAGE_CREATE; malloc'd. */
char *ic_dump(const json_t *img);
/* Go's %q of a []string: ["a" "b\"c"], and %v: [a b]. */
char *ic_go_quote_list(char *const *v, size_t n);
char *ic_go_list(char *const *v, size_t n);

#endif
