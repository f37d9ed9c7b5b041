/* cache_dir.h: the build cache's layout directories (kiln-cache.5): kiln-snapd's CACHE_DIR_WRITE and CACHE_DIR_LOAD handlers. */
#ifndef KILN_SNAPD_CACHE_DIR_H
#define KILN_SNAPD_CACHE_DIR_H

#include "helper.h"

/* Messages from solverd; ends with IPC_HANDLERS_END. */
extern const struct ipc_handler snapd_cache_handlers[];

#endif
