/* execd.h: kiln-execd's shared declarations. */
#ifndef KILN_EXECD_H
#define KILN_EXECD_H

#include "helper.h"

extern const int execd_syscalls[];
extern const size_t execd_nsyscalls;

#endif
