/* main.c: kiln-snapd, the snapshotters, content store, image store and file operations. */
#include "snapd.h"
#include "util.h"

/* overlay mounts and files owned by any mapped id */
static const cap_value_t snapd_caps[] = {
	CAP_SYS_ADMIN, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
	CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP,
};

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_SNAPD,
		.syscalls = snapd_syscalls,
		.nsyscalls = snapd_nsyscalls,
		.caps = snapd_caps,
		.ncaps = ARRAY_SIZE(snapd_caps),
	};

	return helper_main(&def, argc, argv);
}
