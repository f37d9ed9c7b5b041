/* api_build.h: the handlers of the build requests on the client API (api.c's table). */
#ifndef KILN_SOLVERD_API_BUILD_H
#define KILN_SOLVERD_API_BUILD_H

#include "ipc.h"

struct fwd_client;

int api_on_build(struct ipc_peer *p, struct ipc_msg *m);
int api_on_build_cancel(struct ipc_peer *p, struct ipc_msg *m);
int api_on_history(struct ipc_peer *p, struct ipc_msg *m);
/* the client's connection closed: its builds are cancelled */
void api_client_gone(struct fwd_client *c);

#endif
