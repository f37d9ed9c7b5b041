/* main.c: kiln-execd, runs each RUN step in a container it sets up itself. */
#include "execd.h"
#include "util.h"

/* namespaces, mounts, pivot_root and the steps' own capability set */
static const cap_value_t execd_caps[] = {
	CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_CHOWN,
	CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_MKNOD, CAP_NET_ADMIN,
	CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETFCAP, CAP_AUDIT_WRITE,
};

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_EXECD,
		.syscalls = execd_syscalls,
		.nsyscalls = execd_nsyscalls,
		.caps = execd_caps,
		.ncaps = ARRAY_SIZE(execd_caps),
	};

	return helper_main(&def, argc, argv);
}
