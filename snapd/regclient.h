/* regclient.h: kiln-snapd's side of the registry transport: one client request (pull, push) and the kiln-netd requests it makes. */
#ifndef KILN_SNAPD_REGCLIENT_H
#define KILN_SNAPD_REGCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "helper.h"

/*
 * A pull or a push answers one request of solverd's while it has several
 * of its own open with kiln-netd. It ends once: a REPLY or an ERROR; its
 * memory goes when that is sent and the last of netd's answers came.
 */
struct reg_call {
	struct helper	*h;
	struct ipc_peer	*peer;		/* solverd's connection */
	uint32_t	 id;
	int		 inflight;	/* requests open with netd */
	int		 failed, replied;
	void		(*free)(struct reg_call *c);
};

void regc_init(struct reg_call *c, struct ipc_peer *p, uint32_t id,
    void (*free_fn)(struct reg_call *c));
/* Sends type to kiln-netd with a dup of fd (-1: none); cb gets arg. */
int regc_request(struct reg_call *c, uint16_t type, const struct ipc_wr *w, int fd,
    ipc_reply_fn cb, void *arg);
/* First thing in each answer callback: 1 when the call is over for this
 * answer (netd went away, it was an ERROR, now relayed, or the call had
 * failed already); c may be freed then. */
int regc_answer_done(struct reg_call *c, struct ipc_msg *m, const char *doing);
/* ERROR, unless something was answered already. */
void regc_fail(struct reg_call *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The REPLY; w is freed. */
void regc_reply(struct reg_call *c, uint16_t type, struct ipc_wr *w);
/* IMAGE_PROGRESS [what, state, size] */
void regc_progress(struct reg_call *c, const char *what, const char *state,
    uint64_t size);
/* IMAGE_PROGRESS [what, "downloading", size, done] */
void regc_progress_bytes(struct reg_call *c, const char *what, uint64_t size,
    uint64_t done);
/* A string field into buf; -EBADMSG when it does not fit or has a NUL. */
int regc_rd_str(struct ipc_rd *rd, char *buf, size_t size);

/* pull.c, push.c: IMAGE_PULL, IMAGE_PUSH, IMAGE_TAG */
int pull_on_image_pull(struct ipc_peer *p, struct ipc_msg *m);
int push_on_image_push(struct ipc_peer *p, struct ipc_msg *m);
int push_on_image_tag(struct ipc_peer *p, struct ipc_msg *m);
/* oci_export.c: IMAGE_EXPORT */
int export_on_image_export(struct ipc_peer *p, struct ipc_msg *m);
/* all of them, for main.c's table of solverd's messages */
extern const struct ipc_handler snapd_registry_handlers[];

#endif
