/* snapd.h: kiln-snapd's shared declarations. */
#ifndef KILN_SNAPD_H
#define KILN_SNAPD_H

#include "helper.h"

extern const int snapd_syscalls[];
extern const size_t snapd_nsyscalls;

#endif
