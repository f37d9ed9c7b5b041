/* snapc.h: solverd's calls to its peers (kiln-snapd, kiln-execd) and the reading of their answers. */
#ifndef KILN_SOLVERD_SNAPC_H
#define KILN_SOLVERD_SNAPC_H

#include <stddef.h>
#include <stdint.h>
#include "helper.h"

/* ipc_request to the peer, -ENOTCONN when it is not connected (it
 * restarts); takes the fds in every case. */
int snapc_call(struct helper *h, enum kiln_proc to, uint16_t type,
    const struct ipc_wr *w, int *fds, int nfds, ipc_reply_fn cb, void *arg);
/* The text of an answer that is not the expected type: an ERROR's
 * message, or what went wrong; *err gets its errno (ECONNRESET when the
 * peer went away: m NULL). Returns buf. */
const char *snapc_why(const struct ipc_msg *m, enum kiln_proc from, int *err,
    char *buf, size_t size);
/* A reply's first string field into out. 0 or -EBADMSG. */
int snapc_str(const struct ipc_msg *m, int index, char *out, size_t size);
/* A reply's u64 field at index. 0 or -EBADMSG. */
int snapc_u64(const struct ipc_msg *m, int index, uint64_t *v);
/* A copy of fd (F_DUPFD_CLOEXEC), since ipc_send takes what it sends. */
int snapc_dup(int fd);
/* A memfd holding data, offset 0; -errno. */
int snapc_memfd(const char *name, const void *data, size_t len);

#endif
