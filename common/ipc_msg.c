/* ipc_msg.c: the table generated from ipc_msg.h. */
#include <stddef.h>
#include <string.h>
#include "ipc_msg.h"

static const struct ipc_type_info ipc_types[] = {
#define IPC_X_INFO(n, code, kind, senders, fds) \
	{ code, #n, IPC_KIND_##kind, senders, fds },
	IPC_MESSAGES(IPC_X_INFO)
#undef IPC_X_INFO
};

const struct ipc_type_info *
ipc_type_lookup(uint16_t type)
{
	for (size_t i = 0; i < sizeof(ipc_types) / sizeof(ipc_types[0]); i++)
		if (ipc_types[i].type == type)
			return &ipc_types[i];
	return NULL;
}

const char *
ipc_type_name(uint16_t type)
{
	const struct ipc_type_info *t = ipc_type_lookup(type);
	return t ? t->name : "unknown";
}

const struct ipc_type_info *
ipc_type_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(ipc_types) / sizeof(ipc_types[0]); i++)
		if (strcmp(ipc_types[i].name, name) == 0)
			return &ipc_types[i];
	return NULL;
}
