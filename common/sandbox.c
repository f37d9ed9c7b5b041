/* sandbox.c: drops capabilities and loads a helper's seccomp allowlist, reporting violations. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "ipc.h"
#include "log.h"
#include "sandbox.h"

static int report_fd = -1;
/* The SIGSYS handler cannot format: its log line is made at load time. */
static char sigsys_line[160];
static size_t sigsys_line_len;

int
sandbox_seccomp_mode_parse(const char *s)
{
	if (strcmp(s, "enforce") == 0)
		return SANDBOX_SECCOMP_ENFORCE;
	if (strcmp(s, "log") == 0)
		return SANDBOX_SECCOMP_LOG;
	return -1;
}

const char *
sandbox_seccomp_mode_name(int mode)
{
	return mode == SANDBOX_SECCOMP_LOG ? "log" : "enforce";
}

static int
cap_in(cap_value_t c, const cap_value_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == c)
			return 1;
	return 0;
}

static int
drop_bounding(const cap_value_t *keep, size_t n)
{
	int max = cap_max_bits();

	if (!CAP_IS_SUPPORTED(CAP_SETPCAP) ||
	    prctl(PR_CAPBSET_READ, CAP_SETPCAP) != 1)
		return 0;
	{
		cap_t cur = cap_get_proc();
		cap_flag_value_t v = CAP_CLEAR;

		if (cur)
			cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &v);
		cap_free(cur);
		/* without CAP_SETPCAP nothing can be raised again either */
		if (v != CAP_SET)
			return 0;
	}
	for (int c = 0; c < max; c++)
		if (!cap_in(c, keep, n) && cap_drop_bound(c) < 0 && errno != EINVAL)
			return -errno;
	return 0;
}

int
sandbox_caps_limit(const cap_value_t *keep, size_t n)
{
	cap_t caps = NULL;
	int r;

	r = drop_bounding(keep, n);
	if (r < 0)
		goto out;
	caps = cap_init();
	if (caps == NULL) {
		r = -errno;
		goto out;
	}
	if (n && (cap_set_flag(caps, CAP_PERMITTED, (int)n, keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, (int)n, keep, CAP_SET) < 0)) {
		r = -errno;
		goto out;
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0 && errno != EINVAL) {
		r = -errno;
		goto out;
	}
	r = cap_set_proc(caps) < 0 ? -errno : 0;
out:
	if (caps)
		cap_free(caps);
	return r;
}

uint64_t
sandbox_caps_effective(void)
{
	cap_t cur = cap_get_proc();
	uint64_t mask = 0;
	int max = cap_max_bits();

	if (cur == NULL)
		return 0;
	for (int c = 0; c < max && c < 64; c++) {
		cap_flag_value_t v;

		if (cap_get_flag(cur, c, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			mask |= 1ULL << c;
	}
	cap_free(cur);
	return mask;
}

static size_t
put_u64_be(uint8_t *p, uint64_t v)
{
	p[0] = 0xcf;
	for (int i = 0; i < 8; i++)
		p[1 + i] = (uint8_t)(v >> (56 - 8 * i));
	return 9;
}

/* The refused call's own arguments, so that issuing it again is refused
 * again: with zeros, a call refused for its arguments (sandbox_rule)
 * could pass the second time. */
static void
sigsys_args(void *uc, long a[6])
{
	ucontext_t *u = uc;

#if defined(__x86_64__)
	a[0] = u->uc_mcontext.gregs[REG_RDI];
	a[1] = u->uc_mcontext.gregs[REG_RSI];
	a[2] = u->uc_mcontext.gregs[REG_RDX];
	a[3] = u->uc_mcontext.gregs[REG_R10];
	a[4] = u->uc_mcontext.gregs[REG_R8];
	a[5] = u->uc_mcontext.gregs[REG_R9];
#elif defined(__aarch64__)
	for (int i = 0; i < 6; i++)
		a[i] = (long)u->uc_mcontext.regs[i];
#else
	(void)u;
	for (int i = 0; i < 6; i++)
		a[i] = 0;
#endif
}

/* Async-signal-safe: builds the SECCOMP_NOTE frame by hand. */
static void
sigsys_report(int sig, siginfo_t *si, void *uc)
{
	long a[6];

	uint8_t frame[IPC_HDR_SIZE + 1 + 18];
	struct ipc_hdr h = { 19, IPC_SECCOMP_NOTE, IPC_VERSION, 0, 0 };
	struct iovec iov = { frame, sizeof(frame) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t o = IPC_HDR_SIZE;

	ipc_hdr_encode(frame, &h);
	frame[o++] = 0x92;
	o += put_u64_be(frame + o, (uint64_t)(unsigned)si->si_syscall);
	put_u64_be(frame + o, si->si_arch);
	if (report_fd >= 0)
		(void)!sendmsg(report_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (log_journal_fd() < 0)
		(void)!write(STDERR_FILENO, sigsys_line, sigsys_line_len);
	/* SIGSYS is blocked inside its handler, so the kernel forces the
	 * default action for this second violation: death by SIGSYS. */
	sigsys_args(uc, a);
	syscall(si->si_syscall, a[0], a[1], a[2], a[3], a[4], a[5]);
	_exit(128 + SIGSYS);
}

int
sandbox_add_arches(scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	static const uint32_t extra[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
#elif defined(__aarch64__)
	static const uint32_t extra[] = { SCMP_ARCH_ARM };
#else
	static const uint32_t extra[] = { 0 };
#endif
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		int r;

		if (extra[i] == 0)
			continue;
		r = seccomp_arch_add(ctx, extra[i]);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static int
syscall_listed(int nr, const int *syscalls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (syscalls[i] == nr)
			return 1;
	return 0;
}

static int
add_rules(scmp_filter_ctx ctx, const int *syscalls, size_t n,
    const struct sandbox_rule *rules, size_t nrules)
{
	for (size_t i = 0; i < nrules; i++) {
		const struct sandbox_rule *ru = &rules[i];
		int r;

		if (syscall_listed(ru->syscall, syscalls, n))
			continue;
		r = seccomp_rule_add_array(ctx, ru->action, ru->syscall,
		    ru->nargs, ru->args);
		if (r < 0 && r != -EDOM && r != -EINVAL)
			return r;
	}
	return 0;
}

static int
install_sigsys_reporter(int rfd)
{
	struct sigaction sa = { .sa_sigaction = sigsys_report,
	    .sa_flags = SA_SIGINFO };

	report_fd = rfd;
	snprintf(sigsys_line, sizeof(sigsys_line), "%s[%ld]: level=error "
	    "msg=\"seccomp: forbidden syscall; kilnd logs its name\"\n",
	    log_ident(), (long)getpid());
	sigsys_line_len = strlen(sigsys_line);
	return sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
}

int
sandbox_seccomp_load_rules(const int *syscalls, size_t n,
    const struct sandbox_rule *rules, size_t nrules, int mode, int rfd)
{
	uint32_t def = mode == SANDBOX_SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP;
	scmp_filter_ctx ctx;
	int r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return -ENOMEM;
	r = sandbox_add_arches(ctx);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscalls[i], 0);
		if (r == -EDOM || r == -EINVAL)
			r = 0;	/* a name this architecture lacks */
	}
	if (r == 0)
		r = add_rules(ctx, syscalls, n, rules, nrules);
	if (r == 0 && mode == SANDBOX_SECCOMP_ENFORCE)
		r = install_sigsys_reporter(rfd);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int
sandbox_seccomp_load(const int *syscalls, size_t n, int mode, int rfd)
{
	return sandbox_seccomp_load_rules(syscalls, n, NULL, 0, mode, rfd);
}
