/* main.c: kiln-solverd, the API server, Dockerfile frontend and build scheduler. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cachedb.h"
#include "job.h"
#include "solverd.h"
#include "util.h"

static const struct ipc_handler from_supervisor[] = {
	{ IPC_API_LISTEN, api_on_listen },
	IPC_HANDLERS_END
};

static int max_parallelism;

/* --max-parallelism=N: steps run at once (default: the cores) */
static int
solverd_option(struct helper *h, const char *key, const char *value)
{
	char *end;
	long n;

	if (strcmp(key, "max-parallelism") != 0)
		return -EINVAL;
	n = strtol(value, &end, 10);
	if (*value == '\0' || *end || n < 1 || n > 1024)
		return -EINVAL;
	max_parallelism = (int)n;
	return 0;
}

/* Before the filter: the database and its -wal and -shm files, and the
 * number of cores (sysconf reads /sys) */
static int
solverd_setup(struct helper *h)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	job_set_parallelism(max_parallelism ? max_parallelism : cores > 0 ? (int)cores : 1);
	return cachedb_open(getenv("KILN_SOLVERD_DB"));
}

static void
solverd_peer_down(struct helper *h, enum kiln_proc peer, struct ipc_peer *p)
{
	job_peer_lost(peer);
}

/* solverd mounts nothing and runs nothing: it needs no capability */
static const struct helper_def solverd_def = {
	.self = PROC_SOLVERD,
	.syscalls = solverd_syscalls,
	.caps = NULL,
	.ncaps = 0,
	.handlers = { [PROC_SUPERVISOR] = from_supervisor },
	.setup = solverd_setup,
	.option = solverd_option,
	.peer_down = solverd_peer_down,
};

int
main(int argc, char **argv)
{
	struct helper_def def = solverd_def;

	def.nsyscalls = solverd_nsyscalls;
	return helper_main(&def, argc, argv);
}
