/* policy.c: kiln-solverd's seccomp allowlist. */
#include "policy_base.h"
#include "solverd.h"
#include "util.h"

const int solverd_syscalls[] = {
	POLICY_BASE
	/* API socket: accept clients, check their credentials */
	ALLOW(accept4) ALLOW(getsockopt) ALLOW(setsockopt)
};
const size_t solverd_nsyscalls = ARRAY_SIZE(solverd_syscalls);
