/* main.c: kiln-execd, runs each RUN step in a container it sets up itself. */
#include "execd.h"
#include "log.h"
#include "util.h"

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
	};

	return helper_main(&def, argc, argv);
}
