/* policy.c: kiln-execd's seccomp allowlist. */
#include "policy_base.h"
#include "execd.h"
#include "util.h"

const int execd_syscalls[] = {
	POLICY_BASE
};
const size_t execd_nsyscalls = ARRAY_SIZE(execd_syscalls);
