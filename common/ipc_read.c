/* ipc_read.c: reads a message body field by field and checks nothing is left. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "ipc.h"

int
ipc_rd_init(struct ipc_rd *rd, const msgpack_object *body)
{
	rd->i = 0;
	if (body->type == MSGPACK_OBJECT_NIL) {
		rd->items = NULL;
		rd->n = 0;
		return 0;
	}
	if (body->type != MSGPACK_OBJECT_ARRAY)
		return -EBADMSG;
	rd->items = body->via.array.ptr;
	rd->n = body->via.array.size;
	return 0;
}

static const msgpack_object *
rd_next(struct ipc_rd *rd)
{
	if (rd->i >= rd->n)
		return NULL;
	return &rd->items[rd->i++];
}

int
ipc_rd_u64(struct ipc_rd *rd, uint64_t *v)
{
	const msgpack_object *o = rd_next(rd);

	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return -EBADMSG;
	*v = o->via.u64;
	return 0;
}

int
ipc_rd_i64(struct ipc_rd *rd, int64_t *v)
{
	const msgpack_object *o = rd_next(rd);

	if (o == NULL)
		return -EBADMSG;
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    o->via.u64 <= INT64_MAX) {
		*v = (int64_t)o->via.u64;
		return 0;
	}
	return -EBADMSG;
}

int
ipc_rd_bool(struct ipc_rd *rd, int *v)
{
	const msgpack_object *o = rd_next(rd);

	if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN)
		return -EBADMSG;
	*v = o->via.boolean;
	return 0;
}

int
ipc_rd_str(struct ipc_rd *rd, const char **s, size_t *len)
{
	const msgpack_object *o = rd_next(rd);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return -EBADMSG;
	*s = o->via.str.ptr;
	*len = o->via.str.size;
	return 0;
}

int
ipc_rd_strdup(struct ipc_rd *rd, char **s)
{
	const char *p;
	size_t len;
	int r;

	r = ipc_rd_str(rd, &p, &len);
	if (r < 0)
		return r;
	if (len && memchr(p, '\0', len))
		return -EBADMSG;
	*s = strndup(len ? p : "", len);
	return *s ? 0 : -ENOMEM;
}

int
ipc_rd_array(struct ipc_rd *rd, struct ipc_rd *sub)
{
	const msgpack_object *o = rd_next(rd);

	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY)
		return -EBADMSG;
	sub->items = o->via.array.ptr;
	sub->n = o->via.array.size;
	sub->i = 0;
	return 0;
}

int
ipc_rd_end(const struct ipc_rd *rd)
{
	return rd->i == rd->n ? 0 : -EBADMSG;
}

void
ipc_wr_init(struct ipc_wr *w)
{
	msgpack_sbuffer_init(&w->sbuf);
	msgpack_packer_init(&w->pk, &w->sbuf, msgpack_sbuffer_write);
}

void
ipc_wr_free(struct ipc_wr *w)
{
	msgpack_sbuffer_destroy(&w->sbuf);
}

void
ipc_wr_str(struct ipc_wr *w, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, s, n);
}

int
ipc_rd_strcpy(struct ipc_rd *rd, char *out, size_t size)
{
	const char *s;
	size_t len;

	if (ipc_rd_str(rd, &s, &len) < 0)
		return -EBADMSG;
	snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), s);
	return 0;
}
