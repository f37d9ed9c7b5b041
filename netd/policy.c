/* policy.c: kiln-netd's seccomp allowlist. */
#include "policy_base.h"
#include "netd.h"
#include "util.h"

const int netd_syscalls[] = {
	POLICY_BASE
};
const size_t netd_nsyscalls = ARRAY_SIZE(netd_syscalls);
