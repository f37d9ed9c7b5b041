/* main.c: kiln-execd, runs each RUN step in a container it sets up itself. */
#include <errno.h>
#include <string.h>
#include "execd.h"
#include "log.h"
#include "util.h"

struct execd_opts execd_opts;

/* kilnd passes its own flags of the same names (supervisor/spawn.c). */
static int
execd_option(struct helper *h, const char *key, const char *value)
{
	if (strcmp(key, "no-process-sandbox") == 0 && value[0] == '\0')
		execd_opts.no_process_sandbox = 1;
	else if (strcmp(key, "allow-insecure-entitlement") == 0 &&
	    strcmp(value, "security.insecure") == 0)
		execd_opts.allow_insecure = 1;
	else
		return -EINVAL;
	return 0;
}

static const struct ipc_handler from_solverd[] = {
	{ IPC_EXEC_RUN, run_on_exec },
	{ IPC_EXEC_CANCEL, run_on_cancel },
	IPC_HANDLERS_END
};

/* Forks the step spawner (spawner.c) before lockdown: it keeps what the
 * steps' setup needs, so execd itself can keep nothing. */
static int
execd_setup(struct helper *h)
{
	int fd, r;

	if (execd_opts.no_process_sandbox)
		log_warn("--no-process-sandbox: steps share kiln's pid namespace "
		    "and see kiln's /proc; a process a step leaves behind outside "
		    "its process group cannot be killed, and a step can signal "
		    "kiln's own processes");
	if (execd_opts.allow_insecure)
		log_warn("security.insecure allowed: a step that asks for it keeps "
		    "every capability and runs without a seccomp profile");
	r = spawner_start(&fd);
	if (r < 0)
		return r;
	return run_attach_spawner(h, fd);
}

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_EXECD,
		.syscalls = execd_syscalls,
		.nsyscalls = execd_nsyscalls,
		/* every capability the steps need lives in the spawner */
		.caps = NULL,
		.ncaps = 0,
		.handlers = { [PROC_SOLVERD] = from_solverd },
		.setup = execd_setup,
		.peer_up = run_peer_up,
		.option = execd_option,
	};

	return helper_main(&def, argc, argv);
}
