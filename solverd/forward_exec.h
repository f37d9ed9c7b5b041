/* forward_exec.h: kilnctl debug run's path through solverd to kiln-execd. */
#ifndef KILN_FORWARD_EXEC_H
#define KILN_FORWARD_EXEC_H

#include "helper.h"

/* EXEC_RUN from a client: only with --test-hooks until the solver runs
 * steps itself; forwarded with its fds to execd, answers relayed. */
int fwd_exec_run(struct helper *h, struct ipc_peer *client, struct ipc_msg *m);
/* EXEC_CANCEL [u32 id] from a client, for one of its own EXEC_RUNs. */
int fwd_exec_cancel(struct helper *h, struct ipc_peer *client, struct ipc_msg *m);
/* The client left: its steps are cancelled, their answers dropped. */
void fwd_exec_client_gone(struct ipc_peer *client);

#endif
