// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_front.c: libFuzzer target for the frontend's protocol logic
 * (front/proto), playing a hostile backend against a model of the driver.
 *
 * The input is a sequence of ops, each an octet followed by its operands:
 * raw 64-octet responses and events written into the shared ring and
 * event page, well-formed answers to the request in flight, producer
 * indices (near ours, or any 32-bit value), writes into the page directory
 * the backend fills for a be-alloc buffer and into the EDID buffer, and
 * the driver's own steps: sending a request, giving up on one, reading
 * the responses and events, reconnecting (optionally with indices just
 * below 2^32, so that they wrap); and direct calls with any operands
 * (EDID and directory checks, ring indices, xenstore values). The driver
 * reads each producer index once and copies each slot before it checks
 * it, as zdispl_front does; a ring that is broken stays ignored until the
 * next reconnect.
 *
 * Invariants; a violation calls abort() so that libFuzzer keeps the input:
 *   - zfront_rsp_avail() and zfront_evt_avail() return exactly the number
 *     of published slots, or -EIO exactly when the claim is impossible:
 *     more responses than outstanding requests, more outstanding requests
 *     than the ring holds, more events than the event ring holds
 *   - zfront_rsp_check() returns 1, 0 or -EIO, each exactly when it should:
 *     1 only for our id and operation with a status that is 0 or an error
 *     number (and that status out), and for a successful GET_EDID an
 *     edid_sz of 128 up to the buffer we gave; 0 for a well-formed answer
 *     to another id; -EIO for anything else
 *   - zfront_evt_check() accepts exactly the page-flip events with a
 *     non-zero cookie, and gives that cookie
 *   - zfront_edid_check() accepts exactly the EDIDs of whole blocks,
 *     128 octets up to the buffer, with the fixed header, a matching
 *     extension count and every block summing to 0, and reads no octet
 *     past edid_sz (each EDID is checked from a heap copy of that size)
 *   - zfront_pgdir_read() succeeds exactly when every slot it takes is
 *     non-zero and every link is the one we wrote; on success every
 *     reference it returns is non-zero and is what the slot holds; with
 *     a wrong page count it fails with -EINVAL and writes nothing;
 *     zfront_pgdir_fill()/zfront_pgdir_link() write exactly the chain
 *   - zfront_dumb_geometry()/zfront_fb_geometry() only describe buffers
 *     within the hard limits and frames inside their objects
 *   - every request is encoded over the junk an old one left in its ring
 *     slot with its id and operation, no flag but REQ_ALLOC, and every
 *     reserved octet 0; zfront_status_errno() passes 0 and error numbers
 *     and turns anything else into -EIO
 *   - zfront_parse_resolution() accepts exactly "<w>x<h>" in canonical
 *     decimal within the limits; zfront_versions_offer() finds exactly a
 *     comma-separated entry that is v in canonical decimal (1..1000)
 *
 * Deterministic: no clock, no randomness; all state is reset per input.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zfront-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_front: invariant violated (%s:%d): ", __FILE__, __LINE__);   \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PER_PAGE ((uint32_t)ZD_GREFS_PER_DIR_PAGE)
#define SLOTS (ZD_PAGE_SIZE / sizeof(grant_ref_t))
#define MAX_NDATA (ZD_MAX_BUFFER_BYTES / ZD_PAGE_SIZE)
#define MAX_DIR (MAX_NDATA / PER_PAGE + 2) /* one more than a buffer needs */
#define BLOCK XENDISPL_EDID_BLOCK_SIZE
/* The EDID buffer, and some octets past it for zfront_edid_check()'s buf_sz. */
#define EDID_SHARED (ZFRONT_EDID_BUF_SIZE + 2 * BLOCK)

enum op {
	OP_SEND,       /* kind, operands: the driver sends a request */
	OP_GIVE_UP,    /* the driver stops waiting (a timeout) */
	OP_RSP_RAW,    /* slot, 64 octets: the backend writes a response */
	OP_RSP_ANSWER, /* how, status, edid_sz: an answer to the request in flight */
	OP_RSP_PROD,   /* how, index: the backend publishes rsp_prod */
	OP_RSP_READ,   /* the driver reads the responses */
	OP_EVT_RAW,    /* slot, 64 octets: the backend writes an event */
	OP_EVT_FLIP,   /* cookie: a well-formed flip event, published */
	OP_EVT_PROD,   /* how, index: the backend publishes in_prod */
	OP_EVT_READ,   /* the driver reads the events */
	OP_DIR_POKE,   /* how, position, value: the backend writes the directory */
	OP_EDID_WRITE, /* offset, length, octets: the backend writes the EDID buffer */
	OP_EDID_BUILD, /* blocks, how, position, value: a valid EDID, maybe broken */
	OP_EDID_RAW,   /* edid_sz, buf_sz: zfront_edid_check() on the EDID buffer */
	OP_DIR_RAW,    /* how, ndata, ndir delta, zero slot: fill/link/read directly */
	OP_XS_VALUE,   /* v, length, octets: a xenstore value the backend wrote */
	OP_AVAIL_RAW,  /* 4 indices: zfront_rsp_avail()/zfront_evt_avail() on any values */
	OP_RECONNECT,  /* how, base: new rings, indices from base */
	OP_COUNT
};

static const uint8_t all_ops[] = {
	XENDISPL_OP_DBUF_CREATE, XENDISPL_OP_DBUF_DESTROY, XENDISPL_OP_FB_ATTACH,
	XENDISPL_OP_FB_DETACH,	 XENDISPL_OP_SET_CONFIG,   XENDISPL_OP_PG_FLIP,
	XENDISPL_OP_GET_EDID,
};

static const uint8_t edid_header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

/* The shared memory: request ring, event page, directory pages, EDID buffer. */
static union {
	struct xen_displif_sring s;
	uint8_t b[ZD_PAGE_SIZE];
} ring_page;
static union {
	struct xendispl_event_page hdr;
	uint8_t b[XENDISPL_EVENT_PAGE_SIZE];
} evt_page;
static grant_ref_t dir_pages[MAX_DIR][SLOTS];
static uint8_t edid_shared[EDID_SHARED];

/* The driver's private memory. */
static void *dir[MAX_DIR];
static grant_ref_t dir_refs[MAX_DIR];
static grant_ref_t refs[MAX_DIR * PER_PAGE + 1];
static grant_ref_t out[MAX_DIR * PER_PAGE + 1];

struct fz {
	const uint8_t *p;
	size_t left;
	struct xen_displif_front_ring fr;
	bool ring_broken; /* the driver would be Closing: rings ignored */
	uint16_t next_id;
	bool waiting; /* w is in flight */
	struct zfront_wait w;
	bool w_be_alloc;   /* w is a be-alloc DBUF_CREATE: the directory is linked */
	uint32_t w_ndata;  /* its data pages */
	uint32_t evt_cons; /* ours; also written to the page */
	bool evt_broken;
	uint32_t edid_len; /* of the EDID last built in the buffer */
};

/* ---- Reading the input ---- */

static uint8_t rd8(struct fz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->p++;
}

static uint16_t rd16(struct fz *f)
{
	uint16_t lo = rd8(f);

	return (uint16_t)(lo | rd8(f) << 8);
}

static uint32_t rd32(struct fz *f)
{
	uint32_t lo = rd16(f);

	return lo | (uint32_t)rd16(f) << 16;
}

static uint64_t rd64(struct fz *f)
{
	uint64_t lo = rd32(f);

	return lo | (uint64_t)rd32(f) << 32;
}

static void rdbytes(struct fz *f, void *dst, size_t n)
{
	size_t k = n < f->left ? n : f->left;

	memcpy(dst, f->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	f->p += k;
	f->left -= k;
}

/* An index near base (how bit 0 clear) or any 32-bit value. */
static uint32_t rdindex(struct fz *f, uint32_t base)
{
	uint8_t how = rd8(f);

	if (how & 1)
		return rd32(f);
	return base + (uint32_t)(int8_t)rd8(f);
}

/* ---- Reference predicates (what each check must decide) ---- */

static bool op_valid(uint8_t op)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(all_ops); i++)
		if (all_ops[i] == op)
			return true;
	return false;
}

static bool status_valid(int32_t s)
{
	return s <= 0 && s >= -ZFRONT_MAX_STATUS_ERRNO;
}

static bool edid_valid(const uint8_t *e, uint32_t edid_sz, uint32_t buf_sz)
{
	uint32_t b, i;

	if (edid_sz < BLOCK || edid_sz > buf_sz || edid_sz > XENDISPL_EDID_MAX_SIZE ||
	    edid_sz % BLOCK)
		return false;
	if (memcmp(e, edid_header, sizeof(edid_header)) || e[126] + 1u != edid_sz / BLOCK)
		return false;
	for (b = 0; b < edid_sz / BLOCK; b++) {
		uint8_t sum = 0;

		for (i = 0; i < BLOCK; i++)
			sum = (uint8_t)(sum + e[b * BLOCK + i]);
		if (sum)
			return false;
	}
	return true;
}

/* The chain of ndir pages as we linked it, with ndata non-zero slots. */
static bool chain_valid(uint32_t ndir, uint32_t ndata)
{
	uint32_t i, j;

	for (i = 0; i < ndir; i++)
		if (dir_pages[i][0] != (i + 1 < ndir ? dir_refs[i + 1] : 0))
			return false;
	for (j = 0; j < ndata; j++)
		if (!dir_pages[j / PER_PAGE][1 + j % PER_PAGE])
			return false;
	return true;
}

/* ---- Checked calls ---- */

static void check_edid(const uint8_t *src, uint32_t edid_sz, uint32_t buf_sz)
{
	/* Exactly edid_sz octets (or buf_sz if less): ASan sees any read past them. */
	uint32_t n = edid_sz < buf_sz ? edid_sz : buf_sz;
	uint8_t *copy = malloc(n ? n : 1);
	bool want;
	int r;

	if (!copy)
		abort();
	memcpy(copy, src, n);
	r = zfront_edid_check(copy, edid_sz, buf_sz);
	want = edid_valid(copy, edid_sz, buf_sz);
	if (r != (want ? 0 : -EINVAL))
		FAIL("zfront_edid_check(edid_sz %u, buf_sz %u) = %d, want %s", edid_sz, buf_sz, r,
		     want ? "0" : "-EINVAL");
	free(copy);
}

static void check_pgdir_read(uint32_t ndir, uint32_t ndata)
{
	bool right = ndir && ndir == zd_dir_pages(ndata);
	uint32_t j;
	int r;

	if (right && (ndir > MAX_DIR || ndata > MAX_DIR * PER_PAGE))
		return; /* more than our pages: a caller's bug, not the backend's */
	out[0] = 0xdeadbeefu;
	r = zfront_pgdir_read(dir, dir_refs, ndir, out, ndata);
	if (!right) {
		if (r != -EINVAL || out[0] != 0xdeadbeefu)
			FAIL("zfront_pgdir_read(ndir %u, ndata %u) = %d, want -EINVAL", ndir, ndata,
			     r);
		return;
	}
	if (r != (chain_valid(ndir, ndata) ? 0 : -EIO))
		FAIL("zfront_pgdir_read(ndir %u, ndata %u) = %d against the pages", ndir, ndata, r);
	if (r)
		return;
	for (j = 0; j < ndata; j++) {
		if (!out[j] || out[j] != dir_pages[j / PER_PAGE][1 + j % PER_PAGE])
			FAIL("zfront_pgdir_read: ref %u is %u", j, out[j]);
	}
}

/* Links, the first ndata slots from refs (or 0), and the rest 0. */
static void check_chain_written(uint32_t ndir, uint32_t ndata, bool filled)
{
	uint32_t i, j;

	for (i = 0; i < ndir; i++) {
		if (dir_pages[i][0] != (i + 1 < ndir ? dir_refs[i + 1] : 0))
			FAIL("directory page %u links to %u", i, dir_pages[i][0]);
		for (j = 0; j < PER_PAGE; j++) {
			uint32_t k = i * PER_PAGE + j;
			grant_ref_t want = filled && k < ndata ? refs[k] : 0;

			if (dir_pages[i][1 + j] != want)
				FAIL("directory slot %u is %u, want %u", k, dir_pages[i][1 + j],
				     want);
		}
	}
}

/* The octets of a request after its last field (io/displif.h) are 0, and so are 3..7. */
static void check_reserved(const struct xendispl_req *req)
{
	const uint8_t *raw = (const uint8_t *)req;
	unsigned int end, i;

	switch (req->operation) {
	case XENDISPL_OP_DBUF_CREATE:
		end = 48;
		if (req->op.dbuf_create.flags & ~(uint32_t)XENDISPL_DBUF_FLG_REQ_ALLOC)
			FAIL("DBUF_CREATE flags %#x", req->op.dbuf_create.flags);
		break;
	case XENDISPL_OP_FB_ATTACH:
	case XENDISPL_OP_SET_CONFIG:
		end = 36;
		break;
	default:
		end = 16;
	}
	for (i = 3; i < sizeof(*req); i++) {
		if ((i < 8 || i >= end) && raw[i])
			FAIL("request op %#x: reserved octet %u is %#x", req->operation, i, raw[i]);
	}
}

/* ---- The driver ---- */

static void reconnect(struct fz *f, uint32_t base, uint32_t evt_base)
{
	struct xen_displif_sring *s = &ring_page.s;

	memset(&ring_page, 0, sizeof(ring_page));
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&f->fr, s, ZD_PAGE_SIZE);
	/* As if this many requests had come and gone: the indices run free. */
	f->fr.req_prod_pvt = f->fr.rsp_cons = base;
	s->req_prod = s->rsp_prod = base;
	s->req_event = s->rsp_event = base + 1;
	memset(&evt_page, 0, sizeof(evt_page));
	evt_page.hdr.in_cons = evt_page.hdr.in_prod = evt_base;
	f->evt_cons = evt_base;
	f->ring_broken = f->evt_broken = false;
	f->waiting = f->w_be_alloc = false;
}

/* A buffer of the driver's: zfront_dumb_geometry() as the driver asks it. */
static bool dumb(struct fz *f, uint32_t *width, uint32_t *height, uint32_t *bpp, uint32_t *size)
{
	uint32_t pitch = 0;

	*width = rd16(f) % (ZD_MAX_DIMENSION + 2);
	*height = rd16(f) % (ZD_MAX_DIMENSION + 2);
	*bpp = rd8(f);
	if (zfront_dumb_geometry(*width, *height, *bpp, &pitch, size))
		return false;
	if (pitch != *width * (*bpp / 8) || *size != (uint64_t)pitch * *height ||
	    *size > ZD_MAX_BUFFER_BYTES || *width > ZD_MAX_DIMENSION ||
	    *height > ZD_MAX_DIMENSION || !*bpp || *bpp % 8 || *bpp > 32)
		FAIL("zfront_dumb_geometry(%u, %u, %u) = pitch %u size %u", *width, *height, *bpp,
		     pitch, *size);
	return true;
}

static bool fb(struct fz *f, uint32_t *width, uint32_t *height)
{
	uint32_t cpp = rd8(f) % 6, pitch = rd16(f), offset = rd32(f), obj = rd32(f), dw = 0;
	uint64_t end;

	*width = rd16(f) % (ZD_MAX_DIMENSION + 2);
	*height = rd16(f) % (ZD_MAX_DIMENSION + 2);
	end = offset + (uint64_t)pitch * (*height - 1) + (uint64_t)*width * cpp;
	if (obj & 0x80000000u) /* an object that ends right around the frame */
		obj = (uint32_t)end + (uint32_t)(int8_t)obj;
	if (zfront_fb_geometry(*width, *height, cpp, pitch, offset, obj, &dw))
		return false;
	if (!*width || !*height || *width > ZD_MAX_DIMENSION || *height > ZD_MAX_DIMENSION ||
	    !cpp || cpp > 4 || pitch % cpp || dw != pitch / cpp || dw > ZD_MAX_DIMENSION ||
	    (uint64_t)*width * cpp > pitch || end > obj)
		FAIL("zfront_fb_geometry(%u, %u, cpp %u, pitch %u, offset %u, obj %u): width %u",
		     *width, *height, cpp, pitch, offset, obj, dw);
	return true;
}

static void drv_send(struct fz *f)
{
	uint8_t kind = rd8(f), op = all_ops[kind % ARRAY_LEN(all_ops)];
	uint32_t width, height, bpp, size, ndata = 0, x, y;
	uint64_t cookie = rd64(f), cookie2;
	uint16_t id = f->next_id;
	struct xendispl_req *req;
	bool be_alloc = kind & 0x80;
	uint32_t edid_buf_sz = 0;

	if (f->ring_broken || RING_FULL(&f->fr))
		return;
	req = RING_GET_REQUEST(&f->fr, f->fr.req_prod_pvt);
	memset(req, 0xa5, sizeof(*req)); /* what an old request left there */
	switch (op) {
	case XENDISPL_OP_DBUF_CREATE:
		if (!dumb(f, &width, &height, &bpp, &size))
			return;
		ndata = zd_data_pages(size);
		if (be_alloc && zfront_pgdir_link(dir, dir_refs, zd_dir_pages(ndata), ndata))
			FAIL("zfront_pgdir_link(%u pages) failed", ndata);
		if (be_alloc)
			check_chain_written(zd_dir_pages(ndata), ndata, false);
		zfront_req_dbuf_create(req, id, cookie, width, height, bpp, size, 0, dir_refs[0],
				       be_alloc);
		break;
	case XENDISPL_OP_DBUF_DESTROY:
		zfront_req_dbuf_destroy(req, id, cookie);
		break;
	case XENDISPL_OP_FB_ATTACH:
		if (!fb(f, &width, &height))
			return;
		cookie2 = rd64(f);
		zfront_req_fb_attach(req, id, cookie, cookie2, width, height, DRM_FORMAT_XRGB8888);
		break;
	case XENDISPL_OP_FB_DETACH:
		zfront_req_fb_detach(req, id, cookie);
		break;
	case XENDISPL_OP_SET_CONFIG:
		x = rd16(f);
		y = rd16(f);
		width = rd16(f);
		height = rd16(f);
		zfront_req_set_config(req, id, cookie, x, y, width, height, 32);
		break;
	case XENDISPL_OP_PG_FLIP:
		zfront_req_pg_flip(req, id, cookie);
		break;
	default: /* GET_EDID: our buffer, or (to reach the bounds) a smaller one */
		edid_buf_sz =
			kind & 0x80 ? (uint32_t)(rd8(f) % 256 + 1) * BLOCK : ZFRONT_EDID_BUF_SIZE;
		zfront_req_get_edid(req, id, edid_buf_sz, dir_refs[0]);
		break;
	}
	if (req->id != id || req->operation != op)
		FAIL("request encoded as id %u op %#x, not id %u op %#x", req->id, req->operation,
		     id, op);
	check_reserved(req);
	f->fr.req_prod_pvt++;
	RING_PUSH_REQUESTS(&f->fr);
	f->next_id++;
	/* The driver waits for this one; an earlier one timed out. */
	f->waiting = true;
	f->w.id = id;
	f->w.operation = op;
	f->w.edid_buf_sz = edid_buf_sz;
	f->w_be_alloc = op == XENDISPL_OP_DBUF_CREATE && be_alloc;
	f->w_ndata = ndata;
}

/* A response written where the next one goes, answering what we wait for. */
static void answer(struct fz *f)
{
	uint8_t how = rd8(f);
	uint32_t v = rd32(f), e = rd32(f);
	int32_t status, near = (int8_t)v;
	uint32_t edid_sz;
	struct xendispl_resp *rsp;
	RING_IDX at = f->fr.sring->rsp_prod;

	switch (how & 3) { /* a small errno, any value, near the limit, 0 */
	case 0:
		status = -(int32_t)(v & 0xff);
		break;
	case 1:
		status = (int32_t)v;
		break;
	case 2:
		status = -ZFRONT_MAX_STATUS_ERRNO + near;
		break;
	default:
		status = 0;
	}
	switch (how >> 2 & 3) { /* whole blocks, any, near our buffer's end, the EDID or 128 */
	case 0:
		edid_sz = e % (XENDISPL_EDID_BLOCK_COUNT + 1) * BLOCK;
		break;
	case 1:
		edid_sz = e;
		break;
	case 2:
		edid_sz = f->w.edid_buf_sz + (uint32_t)(int8_t)e;
		break;
	default:
		edid_sz = e & 1 ? f->edid_len : ZFRONT_EDID_MIN_SIZE + (uint32_t)(int8_t)e;
	}
	rsp = RING_GET_RESPONSE(&f->fr, at);
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = (uint16_t)(f->w.id ^ (how & 16 ? 1 : 0));
	rsp->operation = how & 32 ? rd8(f) : f->w.operation;
	rsp->status = status;
	rsp->op.get_edid.edid_sz = edid_sz;
	if (!(how & 64))
		f->fr.sring->rsp_prod = at + 1;
}

static void after_answer(struct fz *f, int status, uint32_t edid_sz)
{
	if (f->w.operation == XENDISPL_OP_GET_EDID && !status) {
		if (edid_sz < ZFRONT_EDID_MIN_SIZE || edid_sz > f->w.edid_buf_sz ||
		    f->w.edid_buf_sz > ZFRONT_EDID_BUF_SIZE)
			FAIL("GET_EDID accepted with edid_sz %u for a buffer of %u", edid_sz,
			     f->w.edid_buf_sz);
		check_edid(edid_shared, edid_sz, f->w.edid_buf_sz);
	} else if (edid_sz) {
		FAIL("edid_sz %u for op %#x status %d", edid_sz, f->w.operation, status);
	}
	if (f->w_be_alloc && !status)
		check_pgdir_read(zd_dir_pages(f->w_ndata), f->w_ndata);
}

static void read_responses(struct fz *f)
{
	RING_IDX prod, cons = f->fr.rsp_cons, req = f->fr.req_prod_pvt, i;
	RING_IDX outstanding = req - cons;
	unsigned int size = RING_SIZE(&f->fr);
	int n;

	if (f->ring_broken)
		return;
	prod = *(volatile RING_IDX *)&f->fr.sring->rsp_prod; /* once */
	xen_rmb();
	n = zfront_rsp_avail(prod, cons, req, size);
	if (n < 0) {
		if (n != -EIO || (prod - cons <= outstanding && outstanding <= size))
			FAIL("zfront_rsp_avail(%u, %u, %u) = %d", prod, cons, req, n);
		f->ring_broken = true;
		return;
	}
	if ((RING_IDX)n != prod - cons || (RING_IDX)n > outstanding || (unsigned int)n > size)
		FAIL("zfront_rsp_avail(%u, %u, %u) = %d", prod, cons, req, n);
	for (i = 0; i < (RING_IDX)n; i++) {
		struct xendispl_resp copy = *RING_GET_RESPONSE(&f->fr, cons + i);
		const struct zfront_wait *w = f->waiting ? &f->w : NULL;
		int status = 12345, r;
		uint32_t edid_sz = 0xdeadbeefu;
		bool ours = w && copy.id == w->id;
		bool sane = op_valid(copy.operation) && status_valid(copy.status);
		int err = zfront_status_errno(copy.status);

		if (err != (status_valid(copy.status) ? copy.status : -EIO))
			FAIL("zfront_status_errno(%d) = %d", copy.status, err);
		r = zfront_rsp_check(&copy, w, &status, &edid_sz);
		switch (r) {
		case 1:
			if (!ours || !sane || copy.operation != w->operation ||
			    status != copy.status || status != zfront_status_errno(copy.status))
				FAIL("response id %u op %#x status %d accepted (status %d)",
				     copy.id, copy.operation, copy.status, status);
			f->waiting = false;
			after_answer(f, status, edid_sz);
			break;
		case 0:
			if (ours || !sane)
				FAIL("response id %u op %#x status %d dropped", copy.id,
				     copy.operation, copy.status);
			break;
		case -EIO: {
			bool bad_edid = ours && copy.operation == XENDISPL_OP_GET_EDID &&
					!copy.status &&
					(copy.op.get_edid.edid_sz < ZFRONT_EDID_MIN_SIZE ||
					 copy.op.get_edid.edid_sz > w->edid_buf_sz);

			if (sane && !(ours && (copy.operation != w->operation || bad_edid)))
				FAIL("response id %u op %#x status %d refused", copy.id,
				     copy.operation, copy.status);
			/* An answer to nothing we sent: the backend is broken. */
			f->ring_broken = true;
			f->fr.rsp_cons = cons + i + 1;
			return;
		}
		default:
			FAIL("zfront_rsp_check() = %d", r);
		}
	}
	f->fr.rsp_cons = cons + (RING_IDX)n;
}

static void read_events(struct fz *f)
{
	uint32_t prod, cons = f->evt_cons, i;
	int n;

	if (f->evt_broken)
		return;
	prod = *(volatile uint32_t *)&evt_page.hdr.in_prod; /* once */
	xen_rmb();
	n = zfront_evt_avail(prod, cons);
	if (n < 0) {
		if (n != -EIO || prod - cons <= XENDISPL_IN_RING_LEN)
			FAIL("zfront_evt_avail(%u, %u) = %d", prod, cons, n);
		f->evt_broken = true;
		return;
	}
	if ((uint32_t)n != prod - cons || (uint32_t)n > XENDISPL_IN_RING_LEN)
		FAIL("zfront_evt_avail(%u, %u) = %d", prod, cons, n);
	for (i = 0; i < (uint32_t)n; i++) {
		struct xendispl_evt copy = XENDISPL_IN_RING_REF(&evt_page, cons + i);
		uint64_t cookie = 0;
		bool want = copy.type == XENDISPL_EVT_PG_FLIP && copy.op.pg_flip.fb_cookie;
		int r = zfront_evt_check(&copy, &cookie);

		if (r != (want ? 0 : -EIO) || (!r && cookie != copy.op.pg_flip.fb_cookie))
			FAIL("zfront_evt_check(type %u, cookie %#llx) = %d", copy.type,
			     (unsigned long long)copy.op.pg_flip.fb_cookie, r);
	}
	f->evt_cons = cons + (uint32_t)n;
	evt_page.hdr.in_cons = f->evt_cons;
}

/* The backend writes into the be-alloc directory (or all of it). */
static void dir_poke(struct fz *f)
{
	uint8_t how = rd8(f);
	uint32_t pos = rd32(f), val = rd32(f), j;

	if (how & 1) {
		/* Fill the data slots of the chain in flight, as a good backend would. */
		for (j = 0; j < f->w_ndata && j < MAX_DIR * PER_PAGE; j++)
			dir_pages[j / PER_PAGE][1 + j % PER_PAGE] = val + j ? val + j : 1;
		return;
	}
	if (how & 2) {
		/* Rewrite the link of one of the chain's pages. */
		dir_pages[pos % zd_dir_pages(f->w_ndata)][0] = val;
		return;
	}
	dir_pages[pos / SLOTS % MAX_DIR][pos % SLOTS] = val; /* any slot */
}

static void edid_write(struct fz *f)
{
	uint32_t off = rd16(f) % EDID_SHARED, len = rd8(f);

	if (len > EDID_SHARED - off)
		len = EDID_SHARED - off;
	rdbytes(f, edid_shared + off, len);
}

static void edid_build(struct fz *f)
{
	uint32_t nblocks = rd8(f) % XENDISPL_EDID_BLOCK_COUNT + 1, b, i;
	uint8_t how = rd8(f);
	uint16_t pos = rd16(f);
	uint8_t val = rd8(f);

	if (!(how & 1))
		nblocks = nblocks % 4 + 1; /* mostly small */
	for (b = 0; b < nblocks; b++) {
		uint8_t *blk = edid_shared + b * BLOCK, sum = 0;

		if (!b) {
			memcpy(blk, edid_header, sizeof(edid_header));
			blk[126] = (uint8_t)(nblocks - 1);
		}
		for (i = 0; i < BLOCK - 1; i++)
			sum = (uint8_t)(sum + blk[i]);
		blk[BLOCK - 1] = (uint8_t)(0x100 - sum);
	}
	if (how & 2) { /* break an octet anywhere, or in the header; maybe fix the sum */
		uint32_t at = how & 4 ? pos % sizeof(edid_header) : pos % (nblocks * BLOCK);
		uint8_t *blk = edid_shared + at / BLOCK * BLOCK, sum = 0;

		edid_shared[at] ^= val;
		if (how & 8) {
			for (i = 0; i < BLOCK - 1; i++)
				sum = (uint8_t)(sum + blk[i]);
			blk[BLOCK - 1] = (uint8_t)(0x100 - sum);
		}
	}
	f->edid_len = nblocks * BLOCK;
}

static void edid_raw(struct fz *f)
{
	uint8_t how = rd8(f);
	uint32_t v = rd32(f), edid_sz, buf_sz;

	switch (how & 3) { /* the size last built, near it, any 16 or 32 bits */
	case 0:
		edid_sz = f->edid_len;
		break;
	case 1:
		edid_sz = f->edid_len + (uint32_t)(int8_t)v;
		break;
	case 2:
		edid_sz = v & 0xffff;
		break;
	default:
		edid_sz = v;
	}
	switch (how >> 2 & 3) { /* our buffer, just the EDID, any (within ours) */
	case 0:
		buf_sz = ZFRONT_EDID_BUF_SIZE;
		break;
	case 1:
		buf_sz = f->edid_len;
		break;
	default:
		buf_sz = rd16(f) % (EDID_SHARED + 1);
	}
	check_edid(edid_shared, edid_sz, buf_sz);
}

/*
 * A xenstore value: a resolution is taken exactly when it is "<w>x<h>" in
 * canonical decimal within the limits; a version is offered exactly when
 * one comma-separated entry is its canonical decimal, 1..1000.
 */
static void xs_value(struct fz *f)
{
	char s[64], canon[32], *entry, *next;
	unsigned int v = rd8(f) & 1 ? rd32(f) : rd8(f) % 8;
	uint32_t len = rd8(f) % (sizeof(s) - 1), w = 0, h = 0;
	bool listed = false;
	int r;

	rdbytes(f, s, len);
	s[len] = '\0';
	r = zfront_parse_resolution(s, &w, &h);
	if (r && r != -EINVAL)
		FAIL("zfront_parse_resolution(\"%s\") = %d", s, r);
	if (!r) {
		snprintf(canon, sizeof(canon), "%ux%u", w, h);
		if (!w || !h || w > ZD_MAX_DIMENSION || h > ZD_MAX_DIMENSION || strcmp(canon, s))
			FAIL("zfront_parse_resolution(\"%s\") = %ux%u", s, w, h);
	} else if (sscanf(s, "%ux%u", &w, &h) == 2 && w && h && w <= ZD_MAX_DIMENSION &&
		   h <= ZD_MAX_DIMENSION) {
		snprintf(canon, sizeof(canon), "%ux%u", w, h);
		if (!strcmp(canon, s))
			FAIL("zfront_parse_resolution(\"%s\") refused", s);
	}
	r = zfront_versions_offer(s, v);
	snprintf(canon, sizeof(canon), "%u", v);
	for (entry = s; entry; entry = next) {
		next = strchr(entry, ',');
		if (next)
			*next++ = '\0';
		listed |= v >= 1 && v <= 1000 && !strcmp(entry, canon);
	}
	if (r != listed)
		FAIL("zfront_versions_offer(..., %u) = %d", v, r);
}

/* Any indices, also ones our driver never has (more outstanding than the ring). */
static void avail_raw(struct fz *f)
{
	uint32_t prod = rd32(f), cons = rd32(f), req = cons + rd16(f), size = rd8(f);
	int n = zfront_rsp_avail(prod, cons, req, size);
	bool ok = prod - cons <= req - cons && req - cons <= size;

	if (n != (ok ? (int)(prod - cons) : -EIO))
		FAIL("zfront_rsp_avail(%u, %u, %u, %u) = %d", prod, cons, req, size, n);
	n = zfront_evt_avail(prod, cons);
	ok = prod - cons <= XENDISPL_IN_RING_LEN;
	if (n != (ok ? (int)(prod - cons) : -EIO))
		FAIL("zfront_evt_avail(%u, %u) = %d", prod, cons, n);
}

/* zfront_pgdir_fill/link/read directly, with any page count. */
static void dir_raw(struct fz *f)
{
	uint8_t how = rd8(f);
	uint32_t ndata = how & 1 ? rd32(f) : rd16(f) % (3 * PER_PAGE);
	uint32_t ndir = zd_dir_pages(ndata) + (uint32_t)((int8_t)rd8(f) % 2); /* off by -1..1 */
	uint32_t zero = rd32(f), j, npages;
	bool right = ndir && ndir == zd_dir_pages(ndata);
	int r;

	if (right && (ndir > MAX_DIR || ndata > MAX_DIR * PER_PAGE))
		return;
	/* Junk in the pages the call may write, and at least in two. */
	npages = ndir < 2 ? 2 : ndir > MAX_DIR ? MAX_DIR : ndir;
	memset(dir_pages, 0x5a, npages * sizeof(dir_pages[0]));
	for (j = 0; right && j < ndata; j++)
		refs[j] = 0x10000u + j;
	if (right && ndata && how & 2)
		refs[zero % ndata] = 0;
	if (right && how & 8) { /* the backend rewrites a link after all */
		r = how & 4 ? zfront_pgdir_link(dir, dir_refs, ndir, ndata)
			    : zfront_pgdir_fill(dir, dir_refs, ndir, refs, ndata);
		if (r)
			FAIL("zfront_pgdir_%s(ndir %u, ndata %u) = %d", how & 4 ? "link" : "fill",
			     ndir, ndata, r);
		dir_pages[zero % ndir][0] ^= 1u << (zero >> 27);
		check_pgdir_read(ndir, ndata);
		f->w_be_alloc = false;
		return;
	}
	r = how & 4 ? zfront_pgdir_link(dir, dir_refs, ndir, ndata)
		    : zfront_pgdir_fill(dir, dir_refs, ndir, refs, ndata);
	if (!right) {
		if (r != -EINVAL || dir_pages[0][0] != 0x5a5a5a5au ||
		    dir_pages[0][1] != 0x5a5a5a5au)
			FAIL("zfront_pgdir_%s(ndir %u, ndata %u) = %d", how & 4 ? "link" : "fill",
			     ndir, ndata, r);
		check_pgdir_read(ndir, ndata);
		return;
	}
	if (r)
		FAIL("zfront_pgdir_%s(ndir %u, ndata %u) = %d", how & 4 ? "link" : "fill", ndir,
		     ndata, r);
	check_chain_written(ndir, ndata, !(how & 4));
	check_pgdir_read(ndir, ndata);
	/* The pages now hold no be-alloc chain of ours. */
	f->w_be_alloc = false;
}

static void play(struct fz *f)
{
	while (f->left) {
		switch (rd8(f) % OP_COUNT) {
		case OP_SEND:
			drv_send(f);
			break;
		case OP_GIVE_UP:
			f->waiting = false;
			break;
		case OP_RSP_RAW: {
			uint8_t slot = rd8(f);

			rdbytes(f, RING_GET_RESPONSE(&f->fr, f->fr.rsp_cons + slot),
				sizeof(struct xendispl_resp));
			break;
		}
		case OP_RSP_ANSWER:
			answer(f);
			break;
		case OP_RSP_PROD:
			f->fr.sring->rsp_prod = rdindex(f, f->fr.rsp_cons);
			break;
		case OP_RSP_READ:
			read_responses(f);
			break;
		case OP_EVT_RAW: {
			uint8_t slot = rd8(f);

			rdbytes(f, &XENDISPL_IN_RING_REF(&evt_page, f->evt_cons + slot),
				sizeof(struct xendispl_evt));
			break;
		}
		case OP_EVT_FLIP: {
			uint32_t prod = evt_page.hdr.in_prod;
			struct xendispl_evt *e = &XENDISPL_IN_RING_REF(&evt_page, prod);

			memset(e, 0, sizeof(*e));
			e->type = XENDISPL_EVT_PG_FLIP;
			e->op.pg_flip.fb_cookie = rd64(f);
			evt_page.hdr.in_prod = prod + 1;
			break;
		}
		case OP_EVT_PROD:
			evt_page.hdr.in_prod = rdindex(f, f->evt_cons);
			break;
		case OP_EVT_READ:
			read_events(f);
			break;
		case OP_DIR_POKE:
			dir_poke(f);
			break;
		case OP_EDID_WRITE:
			edid_write(f);
			break;
		case OP_EDID_BUILD:
			edid_build(f);
			break;
		case OP_EDID_RAW:
			edid_raw(f);
			break;
		case OP_DIR_RAW:
			dir_raw(f);
			break;
		case OP_XS_VALUE:
			xs_value(f);
			break;
		case OP_AVAIL_RAW:
			avail_raw(f);
			break;
		default: { /* OP_RECONNECT */
			uint8_t how = rd8(f);

			reconnect(f, how & 1 ? UINT32_MAX - rd8(f) : 0,
				  how & 2 ? UINT32_MAX - rd8(f) : 0);
			break;
		}
		}
	}
	/* Whatever was published at the end is read, as the driver would on an interrupt. */
	read_responses(f);
	read_events(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	uint32_t i;

	memset(&f, 0, sizeof(f));
	memset(dir_pages, 0, sizeof(dir_pages));
	memset(edid_shared, 0, sizeof(edid_shared));
	for (i = 0; i < MAX_DIR; i++) {
		dir[i] = dir_pages[i];
		dir_refs[i] = 0x7000u + i;
	}
	f.p = data;
	f.left = size;
	reconnect(&f, 0, 0);
	play(&f);
	return 0;
}
