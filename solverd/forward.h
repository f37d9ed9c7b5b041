/* forward.h: solverd's client records and the generic relay of client requests to kilnd and the helpers. */
#ifndef KILN_SOLVERD_FORWARD_H
#define KILN_SOLVERD_FORWARD_H

#include "helper.h"

/* A client connection (api.c). Requests relayed for it hold references,
 * so their answers find a live record after the client left (peer is
 * NULL then). */
struct fwd_client {
	struct helper	*helper;
	struct ipc_peer	*peer;
	int		 refs;
};

void fwd_client_unref(struct fwd_client *c);

/* Sends m, its body and fds, to target as a new request; relays every
 * EVENT and the REPLY back to the client under m's id. Takes m's fds. */
int fwd_request(struct fwd_client *c, struct ipc_peer *target,
    struct ipc_msg *m);

#endif
