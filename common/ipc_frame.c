/* ipc_frame.c: checks and decodes one received frame before anyone trusts it. */
#include <errno.h>
#include <string.h>
#include "ipc.h"

static uint32_t
rd_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t
rd_u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

void
ipc_hdr_encode(uint8_t out[IPC_HDR_SIZE], const struct ipc_hdr *h)
{
	memcpy(out, &h->len, 4);
	memcpy(out + 4, &h->type, 2);
	out[6] = h->version;
	out[7] = h->nfds;
	memcpy(out + 8, &h->id, 4);
}

void
ipc_hdr_decode(const uint8_t buf[IPC_HDR_SIZE], struct ipc_hdr *hdr)
{
	hdr->len = rd_u32(buf);
	hdr->type = rd_u16(buf + 4);
	hdr->version = buf[6];
	hdr->nfds = buf[7];
	hdr->id = rd_u32(buf + 8);
}

int
ipc_frame_check(const uint8_t *buf, size_t n, int nfds, unsigned sender,
    struct ipc_hdr *hdr)
{
	const struct ipc_type_info *t;

	if (n < IPC_HDR_SIZE)
		return -EBADMSG;
	ipc_hdr_decode(buf, hdr);
	if (hdr->version != IPC_VERSION)
		return -EBADMSG;
	if (hdr->len > IPC_MAX_BODY)
		return -E2BIG;
	if ((size_t)hdr->len != n - IPC_HDR_SIZE)
		return -EBADMSG;
	if (hdr->nfds != nfds)
		return -EBADMSG;
	t = ipc_type_lookup(hdr->type);
	if (t == NULL)
		return -EPROTO;
	if (!(t->senders & sender))
		return -EPERM;
	if (nfds > t->max_fds)
		return -EPERM;
	return 0;
}

/* Size of the fixed part after the tag byte, and the length that follows
 * it for str/bin/ext (read from the next lenbytes bytes). */
static int
tag_layout(uint8_t tag, size_t *fixed, size_t *lenbytes, int *count_kind)
{
	*fixed = 0;
	*lenbytes = 0;
	*count_kind = 0;	/* 1 array, 2 map */
	if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 ||
	    tag == 0xc3)
		return 0;
	if (tag >= 0x80 && tag <= 0x8f) {
		*count_kind = 2;
		return 0;
	}
	if (tag >= 0x90 && tag <= 0x9f) {
		*count_kind = 1;
		return 0;
	}
	if (tag >= 0xa0 && tag <= 0xbf)
		return 0;
	switch (tag) {
	case 0xc4: case 0xd9: *lenbytes = 1; return 0;
	case 0xc5: case 0xda: *lenbytes = 2; return 0;
	case 0xc6: case 0xdb: *lenbytes = 4; return 0;
	case 0xca: *fixed = 4; return 0;
	case 0xcb: *fixed = 8; return 0;
	case 0xcc: case 0xd0: *fixed = 1; return 0;
	case 0xcd: case 0xd1: *fixed = 2; return 0;
	case 0xce: case 0xd2: *fixed = 4; return 0;
	case 0xcf: case 0xd3: *fixed = 8; return 0;
	case 0xdc: *lenbytes = 2; *count_kind = 1; return 0;
	case 0xdd: *lenbytes = 4; *count_kind = 1; return 0;
	case 0xde: *lenbytes = 2; *count_kind = 2; return 0;
	case 0xdf: *lenbytes = 4; *count_kind = 2; return 0;
	}
	return -EBADMSG;	/* 0xc1 and ext types: kiln never sends them */
}

static uint64_t
rd_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int
walk_object(const uint8_t *p, size_t len, size_t *off, int depth)
{
	size_t fixed, lenbytes, left;
	int kind;
	uint8_t tag;
	uint64_t n;

	if (depth > IPC_MAX_DEPTH || *off >= len)
		return -EBADMSG;
	tag = p[(*off)++];
	if (tag_layout(tag, &fixed, &lenbytes, &kind) < 0)
		return -EBADMSG;
	left = len - *off;
	if (fixed + lenbytes > left)
		return -EBADMSG;
	if (lenbytes)
		n = rd_be(p + *off, lenbytes);
	else if (kind)
		n = tag & 0x0f;
	else
		n = (tag >= 0xa0 && tag <= 0xbf) ? (uint64_t)(tag & 0x1f) : 0;
	*off += fixed + lenbytes;
	left = len - *off;
	if (!kind) {
		if (n > left)
			return -EBADMSG;
		*off += n;
		return 0;
	}
	/* every element takes at least one byte: refuse counts the frame
	 * cannot hold before msgpack-c allocates for them */
	if (kind == 2)
		n *= 2;
	if (n > left)
		return -EBADMSG;
	for (uint64_t i = 0; i < n; i++) {
		int r = walk_object(p, len, off, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

int
ipc_body_check(const uint8_t *body, size_t len)
{
	size_t off = 0;
	int r;

	if (len == 0)
		return 0;
	r = walk_object(body, len, &off, 0);
	if (r < 0)
		return r;
	return off == len ? 0 : -EBADMSG;
}

int
ipc_frame_decode(const uint8_t *buf, size_t n, int nfds, unsigned sender,
    msgpack_zone *zone, struct ipc_msg *msg)
{
	const uint8_t *body = buf + IPC_HDR_SIZE;
	size_t off = 0;
	int r;

	memset(&msg->body, 0, sizeof(msg->body));
	msg->body.type = MSGPACK_OBJECT_NIL;
	r = ipc_frame_check(buf, n, nfds, sender, &msg->hdr);
	if (r < 0)
		return r;
	if (msg->hdr.len == 0)
		return 0;
	r = ipc_body_check(body, msg->hdr.len);
	if (r < 0)
		return r;
	if (msgpack_unpack((const char *)body, msg->hdr.len, &off, zone,
	    &msg->body) != MSGPACK_UNPACK_SUCCESS || off != msg->hdr.len)
		return -EBADMSG;
	return 0;
}
