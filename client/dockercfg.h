/* dockercfg.h: kilnctl's writes to the Docker config file (login, logout). */
#ifndef KILN_CLIENT_DOCKERCFG_H
#define KILN_CLIENT_DOCKERCFG_H

#include <stddef.h>

/* "https://index.docker.io/v1/", "registry-1.docker.io" -> "docker.io";
 * "https://HOST:PORT/path" -> "HOST:PORT". -EINVAL for what is not a
 * registry's name. */
int dcfg_normalise(const char *arg, char *out, size_t size);
/* Stores the credentials in $DOCKER_CONFIG/config.json (default
 * ~/.docker/config.json), mode 0600: through the registry's credential
 * helper (credHelpers, credsStore) when it has one, else as auths'
 * base64 user:password. 0, or negative errno with why filled. */
int dcfg_store(const char *registry, const char *user, const char *secret,
    char *why, size_t whysize);
/* Erases them the same way; -ENOENT when there were none. */
int dcfg_erase(const char *registry, char *why, size_t whysize);

#endif
