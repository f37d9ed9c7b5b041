/* main.c: kiln-solverd, the API server, Dockerfile frontend and build scheduler. */
#include "solverd.h"
#include "util.h"

static const struct ipc_handler from_supervisor[] = {
	{ IPC_API_LISTEN, api_on_listen },
	IPC_HANDLERS_END
};

/* solverd touches no file, mount or process: it needs no capability */
static const struct helper_def solverd_def = {
	.self = PROC_SOLVERD,
	.syscalls = solverd_syscalls,
	.caps = NULL,
	.ncaps = 0,
	.handlers = { [PROC_SUPERVISOR] = from_supervisor },
};

int
main(int argc, char **argv)
{
	struct helper_def def = solverd_def;

	def.nsyscalls = solverd_nsyscalls;
	return helper_main(&def, argc, argv);
}
