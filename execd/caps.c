/* caps.c: the steps' default capability set (Docker's for builds) and the switch to the step's user. */
#include <errno.h>
#include <grp.h>
#include <unistd.h>
#include <sys/capability.h>
#include "execd.h"
#include "sandbox.h"
#include "util.h"

/* Docker's default set; every other capability leaves every set,
 * bounding included. Its mask is 0x00000000a80425fb. */
const cap_value_t caps_step_default[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};
const size_t caps_step_ndefault = ARRAY_SIZE(caps_step_default);

/* Everything the spawner holds, for security=insecure: its bounding set
 * is full when kilnd allowed the entitlement (spawner.c). */
static int
caps_keep_all(void)
{
	cap_t all = cap_get_proc();
	int r = 0;

	if (all == NULL)
		return -errno;
	if (cap_clear_flag(all, CAP_INHERITABLE) < 0 || cap_set_proc(all) < 0)
		r = -errno;
	cap_free(all);
	return r;
}

/* setgroups is denied in a user namespace of one id (kilnd's single
 * mapping): without groups to set that is no loss, with some the step
 * is told on its stderr rather than refused. */
static int
set_groups(const struct exec_ids *ids, struct exec_fail *f)
{
	static const char warn[] = "kiln: supplementary groups not set: "
	    "setgroups(2) is denied in kilnd's user namespace (single id mapping)\n";

	if (setgroups(ids->ngroups, ids->groups) == 0)
		return 0;
	if (errno != EPERM)
		return exec_fail_set(f, errno, "setgroups");
	if (ids->ngroups > 0)
		(void)!write(2, warn, sizeof(warn) - 1);
	return 0;
}

/*
 * Limits the sets while CAP_SETPCAP still allows dropping from the
 * bounding set, then changes user: setuid(2) to a uid other than 0 then
 * empties the permitted and effective sets by itself, as Docker's steps
 * run as a non-root USER get no capability.
 */
int
caps_step_apply(const struct exec_ids *ids, int insecure, struct exec_fail *f)
{
	int r;

	r = insecure ? caps_keep_all() :
	    sandbox_caps_limit(caps_step_default, caps_step_ndefault);
	if (r < 0)
		return exec_fail_set(f, -r, "limiting capabilities");
	if ((r = set_groups(ids, f)) < 0)
		return r;
	if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
		return exec_fail_set(f, errno, "switching to gid %u (is it mapped "
		    "in kilnd's user namespace?)", (unsigned)ids->gid);
	if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
		return exec_fail_set(f, errno, "switching to uid %u (is it mapped "
		    "in kilnd's user namespace?)", (unsigned)ids->uid);
	return 0;
}
