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

/*
 * Limits the sets while CAP_SETPCAP still allows dropping from the
 * bounding set, then changes user: setuid(2) to a uid other than 0 then
 * empties the permitted and effective sets by itself, as Docker's steps
 * run as a non-root USER get no capability.
 */
int
caps_step_apply(uid_t uid, gid_t gid, struct exec_fail *f)
{
	int r;

	r = sandbox_caps_limit(caps_step_default, caps_step_ndefault);
	if (r < 0)
		return exec_fail_set(f, -r, "limiting capabilities");
	/* EPERM: setgroups is denied in this user namespace; nothing to drop */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return exec_fail_set(f, errno, "setgroups");
	if (setresgid(gid, gid, gid) < 0)
		return exec_fail_set(f, errno, "switching to gid %u (is it mapped "
		    "in kilnd's user namespace?)", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return exec_fail_set(f, errno, "switching to uid %u (is it mapped "
		    "in kilnd's user namespace?)", (unsigned)uid);
	return 0;
}
