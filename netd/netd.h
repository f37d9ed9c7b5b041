/* netd.h: kiln-netd's shared declarations. */
#ifndef KILN_NETD_H
#define KILN_NETD_H

#include "helper.h"

extern const int netd_syscalls[];
extern const size_t netd_nsyscalls;

#endif
