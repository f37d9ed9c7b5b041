/* cmd_call.c: kilnctl debug call: sends any message with a JSON-written body and fds, prints each answer as JSON (for tests). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "kilnctl.h"

#define CALL_MAX_FDS	IPC_MAX_FDS

static int
call_usage(void)
{
	fprintf(stderr, "usage: kilnctl debug call TYPE [BODY-JSON] "
	    "[--fd-dir PATH | --fd-read PATH | --fd-write PATH]...\n");
	return 2;
}

static void
pack_json(msgpack_packer *pk, const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(j));
		json_object_foreach((json_t *)j, key, v) {
			msgpack_pack_str_with_body(pk, key, strlen(key));
			pack_json(pk, v);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(j));
		json_array_foreach(j, i, v)
			pack_json(pk, v);
		break;
	case JSON_STRING:
		msgpack_pack_str_with_body(pk, json_string_value(j),
		    json_string_length(j));
		break;
	case JSON_INTEGER:
		msgpack_pack_int64(pk, json_integer_value(j));
		break;
	case JSON_REAL:
		msgpack_pack_double(pk, json_real_value(j));
		break;
	case JSON_TRUE:
		msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		msgpack_pack_false(pk);
		break;
	default:
		msgpack_pack_nil(pk);
	}
}

static json_t *
to_json(const msgpack_object *o)
{
	json_t *j;

	switch (o->type) {
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR:
		return json_stringn_nocheck(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN:
		return json_stringn_nocheck(o->via.bin.ptr, o->via.bin.size);
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, to_json(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			char name[256];

			if (k->type != MSGPACK_OBJECT_STR)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)k->via.str.size,
			    k->via.str.ptr);
			json_object_set_new(j, name, to_json(&o->via.map.ptr[i].val));
		}
		return j;
	default:
		return json_null();
	}
}

static int
open_fd_arg(const char *opt, const char *path)
{
	int fd = -1;

	if (strcmp(opt, "--fd-dir") == 0)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (strcmp(opt, "--fd-read") == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	else if (strcmp(opt, "--fd-write") == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	else
		return -EINVAL;
	if (fd < 0)
		fprintf(stderr, "kilnctl: %s %s: %s\n", opt, path, strerror(errno));
	return fd < 0 ? -errno : fd;
}

static void
print_answer(const struct ipc_msg *m)
{
	json_t *j = m->hdr.len ? to_json(&m->body) : json_null();
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

	printf("%s %s\n", ipc_type_name(m->hdr.type), text ? text : "null");
	fflush(stdout);
	free(text);
	json_decref(j);
}

/* Prints every answer to request id; 0 for a reply that is not ERROR. */
static int
wait_answers(struct ctl *c, uint32_t id)
{
	int fds[IPC_MAX_FDS], nfds, r;
	const struct ipc_type_info *t;
	ssize_t n;

	for (;;) {
		n = ipc_frame_recv(c->fd, c->buf, sizeof(c->buf), fds, &nfds, 0);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		if (n <= 0)
			return n == 0 ? -ECONNRESET : (int)n;
		msgpack_zone_clear(&c->zone);
		r = ipc_frame_decode(c->buf, (size_t)n, nfds, P_DAEMON, &c->zone,
		    &c->reply);
		if (r < 0)
			return r;
		if (c->reply.hdr.id != id)
			continue;
		print_answer(&c->reply);
		t = ipc_type_lookup(c->reply.hdr.type);
		if (t && t->kind == IPC_KIND_EVENT)
			continue;
		return c->reply.hdr.type == IPC_ERROR ? -EIO : 0;
	}
}

static int
send_call(struct ctl *c, uint16_t type, const char *body, int *fds, int nfds)
{
	json_error_t jerr;
	struct ipc_wr w;
	json_t *j = NULL;
	int r;

	ipc_wr_init(&w);
	if (body) {
		j = json_loads(body, JSON_DECODE_ANY, &jerr);
		if (j == NULL) {
			fprintf(stderr, "kilnctl: body: %s\n", jerr.text);
			r = -EINVAL;
			goto out;
		}
		pack_json(&w.pk, j);
	}
	r = ipc_frame_send(c->fd, type, 1, w.sbuf.data, w.sbuf.size, fds, nfds);
	if (r < 0)
		fprintf(stderr, "kilnctl: sending: %s\n", strerror(-r));
out:
	json_decref(j);
	ipc_wr_free(&w);
	return r;
}

int
cmd_debug_call(struct ctl *c, int argc, char **argv)
{
	const struct ipc_type_info *t;
	const char *body = NULL;
	int fds[CALL_MAX_FDS], nfds = 0, r = 2;

	if (argc < 2 || (t = ipc_type_by_name(argv[1])) == NULL)
		return call_usage();
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] != '-' && body == NULL) {
			body = argv[i];
			continue;
		}
		if (i + 1 >= argc || nfds == CALL_MAX_FDS)
			goto out;
		if ((fds[nfds] = open_fd_arg(argv[i], argv[i + 1])) < 0) {
			r = fds[nfds] == -EINVAL ? 2 : 1;
			goto out;
		}
		nfds++;
		i++;
	}
	r = 1;
	if (send_call(c, t->type, body, fds, nfds) < 0)
		goto out;
	if (wait_answers(c, 1) == 0)
		r = 0;
out:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return r == 2 ? call_usage() : r;
}
