/* auth.h: registry authentication in kiln-netd: challenges, credentials from ~/.docker/config.json, bearer tokens. */
#ifndef KILN_NETD_AUTH_H
#define KILN_NETD_AUTH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* What a 401's WWW-Authenticate asked for. */
enum auth_scheme { AUTH_NONE = 0, AUTH_BASIC, AUTH_BEARER };

struct auth_challenge {
	enum auth_scheme scheme;
	char	realm[1024];
	char	service[256];
	char	scope[512];
};

/* Parses one WWW-Authenticate value: a scheme, then key=value pairs, the
 * values tokens or quoted strings. 0, or -EINVAL for an unknown scheme
 * or a malformed header (untrusted input: a registry wrote it). */
int auth_challenge_parse(const char *hdr, struct auth_challenge *c);

/* A username and its password (or token). Wiped with auth_creds_wipe;
 * never logged. */
struct auth_creds {
	char	user[256];
	char	secret[4096];
	char	source[PATH_MAX];	/* for messages: the config file, a helper, "the login" */
};

/* The credentials for a registry domain ("docker.io", "host:port") from
 * $DOCKER_CONFIG/config.json (default ~/.docker/config.json): its
 * credHelpers entry, else credsStore, else its auths entry. 0, -ENOENT
 * when it has none, or another negative errno with *why set. */
int auth_creds_lookup(const char *domain, struct auth_creds *c,
    char *why, size_t whysize);
void auth_creds_wipe(struct auth_creds *c);
/* The config file's path, for messages. */
const char *auth_config_path(void);

/* Docker credential helpers (auth_helper.c): docker-credential-NAME get,
 * run by a process forked before the seccomp filter was loaded. */
int auth_helper_setup(void);
void auth_helper_shutdown(void);
int auth_helper_get(const char *name, const char *server, struct auth_creds *c,
    char *why, size_t whysize);

/* Bearer tokens, cached per API host and scope until they expire. */
const char *auth_token_find(const char *host, const char *scope);
int auth_token_store(const char *host, const char *scope, const char *token,
    int64_t expires_in);
/* The token in a token server's JSON answer ("token" or "access_token",
 * "expires_in"); the returned string is malloc'd. NULL when there is none. */
char *auth_token_parse(const char *json, size_t len, int64_t *expires_in);
void auth_tokens_clear(void);

#endif
