/* policy.c: kiln-snapd's seccomp allowlist. */
#include "policy_base.h"
#include "snapd.h"
#include "util.h"

const int snapd_syscalls[] = {
	POLICY_BASE
};
const size_t snapd_nsyscalls = ARRAY_SIZE(snapd_syscalls);
