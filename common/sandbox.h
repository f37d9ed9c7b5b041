/* sandbox.h: capability and seccomp lockdown shared by every helper. */
#ifndef KILN_SANDBOX_H
#define KILN_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <seccomp.h>

enum sandbox_seccomp_mode {
	SANDBOX_SECCOMP_ENFORCE = 0,	/* violation: SIGSYS, reported, death */
	SANDBOX_SECCOMP_LOG,		/* violation: allowed, logged by the kernel */
};

/* One ALLOW line per syscall in each helper's policy.c (STYLE rule 14). */
#define ALLOW(name)	SCMP_SYS(name),

int sandbox_seccomp_mode_parse(const char *s);
const char *sandbox_seccomp_mode_name(int mode);

/* Keeps exactly keep[] in the permitted and effective sets, empties the
 * inheritable and ambient sets, and drops the rest from the bounding set
 * when allowed to (CAP_SETPCAP). */
int sandbox_caps_limit(const cap_value_t *keep, size_t n);
/* Effective capabilities as a bit mask, for status replies. */
uint64_t sandbox_caps_effective(void);

/* Adds the secondary architectures of this one (x86 and x32 on x86_64,
 * arm on aarch64) so a filter cannot be sidestepped through them. */
int sandbox_add_arches(scmp_filter_ctx ctx);

/* Sets no_new_privs and loads an allowlist filter for the native and the
 * secondary architectures. In ENFORCE mode a SIGSYS handler first sends a
 * SECCOMP_NOTE frame naming the syscall on report_fd, then the process
 * dies of SIGSYS. Call it last, just before the event loop. */
int sandbox_seccomp_load(const int *syscalls, size_t n, int mode, int report_fd);

/* A syscall allowed (or answered with an errno) only when its arguments
 * match, for syscalls too broad to allow outright: every comparison must
 * hold. Pointer arguments cannot be checked (the kernel sees only the
 * address), so rules compare flags and request numbers. */
struct sandbox_rule {
	int			 syscall;
	uint32_t		 action;	/* SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(e) */
	unsigned		 nargs;
	struct scmp_arg_cmp	 args[2];
};
/* One argument comparison: argument number, SCMP_CMP_*, datum a, b. */
#define RULE_ARG(n, cmp, a, b) \
	{ .arg = (n), .op = (cmp), .datum_a = (a), .datum_b = (b) }
#define RULE_ALLOW_IF(name, n, op, a, b) \
	{ SCMP_SYS(name), SCMP_ACT_ALLOW, 1, { RULE_ARG(n, op, a, b) } },
#define RULE_ERRNO_IF(name, err, n, op, a, b) \
	{ SCMP_SYS(name), SCMP_ACT_ERRNO(err), 1, { RULE_ARG(n, op, a, b) } },
#define RULE_ERRNO(name, err) \
	{ SCMP_SYS(name), SCMP_ACT_ERRNO(err), 0, { RULE_ARG(0, 0, 0, 0) } },

/* As sandbox_seccomp_load, with rules[] beside the plain allowlist. A rule
 * whose syscall the plain list allows outright is skipped: the outright
 * allow wins (sanitizer builds allow clone and openat for ASan). */
int sandbox_seccomp_load_rules(const int *syscalls, size_t n,
    const struct sandbox_rule *rules, size_t nrules, int mode, int report_fd);

#endif
