/* test-ipc-frame.c: unit tests of frame checks, the bounded msgpack walk and the field reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ipc.h"

const char *__asan_default_options(void);

/* Leaks fail the tests even where ASAN_OPTIONS is not set. */
const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

#define SUP	P_BIT(PROC_SUPERVISOR)
#define SOLVER	P_BIT(PROC_SOLVERD)
#define CLIENT	P_BIT(PROC_CLIENT)

struct frame {
	uint8_t		buf[IPC_MAX_FRAME + 64];
	size_t		n;
};

/* A frame whose header says exactly what the arguments say, right or wrong. */
static void
mkframe_raw(struct frame *f, uint32_t len, uint16_t type, uint8_t version,
    uint8_t nfds, uint32_t id, const void *body, size_t blen)
{
	struct ipc_hdr h = { len, type, version, nfds, id };

	assert_true(IPC_HDR_SIZE + blen <= sizeof(f->buf));
	ipc_hdr_encode(f->buf, &h);
	if (blen)
		memcpy(f->buf + IPC_HDR_SIZE, body, blen);
	f->n = IPC_HDR_SIZE + blen;
}

static void
mkframe(struct frame *f, uint16_t type, uint8_t nfds, uint32_t id,
    const void *body, size_t blen)
{
	mkframe_raw(f, (uint32_t)blen, type, IPC_VERSION, nfds, id, body, blen);
}

static int
decode(struct frame *f, int nfds, unsigned sender, struct ipc_msg *m,
    msgpack_zone *z)
{
	return ipc_frame_decode(f->buf, f->n, nfds, sender, z, m);
}

static void
test_hdr_roundtrip(void **state)
{
	struct ipc_hdr a = { 77, IPC_INFO, IPC_VERSION, 3, 0xdeadbeef }, b;
	uint8_t buf[IPC_HDR_SIZE];

	ipc_hdr_encode(buf, &a);
	ipc_hdr_decode(buf, &b);
	assert_int_equal(b.len, 77);
	assert_int_equal(b.type, IPC_INFO);
	assert_int_equal(b.version, IPC_VERSION);
	assert_int_equal(b.nfds, 3);
	assert_int_equal(b.id, 0xdeadbeef);
}

static void
test_good_empty(void **state)
{
	static struct frame f;
	struct ipc_msg m;
	msgpack_zone z;
	struct ipc_rd rd;

	msgpack_zone_init(&z, 256);
	mkframe(&f, IPC_PING, 0, 42, NULL, 0);
	assert_int_equal(decode(&f, 0, CLIENT, &m, &z), 0);
	assert_int_equal(m.hdr.id, 42);
	assert_int_equal(m.hdr.type, IPC_PING);
	assert_int_equal(m.body.type, MSGPACK_OBJECT_NIL);
	assert_int_equal(ipc_rd_init(&rd, &m.body), 0);
	assert_int_equal(ipc_rd_end(&rd), 0);
	mkframe(&f, IPC_PEER_CONNECT, 1, 0, NULL, 0);
	assert_int_equal(decode(&f, 1, SUP, &m, &z), 0);
	msgpack_zone_destroy(&z);
}

static void
test_good_fields(void **state)
{
	static struct frame f;
	struct ipc_rd rd, sub;
	struct ipc_msg m;
	struct ipc_wr w;
	msgpack_zone z;
	const char *s;
	char *dup;
	size_t len;
	uint64_t u;
	int64_t i;
	int b;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 6);
	msgpack_pack_uint64(&w.pk, UINT64_MAX);
	msgpack_pack_int64(&w.pk, -5);
	msgpack_pack_true(&w.pk);
	ipc_wr_str(&w, "kiln");
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_uint8(&w.pk, 7);
	ipc_wr_str(&w, "");
	msgpack_pack_uint32(&w.pk, 9);
	mkframe(&f, IPC_INFO_REPLY, 0, 3, w.sbuf.data, w.sbuf.size);
	ipc_wr_free(&w);

	msgpack_zone_init(&z, 256);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), 0);
	assert_int_equal(ipc_rd_init(&rd, &m.body), 0);
	assert_int_equal(ipc_rd_u64(&rd, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(ipc_rd_i64(&rd, &i), 0);
	assert_int_equal(i, -5);
	assert_int_equal(ipc_rd_bool(&rd, &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ipc_rd_str(&rd, &s, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "kiln", 4);
	assert_int_equal(ipc_rd_array(&rd, &sub), 0);
	assert_int_equal(ipc_rd_end(&rd), -EBADMSG);	/* one field left */
	assert_int_equal(ipc_rd_i64(&sub, &i), 0);
	assert_int_equal(i, 7);
	assert_int_equal(ipc_rd_strdup(&sub, &dup), 0);
	assert_string_equal(dup, "");
	free(dup);
	assert_int_equal(ipc_rd_end(&sub), 0);
	assert_int_equal(ipc_rd_u64(&sub, &u), -EBADMSG);	/* past the end */
	assert_int_equal(ipc_rd_i64(&rd, &i), 0);
	assert_int_equal(i, 9);
	assert_int_equal(ipc_rd_end(&rd), 0);
	msgpack_zone_destroy(&z);
}

static void
test_short_record(void **state)
{
	static struct frame f;
	struct ipc_hdr h;

	mkframe(&f, IPC_PING, 0, 1, NULL, 0);
	for (size_t n = 0; n < IPC_HDR_SIZE; n++)
		assert_int_equal(ipc_frame_check(f.buf, n, 0, CLIENT, &h),
		    -EBADMSG);
}

static void
test_len_mismatch(void **state)
{
	static struct frame f;
	struct ipc_hdr h;
	const uint8_t body[] = { 0x91, 0x01 };

	/* header claims more than arrived: a truncated record */
	mkframe_raw(&f, 10, IPC_PING, IPC_VERSION, 0, 5, body, sizeof(body));
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, CLIENT, &h), -EBADMSG);
	assert_int_equal(h.id, 5);	/* still there for the error reply */
	/* and less */
	mkframe_raw(&f, 1, IPC_PING, IPC_VERSION, 0, 5, body, sizeof(body));
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, CLIENT, &h), -EBADMSG);
}

static void
test_bad_version(void **state)
{
	static struct frame f;
	struct ipc_hdr h;

	mkframe_raw(&f, 0, IPC_PING, IPC_VERSION + 1, 0, 6, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, CLIENT, &h), -EBADMSG);
	mkframe_raw(&f, 0, IPC_PING, 0, 0, 6, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, CLIENT, &h), -EBADMSG);
	assert_int_equal(h.id, 6);
}

static void
test_unknown_type(void **state)
{
	static struct frame f;
	struct ipc_hdr h;

	mkframe(&f, 0, 0, 1, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SUP, &h), -EPROTO);
	mkframe(&f, 0xffff, 0, 1, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SUP, &h), -EPROTO);
	assert_string_equal(ipc_type_name(0xffff), "unknown");
	assert_string_equal(ipc_type_name(IPC_PING), "PING");
}

static void
test_sender(void **state)
{
	static struct frame f;
	struct ipc_hdr h;

	/* only kilnd may hand out peer sockets or stop a helper */
	mkframe(&f, IPC_SHUTDOWN, 0, 0, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SUP, &h), 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, CLIENT, &h), -EPERM);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SOLVER, &h), -EPERM);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, 0, &h), -EPERM);
	mkframe(&f, IPC_STATUS_REPLY, 0, 9, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SUP, &h), -EPERM);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SOLVER, &h), 0);
}

static void
test_fd_counts(void **state)
{
	static struct frame f;
	struct ipc_hdr h;

	/* header and ancillary data disagree */
	mkframe(&f, IPC_PEER_CONNECT, 1, 0, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 0, SUP, &h), -EBADMSG);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 2, SUP, &h), -EBADMSG);
	mkframe(&f, IPC_PING, 0, 1, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 1, SUP, &h), -EBADMSG);
	/* more than the type may carry */
	mkframe(&f, IPC_PING, 1, 1, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 1, SUP, &h), -EPERM);
	mkframe(&f, IPC_PEER_CONNECT, 2, 0, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, 2, SUP, &h), -EPERM);
	mkframe(&f, IPC_PEER_CONNECT, IPC_MAX_FDS + 1, 0, NULL, 0);
	assert_int_equal(ipc_frame_check(f.buf, f.n, IPC_MAX_FDS + 1, SUP, &h),
	    -EPERM);
}

static void
test_too_big(void **state)
{
	static struct frame f;
	static uint8_t body[IPC_MAX_BODY + 1];
	struct ipc_msg m;
	msgpack_zone z;

	/* a bin of exactly IPC_MAX_BODY bytes is fine, one more is not */
	body[0] = 0xc6;
	body[1] = 0; body[2] = 0x01; body[3] = 0xff; body[4] = 0xfb;
	mkframe(&f, IPC_INFO_REPLY, 0, 1, body, IPC_MAX_BODY);
	msgpack_zone_init(&z, 256);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), 0);
	assert_int_equal(m.body.type, MSGPACK_OBJECT_BIN);
	mkframe(&f, IPC_INFO_REPLY, 0, 1, body, IPC_MAX_BODY + 1);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), -E2BIG);
	/* a huge len refused before it is compared with the record */
	mkframe_raw(&f, UINT32_MAX, IPC_PING, IPC_VERSION, 0, 1, NULL, 0);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), -E2BIG);
	msgpack_zone_destroy(&z);
}

static int
check_body(const uint8_t *b, size_t n)
{
	return ipc_body_check(b, n);
}

static void
test_gigabytes(void **state)
{
	static struct frame f;
	/* array32 / map32 of 2^32-1 elements: msgpack-c would try to
	 * allocate count * sizeof(msgpack_object) before reading them */
	const uint8_t arr[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
	const uint8_t map[] = { 0xdf, 0xff, 0xff, 0xff, 0xff };
	const uint8_t arr16[] = { 0xdc, 0x00, 0x03, 0x01, 0x02 };
	const uint8_t map16[] = { 0xde, 0x00, 0x02, 0x01, 0x02, 0x03 };
	const uint8_t fix[] = { 0x93, 0x01, 0x02 };
	const uint8_t fixmap[] = { 0x81, 0x01 };
	const uint8_t str[] = { 0xdb, 0x7f, 0xff, 0xff, 0xff, 'a' };
	struct ipc_msg m;
	msgpack_zone z;

	assert_int_equal(check_body(arr, sizeof(arr)), -EBADMSG);
	assert_int_equal(check_body(map, sizeof(map)), -EBADMSG);
	assert_int_equal(check_body(arr16, sizeof(arr16)), -EBADMSG);
	assert_int_equal(check_body(map16, sizeof(map16)), -EBADMSG);
	assert_int_equal(check_body(fix, sizeof(fix)), -EBADMSG);
	assert_int_equal(check_body(fixmap, sizeof(fixmap)), -EBADMSG);
	assert_int_equal(check_body(str, sizeof(str)), -EBADMSG);
	mkframe(&f, IPC_INFO_REPLY, 0, 1, arr, sizeof(arr));
	msgpack_zone_init(&z, 256);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), -EBADMSG);
	msgpack_zone_destroy(&z);
}

static void
test_truncated_scalars(void **state)
{
	const uint8_t cases[][3] = {
		{ 0xcf, 0x01, 0x02 },	/* u64 with 2 of 8 bytes */
		{ 0xcb, 0x00, 0x00 },	/* double */
		{ 0xd9, 0x05, 'a' },	/* str8 of 5 with 1 */
		{ 0xc5, 0x01, 0x00 },	/* bin16 of 256 */
		{ 0xc1, 0x00, 0x00 },	/* never used */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(check_body(cases[i], 3), -EBADMSG);
	assert_int_equal(check_body((const uint8_t *)"\xcd\x01", 2), -EBADMSG);
	assert_int_equal(check_body((const uint8_t *)"\xcd\x01\x02", 3), 0);
}

static void
test_depth(void **state)
{
	uint8_t b[64];
	size_t n;

	/* IPC_MAX_DEPTH nested arrays around an int are fine */
	memset(b, 0x91, IPC_MAX_DEPTH);
	b[IPC_MAX_DEPTH] = 0x01;
	assert_int_equal(check_body(b, IPC_MAX_DEPTH + 1), 0);
	/* deeper is refused, whatever is inside */
	n = IPC_MAX_DEPTH + 1;
	memset(b, 0x91, n);
	b[n] = 0x01;
	assert_int_equal(check_body(b, n + 1), -EBADMSG);
	memset(b, 0x81, 40);	/* maps: keys nested */
	memset(b + 40, 0x01, 24);
	assert_int_equal(check_body(b, sizeof(b)), -EBADMSG);
}

static void
test_trailing(void **state)
{
	static struct frame f;
	const uint8_t two[] = { 0x90, 0x01 };	/* two objects */
	const uint8_t one[] = { 0x92, 0x01, 0x02, 0x03 };
	struct ipc_msg m;
	msgpack_zone z;

	assert_int_equal(check_body(two, sizeof(two)), -EBADMSG);
	assert_int_equal(check_body(one, sizeof(one)), -EBADMSG);
	assert_int_equal(check_body(one, sizeof(one) - 1), 0);
	mkframe(&f, IPC_INFO_REPLY, 0, 1, two, sizeof(two));
	msgpack_zone_init(&z, 256);
	assert_int_equal(decode(&f, 0, SUP, &m, &z), -EBADMSG);
	msgpack_zone_destroy(&z);
}

static void
test_ext(void **state)
{
	const uint8_t fixext1[] = { 0xd4, 0x01, 0x00 };
	const uint8_t fixext16[18] = { 0xd8, 0x01 };
	const uint8_t ext8[] = { 0xc7, 0x01, 0x01, 0x00 };
	const uint8_t ext16[] = { 0xc8, 0x00, 0x01, 0x01, 0x00 };
	const uint8_t ext32[] = { 0xc9, 0, 0, 0, 0x01, 0x01, 0x00 };
	const uint8_t inarr[] = { 0x91, 0xd4, 0x01, 0x00 };

	assert_int_equal(check_body(fixext1, sizeof(fixext1)), -EBADMSG);
	assert_int_equal(check_body(fixext16, sizeof(fixext16)), -EBADMSG);
	assert_int_equal(check_body(ext8, sizeof(ext8)), -EBADMSG);
	assert_int_equal(check_body(ext16, sizeof(ext16)), -EBADMSG);
	assert_int_equal(check_body(ext32, sizeof(ext32)), -EBADMSG);
	assert_int_equal(check_body(inarr, sizeof(inarr)), -EBADMSG);
}

static void
test_all_scalars(void **state)
{
	/* every scalar kind the walk accepts, inside one array */
	const uint8_t b[] = {
		0xdc, 0x00, 19, 0x00, 0xff, 0xc0, 0xc2, 0xc3, 0xa1, 'x',
		0xcc, 1, 0xd0, 1, 0xcd, 1, 2, 0xd1, 1, 2,
		0xce, 1, 2, 3, 4, 0xd2, 1, 2, 3, 4,
		0xca, 0, 0, 0, 0, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0,
		0xc4, 1, 'b', 0xd9, 1, 'c', 0xda, 0, 1, 'd',
		0x80, 0x90,
	};

	assert_int_equal(check_body(b, sizeof(b)), 0);
	assert_int_equal(check_body(b, 0), 0);
}

/* Unpacks a body for the reader tests; the zone keeps it alive. */
static void
unpack(msgpack_zone *z, const struct ipc_wr *w, msgpack_object *o)
{
	size_t off = 0;

	assert_int_equal(ipc_body_check((const uint8_t *)w->sbuf.data,
	    w->sbuf.size), 0);
	assert_int_equal(msgpack_unpack(w->sbuf.data, w->sbuf.size, &off, z, o),
	    MSGPACK_UNPACK_SUCCESS);
}

static void
test_rd_types(void **state)
{
	struct ipc_rd rd, sub;
	msgpack_object o;
	msgpack_zone z;
	struct ipc_wr w;
	const char *s;
	size_t len;
	uint64_t u;
	int64_t i;
	int b;

	msgpack_zone_init(&z, 256);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 5);
	msgpack_pack_int64(&w.pk, -1);
	msgpack_pack_uint64(&w.pk, (uint64_t)INT64_MAX + 1);
	ipc_wr_str(&w, "s");
	msgpack_pack_nil(&w.pk);
	msgpack_pack_uint8(&w.pk, 1);
	unpack(&z, &w, &o);
	assert_int_equal(ipc_rd_init(&rd, &o), 0);
	assert_int_equal(ipc_rd_u64(&rd, &u), -EBADMSG);	/* negative */
	assert_int_equal(ipc_rd_i64(&rd, &i), -EBADMSG);	/* > INT64_MAX */
	assert_int_equal(ipc_rd_bool(&rd, &b), -EBADMSG);
	assert_int_equal(ipc_rd_array(&rd, &sub), -EBADMSG);	/* nil */
	assert_int_equal(ipc_rd_str(&rd, &s, &len), -EBADMSG);
	assert_int_equal(ipc_rd_end(&rd), 0);
	ipc_wr_free(&w);

	/* a body that is not an array */
	ipc_wr_init(&w);
	msgpack_pack_map(&w.pk, 0);
	unpack(&z, &w, &o);
	assert_int_equal(ipc_rd_init(&rd, &o), -EBADMSG);
	ipc_wr_free(&w);
	msgpack_zone_destroy(&z);
}

static void
test_rd_strdup_nul(void **state)
{
	struct ipc_rd rd;
	msgpack_object o;
	msgpack_zone z;
	struct ipc_wr w;
	const char *s;
	char *d = NULL;
	size_t len;

	msgpack_zone_init(&z, 256);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	msgpack_pack_str(&w.pk, 3);
	msgpack_pack_str_body(&w.pk, "a\0b", 3);
	msgpack_pack_str(&w.pk, 1);
	msgpack_pack_str_body(&w.pk, "\0", 1);
	ipc_wr_str(&w, "ok");
	unpack(&z, &w, &o);
	assert_int_equal(ipc_rd_init(&rd, &o), 0);
	assert_int_equal(ipc_rd_strdup(&rd, &d), -EBADMSG);
	assert_null(d);
	assert_int_equal(ipc_rd_strdup(&rd, &d), -EBADMSG);
	assert_null(d);
	assert_int_equal(ipc_rd_strdup(&rd, &d), 0);
	assert_string_equal(d, "ok");
	free(d);
	assert_int_equal(ipc_rd_end(&rd), 0);
	/* ipc_rd_str hands the raw bytes over, NULs and all */
	assert_int_equal(ipc_rd_init(&rd, &o), 0);
	assert_int_equal(ipc_rd_str(&rd, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	ipc_wr_free(&w);
	msgpack_zone_destroy(&z);
}

static void
test_error_parse(void **state)
{
	static struct frame f;
	struct ipc_msg m;
	struct ipc_wr w;
	msgpack_zone z;
	const char *t;
	int64_t err;
	size_t len;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_int64(&w.pk, ENOENT);
	ipc_wr_str(&w, "gone");
	mkframe(&f, IPC_ERROR, 0, 4, w.sbuf.data, w.sbuf.size);
	ipc_wr_free(&w);
	msgpack_zone_init(&z, 256);
	assert_int_equal(decode(&f, 0, CLIENT, &m, &z), 0);
	assert_int_equal(ipc_error_parse(&m, &err, &t, &len), 0);
	assert_int_equal(err, ENOENT);
	assert_int_equal(len, 4);
	/* an ERROR with no body, or with extra fields, is not an error body */
	mkframe(&f, IPC_ERROR, 0, 4, NULL, 0);
	assert_int_equal(decode(&f, 0, CLIENT, &m, &z), 0);
	assert_int_equal(ipc_error_parse(&m, &err, &t, &len), -EBADMSG);
	mkframe(&f, IPC_ERROR, 0, 4, "\x93\x01\xa0\x02", 4);
	assert_int_equal(decode(&f, 0, CLIENT, &m, &z), 0);
	assert_int_equal(ipc_error_parse(&m, &err, &t, &len), -EBADMSG);
	msgpack_zone_destroy(&z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_roundtrip),
		cmocka_unit_test(test_good_empty),
		cmocka_unit_test(test_good_fields),
		cmocka_unit_test(test_short_record),
		cmocka_unit_test(test_len_mismatch),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_sender),
		cmocka_unit_test(test_fd_counts),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_gigabytes),
		cmocka_unit_test(test_truncated_scalars),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_ext),
		cmocka_unit_test(test_all_scalars),
		cmocka_unit_test(test_rd_types),
		cmocka_unit_test(test_rd_strdup_nul),
		cmocka_unit_test(test_error_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
