/* policy.c: kiln-execd's seccomp allowlist. */
#include "policy_base.h"
#include "execd.h"
#include "util.h"

/*
 * Only the base: execd proper just checks requests and relays frames and
 * descriptors between solverd and its step spawner. clone, mount,
 * pivot_root, wait4 and kill happen in the spawner, forked before this
 * filter is loaded, because a filter is inherited by every step and
 * would turn the step profile's EPERM into SIGSYS (spawner.c says more).
 */
const int execd_syscalls[] = {
	POLICY_BASE
};
const size_t execd_nsyscalls = ARRAY_SIZE(execd_syscalls);
