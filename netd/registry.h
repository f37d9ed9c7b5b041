/* registry.h: kiln-netd's OCI distribution client: per-registry settings, one operation's life, the message handlers. */
#ifndef KILN_NETD_REGISTRY_H
#define KILN_NETD_REGISTRY_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include "auth.h"
#include "helper.h"
#include "http.h"
#include "imgref.h"

/* --- regconf.c: kilnd.conf's registry lines, passed as --registry=SPEC --- */

#define REGCONF_MAX		32
#define REGCONF_MIRRORS		8
#define REGCONF_CHUNK_DEFAULT	(32ULL << 20)	/* blobs above go up in chunks this big */

enum { REGMIRROR_OWN = 0, REGMIRROR_HTTP, REGMIRROR_HTTPS };

/* A pull mirror of a registry: tried in order before it. */
struct regmirror {
	char	host[IMGREF_DOMAIN_MAX];	/* "HOST[:PORT]" */
	int	scheme;		/* REGMIRROR_OWN: as the mirror's own line says */
};

/* SPEC: HOST[:PORT][,http][,insecure][,ca=FILE][,chunk-size=N[KiB|MiB|GiB]]
 *       [,mirror=[SCHEME://]HOST[:PORT]]...
 * HOST alone matches every port of it. Defaults: https, verified with
 * the system's CA bundle, no mirrors. Pulls (manifests, blobs) try each
 * mirror in order and then the registry itself; pushes go to the
 * registry only. A blob over chunk-size (default REGCONF_CHUNK_DEFAULT;
 * 0: none) is uploaded in PATCH requests of that size, then a PUT. */
struct regconf {
	char	host[IMGREF_DOMAIN_MAX];
	int	http;			/* plain HTTP */
	int	insecure;		/* TLS without verification */
	char	ca_file[PATH_MAX];	/* "" : the system's bundle */
	struct regmirror mirrors[REGCONF_MIRRORS];
	int	nmirrors;
	int	chunk_set;		/* chunk-size= given */
	uint64_t chunk_size;		/* 0: every blob in one PUT */
};

/* Adds one SPEC; -EINVAL with a message on stderr when it is malformed. */
int regconf_add(const char *spec);
/* The settings of a domain ("127.0.0.1:5000"): its own line, else its
 * host's, else the defaults. Never NULL. */
const struct regconf *regconf_find(const char *domain);
/* The settings of up's mirror i: its own line's (or the defaults), the
 * scheme its mirror= word gave. */
void regconf_mirror(const struct regconf *up, int i, struct regconf *out);
/* "http" or "https" */
const char *regconf_scheme(const struct regconf *rc);
/* The chunk size of uploads: 0 for monolithic ones only. */
uint64_t regconf_chunk(const struct regconf *rc);

/* --- registry.c: one operation against a registry --- */

struct reg_op;
typedef void (*reg_step_fn)(struct reg_op *op);

/* One request to a registry with the retries, the authentication and the
 * error sentence around it. */
struct reg_op {
	struct ipc_peer		*peer;		/* who asked, or NULL when gone */
	uint32_t		 id;
	const struct regconf	*rc;
	struct imgref		 ref;
	char			 api_host[IMGREF_DOMAIN_MAX];
	char			 what[IMGREF_STR_MAX + 64];	/* "manifest REF" */
	char			 scope[1024];	/* token scopes, space-separated */
	struct http_xfer	*x;
	struct http_xfer	*tok;		/* a token request on its way */
	struct event		*retry_ev;
	struct auth_creds	*creds;		/* NULL until needed */
	int			 creds_given;	/* REG_LOGIN's own */
	int			 auth_basic;	/* the registry asked for Basic */
	int			 auth_tries, retries;
	reg_step_fn		 on_answer;	/* an answer that is no 401 or retry */
	/* what the request brought (registry_ops.c) */
	int			 fd;		/* -1, or its fd: closed with op */
	int			 step;
	char			 digest[IMGREF_DIGEST_MAX];
	char			 media_type[256];
	char			 mount_from[IMGREF_NAME_MAX];
	uint64_t		 size;
	char			 accept[1024];	/* a manifest GET's, "" : ours */
	off_t			 in_base;	/* a blob upload: where it starts in fd */
	uint64_t		 sent;		/* of it, accepted by the registry */
	int			 chunks;	/* PATCH requests sent */
	/* pulls through mirrors (reg_use_mirrors) */
	const struct regconf	*up_rc;		/* the registry's own settings */
	struct regconf		 ep_rc;		/* the mirror's, while on one */
	int			 ep;		/* mirror index; up_rc->nmirrors: the registry */
	reg_step_fn		 restart;	/* sends the request again, to op->api_host */
};

struct reg_op *reg_op_new(struct helper *h, struct ipc_peer *peer, uint32_t id);
void reg_op_free(struct reg_op *op);
/* base URL of the registry's API, "https://host/v2/" */
void reg_url(const struct reg_op *op, char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sends op->x (its method, url, headers and fds set) with the auth
 * header the scope needs; on_answer runs with its answer. 0 or -errno. */
int reg_send(struct reg_op *op);
/* op->peer while it is still connected, else NULL. */
struct ipc_peer *reg_peer(struct reg_op *op);
/* Replies ERROR with the sentence for op->x's answer; frees op. */
void reg_fail(struct reg_op *op, const char *doing);
/* Replies ERROR with err and a sentence; frees op. */
void reg_fail_text(struct reg_op *op, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A pull: the request goes to each mirror of the registry in turn, then
 * to the registry, until one serves it; restart builds and sends it to
 * op->api_host and op->rc. A failure on a mirror is logged and the next
 * endpoint tried; only the registry's own failure is answered. */
void reg_use_mirrors(struct reg_op *op, reg_step_fn restart);
/* "mirror HOST" or "registry HOST": who serves op now, for the log */
const char *reg_endpoint(const struct reg_op *op, char *buf, size_t size);
/* A fresh transfer for the next request of op (the old one is freed). */
struct http_xfer *reg_xfer(struct reg_op *op, const char *method);

/* registry_ops.c: the handlers of the REG_* messages */
extern const struct ipc_handler registry_handlers[];
int registry_setup(struct helper *h);
void registry_shutdown(void);

#endif
