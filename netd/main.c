/* main.c: kiln-netd, slirp4netns, network namespaces and the registry transport. */
#include <errno.h>
#include <string.h>
#include "netd.h"
#include "registry.h"

/* Both forked helpers (slirp4netns' launcher, the credential helper
 * runner) first, so neither inherits curl's or OpenSSL's state. */
static int
netd_setup(struct helper *h)
{
	int r = slirp_setup(h);

	return r < 0 ? r : registry_setup(h);
}

/* --registry=SPEC, one per kilnd.conf registry line */
static int
netd_option(struct helper *h, const char *key, const char *value)
{
	if (strcmp(key, "registry") == 0)
		return regconf_add(value);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_NETD,
		.syscalls = netd_syscalls,
		.nsyscalls = netd_nsyscalls,
		.rules = netd_rules,
		.nrules = netd_nrules,
		/* host namespaces, as the user: no capability to keep */
		.caps = NULL,
		.ncaps = 0,
		.handlers = {
			[PROC_SUPERVISOR] = slirp_control_handlers,
			[PROC_SNAPD] = registry_handlers,
			[PROC_SOLVERD] = registry_handlers,
		},
		.setup = netd_setup,
		.option = netd_option,
	};
	int r;

	r = helper_main(&def, argc, argv);
	registry_shutdown();
	slirp_shutdown();
	return r;
}
