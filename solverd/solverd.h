/* solverd.h: kiln-solverd's shared declarations. */
#ifndef KILN_SOLVERD_H
#define KILN_SOLVERD_H

#include "helper.h"

extern const int solverd_syscalls[];
extern const size_t solverd_nsyscalls;

/* api.c: the client API socket */
int api_on_listen(struct ipc_peer *p, struct ipc_msg *m);

#endif
