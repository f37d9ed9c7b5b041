/* main.c: kiln-netd, slirp4netns, network namespaces and the registry transport. */
#include "netd.h"

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_NETD,
		.syscalls = netd_syscalls,
		.nsyscalls = netd_nsyscalls,
		/* host namespaces, as the user: no capability to keep */
		.caps = NULL,
		.ncaps = 0,
		.handlers = { [PROC_SUPERVISOR] = slirp_control_handlers },
		.setup = slirp_setup,
	};
	int r;

	r = helper_main(&def, argc, argv);
	slirp_shutdown();
	return r;
}
