/* proc.c: names of kiln's processes. */
#include <string.h>
#include "proc.h"

static const char *const proc_names[PROC_MAX] = {
	[PROC_SUPERVISOR] = "kilnd",
	[PROC_SOLVERD] = "kiln-solverd",
	[PROC_EXECD] = "kiln-execd",
	[PROC_SNAPD] = "kiln-snapd",
	[PROC_NETD] = "kiln-netd",
	[PROC_CLIENT] = "kilnctl",
};

const char *
proc_name(enum kiln_proc p)
{
	if ((unsigned)p >= PROC_MAX)
		return "unknown";
	return proc_names[p];
}

int
proc_from_name(const char *name)
{
	for (int p = 0; p < PROC_MAX; p++) {
		const char *n = proc_names[p];
		if (strcmp(name, n) == 0)
			return p;
		if (strncmp(n, "kiln-", 5) == 0 && strcmp(name, n + 5) == 0)
			return p;
	}
	return -1;
}

int
proc_is_helper(int p)
{
	return p == PROC_SOLVERD || p == PROC_EXECD || p == PROC_SNAPD ||
	    p == PROC_NETD;
}
