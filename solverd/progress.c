/* progress.c: a build's progress events to its client (BUILD_VERTEX, BUILD_STATUS, BUILD_LOG, BUILD_WARN, BUILD_PROGRESS). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "build.h"
#include "forward.h"

#define LOG_CHUNK	(32 * 1024)

static struct ipc_peer *
client_of(struct build *b)
{
	return b->client ? b->client->peer : NULL;
}

void
progress_vertex(struct build *b, const struct vertex *v)
{
	struct ipc_peer *p = client_of(b);
	const struct vertex *in[64];
	size_t n;
	struct ipc_wr w;

	if (p == NULL)
		return;
	n = vertex_inputs(v, in, 64);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	msgpack_pack_uint64(&w.pk, v->n);
	ipc_wr_str(&w, v->name ? v->name : "");
	msgpack_pack_array(&w.pk, n);
	for (size_t i = 0; i < n; i++)
		msgpack_pack_uint64(&w.pk, in[i]->n);
	ipc_send(p, IPC_BUILD_VERTEX, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
}

void
progress_vertex_n(struct build *b, uint64_t n, const char *name)
{
	struct ipc_peer *p = client_of(b);
	struct ipc_wr w;

	if (p == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	msgpack_pack_uint64(&w.pk, n);
	ipc_wr_str(&w, name);
	msgpack_pack_array(&w.pk, 0);
	ipc_send(p, IPC_BUILD_VERTEX, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
}

void
progress_pull(struct build *b, uint64_t n, const char *id, uint64_t current,
    uint64_t total, const char *state)
{
	struct ipc_peer *p = client_of(b);
	struct ipc_wr w;

	if (p == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 6);
	msgpack_pack_uint64(&w.pk, n);
	ipc_wr_str(&w, id);
	msgpack_pack_uint64(&w.pk, current);
	msgpack_pack_uint64(&w.pk, total);
	msgpack_pack_int64(&w.pk, build_ms(b));
	ipc_wr_str(&w, state);
	/* a client that does not read loses progress, not the build */
	ipc_send(p, IPC_BUILD_PROGRESS, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
}

void
progress_status(struct build *b, const struct vertex *v, const char *state,
    long long duration, const char *error)
{
	progress_status_n(b, v->n, state, duration, error);
}

void
progress_status_n(struct build *b, uint64_t n, const char *state, long long duration,
    const char *error)
{
	struct ipc_peer *p = client_of(b);
	struct ipc_wr w;

	if (p == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 5);
	msgpack_pack_uint64(&w.pk, n);
	ipc_wr_str(&w, state);
	msgpack_pack_int64(&w.pk, build_ms(b));
	msgpack_pack_int64(&w.pk, duration);
	ipc_wr_str(&w, error ? error : "");
	ipc_send(p, IPC_BUILD_STATUS, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
}

void
progress_log(struct build *b, const struct vertex *v, int stream, const char *data,
    size_t len)
{
	struct ipc_peer *p = client_of(b);

	for (size_t o = 0; p && o < len; o += LOG_CHUNK) {
		size_t n = len - o < LOG_CHUNK ? len - o : LOG_CHUNK;
		struct ipc_wr w;

		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 4);
		msgpack_pack_uint64(&w.pk, v->n);
		msgpack_pack_uint64(&w.pk, (uint64_t)stream);
		msgpack_pack_int64(&w.pk, build_ms(b));
		msgpack_pack_str(&w.pk, n);
		msgpack_pack_str_body(&w.pk, data + o, n);
		/* a client that does not read loses log lines, not the build */
		if (ipc_send(p, IPC_BUILD_LOG, b->id, &w, NULL, 0) == -ENOBUFS) {
			ipc_wr_free(&w);
			return;
		}
		ipc_wr_free(&w);
	}
}

void
progress_warn(struct build *b, const char *fmt, ...)
{
	struct ipc_peer *p = client_of(b);
	char msg[1024];
	struct ipc_wr w;
	va_list ap;

	if (p == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, msg);
	ipc_send(p, IPC_BUILD_WARN, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
}
