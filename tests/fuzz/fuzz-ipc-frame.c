/* fuzz-ipc-frame.c: libFuzzer harness for frame checks, the msgpack walk and the field reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct ipc_rd *rd, int depth);
static volatile char sink;

/* Reads item i with the reader its type calls for, and with a wrong one,
 * so both the success and the refusal paths run. */
static void
read_item(struct ipc_rd *rd, int depth)
{
	const msgpack_object *o = &rd->items[rd->i];
	struct ipc_rd at = *rd, sub;
	const char *s;
	char *d;
	size_t len;
	uint64_t u;
	int64_t i;
	int b;

	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		(void)ipc_rd_u64(&at, &u);
		at = *rd;
		(void)ipc_rd_i64(rd, &i);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		(void)ipc_rd_str(&at, &s, &len);
		(void)ipc_rd_bool(rd, &b);
		break;
	case MSGPACK_OBJECT_STR:
		if (ipc_rd_str(&at, &s, &len) == 0 && len)
			sink = s[0] ^ s[len - 1];	/* ASan: in bounds? */
		if (ipc_rd_strdup(rd, &d) == 0) {
			if (strlen(d) != len)
				abort();	/* an embedded NUL got through */
			free(d);
		}
		break;
	case MSGPACK_OBJECT_ARRAY:
		if (ipc_rd_array(rd, &sub) == 0)
			walk(&sub, depth + 1);
		break;
	default:
		(void)ipc_rd_array(&at, &sub);
		(void)ipc_rd_bool(rd, &b);	/* refused, but consumed */
		break;
	}
}

static void
walk(struct ipc_rd *rd, int depth)
{
	if (depth > IPC_MAX_DEPTH)
		abort();	/* ipc_body_check let too deep a body through */
	while (rd->i < rd->n)
		read_item(rd, depth);
	if (ipc_rd_end(rd) != 0)
		abort();
}

/* data[0]: low nibble the descriptor count, high nibble the sender; the
 * rest is one received record. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_msg m;
	struct ipc_rd rd;
	msgpack_zone zone;
	int nfds;
	unsigned sender;

	if (size < 1)
		return 0;
	nfds = data[0] & 0x0f;
	sender = P_BIT((data[0] >> 4) % PROC_MAX);
	msgpack_zone_init(&zone, 1024);
	if (ipc_frame_decode(data + 1, size - 1, nfds, sender, &zone, &m) == 0 &&
	    ipc_rd_init(&rd, &m.body) == 0)
		walk(&rd, 0);
	msgpack_zone_destroy(&zone);
	return 0;
}
