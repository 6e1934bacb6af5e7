// SPDX-License-Identifier: GPL-2.0
/*
 * test_front_proto.c: the frontend's protocol logic (front/proto/zfront-proto.c):
 * request encoding, buffer geometry, response and event validation, status
 * codes and xenstore values.
 *
 * Requests are checked octet by octet against io/displif.h's diagrams, not
 * through the struct fields the encoder writes: every field is read back
 * from its documented offset, and every other octet must be 0 although
 * the request was filled with junk first.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "zfront-proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define JUNK_OCTET 0xa5
#define SENTINEL 0xdeadbeefu

/* A failed check that names the table row it came from. */
#define CHECK_ROW(cond, row)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, "row %zu: CHECK(%s)", (size_t)(row), #cond); \
	} while (0)
#define CHECK_ROW_EQ(a, b, row)                                                                    \
	do {                                                                                       \
		long long chk_a_ = (long long)(a), chk_b_ = (long long)(b);                        \
		if (chk_a_ != chk_b_)                                                              \
			test_fail(__FILE__, __LINE__, "row %zu: CHECK_EQ(%s, %s): %lld != %lld",   \
				  (size_t)(row), #a, #b, chk_a_, chk_b_);                          \
	} while (0)

/* ------------------------------------------------------------------------
 * Request encoding
 */

/* Native-endian reads at an octet offset (the wire is the guest's order). */
static uint64_t get_field(const uint8_t *p, unsigned int off, unsigned int size)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		return p[off];
	case 2:
		memcpy(&v16, p + off, 2);
		return v16;
	case 4:
		memcpy(&v32, p + off, 4);
		return v32;
	default:
		memcpy(&v64, p + off, 8);
		return v64;
	}
}

struct field {
	const char *name;
	unsigned int off, size;
	uint64_t val;
};

struct req_case {
	const char *name;
	void (*encode)(struct xendispl_req *req);
	uint8_t operation;	 /* at octet 2, after the id (ID) at 0 */
	struct field fields[10]; /* from octet 8, up to the first with size 0 */
};

/*
 * Distinct values in which no octet is 0, so a field written at the wrong
 * offset or with the wrong width shows up either as a wrong value or as a
 * non-zero reserved octet.
 */
#define ID 0xbeefu
#define DBUF_COOKIE 0x1122334455667788ull
#define FB_COOKIE 0x99aabbccddeeff11ull
#define WIDTH 0x01020304u
#define HEIGHT 0x05060708u
#define BPP 0x090a0b0cu
#define BUF_SZ 0x0d0e0f10u
#define DATA_OFS 0x11121314u
#define GREF_DIR 0x15161718u
#define POS_X 0x191a1b1cu
#define POS_Y 0x1d1e1f20u
#define FOURCC 0x34325258u /* XR24 */

static void enc_dbuf_create(struct xendispl_req *req)
{
	zfront_req_dbuf_create(req, ID, DBUF_COOKIE, WIDTH, HEIGHT, BPP, BUF_SZ, DATA_OFS, GREF_DIR,
			       false);
}

static void enc_dbuf_create_be_alloc(struct xendispl_req *req)
{
	zfront_req_dbuf_create(req, ID, DBUF_COOKIE, WIDTH, HEIGHT, BPP, BUF_SZ, DATA_OFS, GREF_DIR,
			       true);
}

static void enc_dbuf_destroy(struct xendispl_req *req)
{
	zfront_req_dbuf_destroy(req, ID, DBUF_COOKIE);
}

static void enc_fb_attach(struct xendispl_req *req)
{
	zfront_req_fb_attach(req, ID, DBUF_COOKIE, FB_COOKIE, WIDTH, HEIGHT, FOURCC);
}

static void enc_fb_detach(struct xendispl_req *req)
{
	zfront_req_fb_detach(req, ID, FB_COOKIE);
}

static void enc_set_config(struct xendispl_req *req)
{
	zfront_req_set_config(req, ID, FB_COOKIE, POS_X, POS_Y, WIDTH, HEIGHT, BPP);
}

static void enc_set_config_reset(struct xendispl_req *req)
{
	zfront_req_set_config(req, ID, 0, 0, 0, 0, 0, 0);
}

static void enc_pg_flip(struct xendispl_req *req)
{
	zfront_req_pg_flip(req, ID, FB_COOKIE);
}

static void enc_get_edid(struct xendispl_req *req)
{
	zfront_req_get_edid(req, ID, BUF_SZ, GREF_DIR);
}

/*
 * Offsets from the diagrams in io/displif.h (a row's label is the octet
 * it ends at), checked against the structs where the two disagree.
 */
static const struct req_case req_cases[] = {
	{"dbuf_create",
	 enc_dbuf_create,
	 XENDISPL_OP_DBUF_CREATE,
	 {{"dbuf_cookie", 8, 8, DBUF_COOKIE},
	  {"width", 16, 4, WIDTH},
	  {"height", 20, 4, HEIGHT},
	  {"bpp", 24, 4, BPP},
	  {"buffer_sz", 28, 4, BUF_SZ},
	  {"flags", 32, 4, 0},
	  {"gref_directory", 36, 4, GREF_DIR},
	  {"data_ofs", 40, 4, DATA_OFS}}},
	{"dbuf_create be_alloc",
	 enc_dbuf_create_be_alloc,
	 XENDISPL_OP_DBUF_CREATE,
	 {{"dbuf_cookie", 8, 8, DBUF_COOKIE},
	  {"width", 16, 4, WIDTH},
	  {"height", 20, 4, HEIGHT},
	  {"bpp", 24, 4, BPP},
	  {"buffer_sz", 28, 4, BUF_SZ},
	  {"flags", 32, 4, XENDISPL_DBUF_FLG_REQ_ALLOC},
	  {"gref_directory", 36, 4, GREF_DIR},
	  {"data_ofs", 40, 4, DATA_OFS}}},
	{"dbuf_destroy",
	 enc_dbuf_destroy,
	 XENDISPL_OP_DBUF_DESTROY,
	 {{"dbuf_cookie", 8, 8, DBUF_COOKIE}}},
	{"fb_attach",
	 enc_fb_attach,
	 XENDISPL_OP_FB_ATTACH,
	 {{"dbuf_cookie", 8, 8, DBUF_COOKIE},
	  {"fb_cookie", 16, 8, FB_COOKIE},
	  {"width", 24, 4, WIDTH},
	  {"height", 28, 4, HEIGHT},
	  {"pixel_format", 32, 4, FOURCC}}},
	{"fb_detach", enc_fb_detach, XENDISPL_OP_FB_DETACH, {{"fb_cookie", 8, 8, FB_COOKIE}}},
	/*
	 * The diagram labels bpp's row "40" after height's "32"; the struct
	 * (and every implementation) has bpp right after height, at 32.
	 */
	{"set_config",
	 enc_set_config,
	 XENDISPL_OP_SET_CONFIG,
	 {{"fb_cookie", 8, 8, FB_COOKIE},
	  {"x", 16, 4, POS_X},
	  {"y", 20, 4, POS_Y},
	  {"width", 24, 4, WIDTH},
	  {"height", 28, 4, HEIGHT},
	  {"bpp", 32, 4, BPP}}},
	{"set_config reset", enc_set_config_reset, XENDISPL_OP_SET_CONFIG, {{NULL, 0, 0, 0}}},
	{"pg_flip", enc_pg_flip, XENDISPL_OP_PG_FLIP, {{"fb_cookie", 8, 8, FB_COOKIE}}},
	/*
	 * The diagram puts buffer_sz at octet 4, but struct xendispl_req has
	 * 5 reserved octets after operation for every request, so the struct
	 * (which Linux's xen-drm-front and zdispl's backend use) has
	 * buffer_sz at 8 and gref_directory at 12. The struct is the wire.
	 */
	{"get_edid",
	 enc_get_edid,
	 XENDISPL_OP_GET_EDID,
	 {{"buffer_sz", 8, 4, BUF_SZ}, {"gref_directory", 12, 4, GREF_DIR}}},
};

/*
 * The first difference between the octets of an encoded request and case
 * c: a field with another value, or a non-zero octet outside every field.
 * Writes what it is to why; false if there is none.
 */
static bool req_mismatch(const struct req_case *c, const uint8_t *raw, char *why, size_t len)
{
	uint8_t covered[sizeof(struct xendispl_req)] = {1, 1, 1}; /* id, operation */
	const struct field *f;
	size_t i;

	if (get_field(raw, 0, 2) != ID || raw[2] != c->operation) {
		snprintf(why, len, "%s: id 0x%x operation 0x%x", c->name,
			 (unsigned int)get_field(raw, 0, 2), raw[2]);
		return true;
	}
	for (f = c->fields; f < c->fields + ARRAY_LEN(c->fields) && f->size; f++) {
		uint64_t got = get_field(raw, f->off, f->size);

		if (got != f->val) {
			snprintf(why, len, "%s: %s at octet %u is 0x%llx, not 0x%llx", c->name,
				 f->name, f->off, (unsigned long long)got,
				 (unsigned long long)f->val);
			return true;
		}
		memset(covered + f->off, 1, f->size);
	}
	for (i = 0; i < sizeof(covered); i++) {
		if (!covered[i] && raw[i]) {
			snprintf(why, len, "%s: reserved octet %zu is 0x%02x", c->name, i, raw[i]);
			return true;
		}
	}
	return false;
}

/* Encode over junk, as a ring slot still holding an old request would be. */
static void encode_raw(const struct req_case *c, uint8_t *raw)
{
	struct xendispl_req req;

	memset(&req, JUNK_OCTET, sizeof(req));
	c->encode(&req);
	memcpy(raw, &req, sizeof(req));
}

TEST(front_req_fields_at_displif_offsets_reserved_zero)
{
	uint8_t raw[sizeof(struct xendispl_req)];
	char why[160];
	size_t i;

	CHECK_EQ_INT(sizeof(struct xendispl_req), 64);
	for (i = 0; i < ARRAY_LEN(req_cases); i++) {
		encode_raw(&req_cases[i], raw);
		if (req_mismatch(&req_cases[i], raw, why, sizeof(why)))
			test_fail(__FILE__, __LINE__, "%s", why);
	}
}

/* The comparison above can fail: a stray octet and a moved field are seen. */
TEST(front_req_mismatch_sees_stray_octet_and_moved_field)
{
	const struct req_case *flip = NULL;
	struct req_case moved;
	uint8_t raw[sizeof(struct xendispl_req)];
	char why[160];
	size_t i, off;

	for (i = 0; i < ARRAY_LEN(req_cases); i++)
		if (req_cases[i].encode == enc_pg_flip)
			flip = &req_cases[i];
	CHECK_NOT_NULL(flip);
	encode_raw(flip, raw);
	CHECK(!req_mismatch(flip, raw, why, sizeof(why)));
	for (off = 3; off < sizeof(raw); off++) {
		if (off == 8)
			off = 16; /* the cookie */
		raw[off] = 1;
		CHECK(req_mismatch(flip, raw, why, sizeof(why)));
		CHECK(strstr(why, "reserved octet") != NULL);
		raw[off] = 0;
	}
	/* Another operation in the header. */
	raw[2] = XENDISPL_OP_FB_DETACH;
	CHECK(req_mismatch(flip, raw, why, sizeof(why)));
	CHECK(strstr(why, "operation 0x13") != NULL);
	raw[2] = XENDISPL_OP_PG_FLIP;
	/* The cookie expected 4 octets later (as in fb_attach's second one). */
	moved = *flip;
	moved.fields[0].off += 4;
	CHECK(req_mismatch(&moved, raw, why, sizeof(why)));
	CHECK(strstr(why, "fb_cookie at octet 12") != NULL);
}

/* The two rows of the table that follow the struct, not the diagram. */
TEST(front_req_struct_offsets_where_the_diagram_differs)
{
	CHECK_EQ_INT(offsetof(struct xendispl_req, op), 8);
	CHECK_EQ_INT(offsetof(struct xendispl_req, op.get_edid.buffer_sz), 8);
	CHECK_EQ_INT(offsetof(struct xendispl_req, op.get_edid.gref_directory), 12);
	CHECK_EQ_INT(offsetof(struct xendispl_req, op.set_config.height), 28);
	CHECK_EQ_INT(offsetof(struct xendispl_req, op.set_config.bpp), 32);
	/* The response's edid_sz is where its diagram says. */
	CHECK_EQ_INT(offsetof(struct xendispl_resp, status), 4);
	CHECK_EQ_INT(offsetof(struct xendispl_resp, op.get_edid.edid_sz), 8);
}

TEST(front_req_extreme_values_round_trip)
{
	struct xendispl_req req;
	uint8_t raw[sizeof(req)];

	zfront_req_dbuf_create(&req, UINT16_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
			       UINT32_MAX, UINT32_MAX, UINT32_MAX, true);
	memcpy(raw, &req, sizeof(raw));
	CHECK_EQ_INT(get_field(raw, 0, 2), UINT16_MAX);
	CHECK(get_field(raw, 8, 8) == UINT64_MAX);
	CHECK_EQ_INT(get_field(raw, 32, 4), XENDISPL_DBUF_FLG_REQ_ALLOC); /* no other flag */
	CHECK_EQ_INT(get_field(raw, 40, 4), UINT32_MAX);
	CHECK_EQ_INT(get_field(raw, 44, 4), 0);

	zfront_req_get_edid(&req, 0, ZFRONT_EDID_BUF_SIZE, 0);
	memcpy(raw, &req, sizeof(raw));
	CHECK_EQ_INT(get_field(raw, 0, 2), 0);
	CHECK_EQ_INT(get_field(raw, 2, 1), XENDISPL_OP_GET_EDID);
	CHECK_EQ_INT(get_field(raw, 8, 4), XENDISPL_EDID_MAX_SIZE);
	CHECK_EQ_INT(get_field(raw, 12, 4), 0);
}

/* ------------------------------------------------------------------------
 * Geometry
 */

static const struct dumb_case {
	uint32_t width, height, bpp;
	int ret;
	uint32_t pitch, size;
} dumb_cases[] = {
	{1024, 768, 32, 0, 4096, 4096 * 768},
	{1, 1, 8, 0, 1, 1},
	{1920, 1080, 24, 0, 5760, 5760 * 1080},
	{800, 600, 16, 0, 1600, 1600 * 600},
	{ZD_MAX_DIMENSION, 1, 32, 0, ZD_MAX_DIMENSION * 4, ZD_MAX_DIMENSION * 4},
	/* The largest there is: exactly ZD_MAX_BUFFER_BYTES. */
	{ZD_MAX_DIMENSION, ZD_MAX_DIMENSION, 32, 0, ZD_MAX_DIMENSION * 4, ZD_MAX_BUFFER_BYTES},
	{0, 768, 32, -EINVAL, 0, 0},
	{1024, 0, 32, -EINVAL, 0, 0},
	{ZD_MAX_DIMENSION + 1, 1, 8, -EINVAL, 0, 0},
	{1, ZD_MAX_DIMENSION + 1, 8, -EINVAL, 0, 0},
	/* Far over the limits: their products would not fit in 32 bits. */
	{UINT32_MAX, UINT32_MAX, 32, -EINVAL, 0, 0},
	{0x10000, 0x10000, 32, -EINVAL, 0, 0},
	{1024, 768, 0, -EINVAL, 0, 0},
	{1024, 768, 1, -EINVAL, 0, 0},
	{1024, 768, 4, -EINVAL, 0, 0},
	{1024, 768, 7, -EINVAL, 0, 0},
	{1024, 768, 12, -EINVAL, 0, 0},
	{1024, 768, 31, -EINVAL, 0, 0},
	{1024, 768, 33, -EINVAL, 0, 0},
	{1024, 768, 40, -EINVAL, 0, 0},
	{1024, 768, 64, -EINVAL, 0, 0},
	{1024, 768, UINT32_MAX, -EINVAL, 0, 0},
};

TEST(front_dumb_geometry_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(dumb_cases); i++) {
		const struct dumb_case *c = &dumb_cases[i];
		uint32_t pitch = SENTINEL, size = SENTINEL;

		CHECK_ROW_EQ(zfront_dumb_geometry(c->width, c->height, c->bpp, &pitch, &size),
			     c->ret, i);
		if (c->ret) {
			CHECK_ROW_EQ(pitch, SENTINEL, i);
			CHECK_ROW_EQ(size, SENTINEL, i);
			continue;
		}
		CHECK_ROW_EQ(pitch, c->pitch, i);
		CHECK_ROW_EQ(size, c->size, i);
		CHECK_ROW(size <= ZD_MAX_BUFFER_BYTES, i);
	}
}

TEST(front_dumb_geometry_never_exceeds_the_maximum)
{
	static const uint32_t bpps[] = {8, 16, 24, 32};
	uint32_t w, h, pitch, size;
	size_t b;

	/* Every bpp over a grid reaching the limits, incl. the largest. */
	for (b = 0; b < ARRAY_LEN(bpps); b++) {
		for (w = 1; w <= ZD_MAX_DIMENSION; w += 511) {
			for (h = 1; h <= ZD_MAX_DIMENSION; h += 1021) {
				CHECK_EQ_INT(zfront_dumb_geometry(w, h, bpps[b], &pitch, &size), 0);
				CHECK_EQ_INT(pitch, w * (bpps[b] / 8));
				CHECK_EQ_INT(size, (uint64_t)pitch * h);
				CHECK(size <= ZD_MAX_BUFFER_BYTES);
			}
		}
	}
}

static const struct fb_case {
	uint32_t width, height, cpp, pitch, offset, obj_size;
	int ret;
	uint32_t dbuf_width;
} fb_cases[] = {
	{1024, 768, 4, 4096, 0, 4096 * 768, 0, 1024},
	{1024, 768, 4, 4096, 0, 4096 * 768 - 1, -EINVAL, 0},
	/* A padded pitch: the last row needs only its pixels. */
	{1000, 10, 4, 4096, 0, 4096 * 9 + 4000, 0, 1024},
	{1000, 10, 4, 4096, 0, 4096 * 9 + 3999, -EINVAL, 0},
	{1000, 10, 4, 4096, 4096, 4096 * 10 + 4000, 0, 1024},
	{1000, 10, 4, 4096, 4096, 4096 * 10 + 3999, -EINVAL, 0},
	{10, 1, 4, 64, 0, 40, 0, 16},
	{10, 1, 4, 64, 1, 40, -EINVAL, 0},
	{1920, 1080, 3, 5760, 0, 5760 * 1080, 0, 1920},
	{1920, 1080, 2, 3840, 0, 3840 * 1080, 0, 1920},
	{1920, 1080, 1, 1920, 0, 1920 * 1080, 0, 1920},
	/* The pitch must be a whole number of pixels, at least a row's worth. */
	{1024, 768, 4, 4098, 0, 16u << 20, -EINVAL, 0},
	{1024, 768, 3, 4096, 0, 16u << 20, -EINVAL, 0},
	{1024, 768, 4, 4092, 0, 16u << 20, -EINVAL, 0},
	{1024, 768, 4, 0, 0, 16u << 20, -EINVAL, 0},
	/* The described width (pitch / cpp) is bounded like any width. */
	{10, 1, 1, ZD_MAX_DIMENSION, 0, 1u << 20, 0, ZD_MAX_DIMENSION},
	{10, 1, 1, ZD_MAX_DIMENSION + 1, 0, 1u << 20, -EINVAL, 0},
	{10, 1, 4, 4 * (ZD_MAX_DIMENSION + 1), 0, 1u << 20, -EINVAL, 0},
	{0, 768, 4, 4096, 0, 16u << 20, -EINVAL, 0},
	{1024, 0, 4, 4096, 0, 16u << 20, -EINVAL, 0},
	{ZD_MAX_DIMENSION + 1, 1, 1, ZD_MAX_DIMENSION + 1, 0, 1u << 20, -EINVAL, 0},
	{1, ZD_MAX_DIMENSION + 1, 1, 1, 0, 1u << 20, -EINVAL, 0},
	{1024, 768, 0, 4096, 0, 16u << 20, -EINVAL, 0},
	{1024, 768, 5, 4100, 0, 16u << 20, -EINVAL, 0},
	{1024, 768, 8, 8192, 0, 16u << 20, -EINVAL, 0},
	/* Offsets that wrap the end past 2^32 to something small. */
	{1024, 768, 4, 4096, UINT32_MAX, UINT32_MAX, -EINVAL, 0},
	{1024, 768, 4, 4096, UINT32_MAX - 4096 * 768 + 1, UINT32_MAX, -EINVAL, 0},
	{1024, 768, 4, 4096, UINT32_MAX - 4096 * 768 + 1, 4096, -EINVAL, 0},
	{1024, 768, 4, 4096, UINT32_MAX - 4096 * 768, UINT32_MAX, 0, 1024},
	/* The largest frame there is. */
	{ZD_MAX_DIMENSION, ZD_MAX_DIMENSION, 4, 4 * ZD_MAX_DIMENSION, 0, ZD_MAX_BUFFER_BYTES, 0,
	 ZD_MAX_DIMENSION},
};

TEST(front_fb_geometry_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(fb_cases); i++) {
		const struct fb_case *c = &fb_cases[i];
		uint32_t w = SENTINEL;

		CHECK_ROW_EQ(zfront_fb_geometry(c->width, c->height, c->cpp, c->pitch, c->offset,
						c->obj_size, &w),
			     c->ret, i);
		CHECK_ROW_EQ(w, c->ret ? SENTINEL : c->dbuf_width, i);
	}
}

/* ------------------------------------------------------------------------
 * Responses
 */

#define RING_SZ 32u /* RING_SIZE() of one 4096-octet page */

TEST(front_ring_size_of_one_page_is_32)
{
	struct xen_displif_sring *sring;
	struct xen_displif_front_ring fr;
	static uint64_t page[ZD_PAGE_SIZE / 8];

	sring = (struct xen_displif_sring *)page;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&fr, sring, ZD_PAGE_SIZE);
	CHECK_EQ_INT(RING_SIZE(&fr), RING_SZ);
}

static const struct rsp_avail_case {
	RING_IDX prod, cons, req_prod_pvt;
	unsigned int ring_size;
	int ret;
} rsp_avail_cases[] = {
	{0, 0, 0, RING_SZ, 0},
	{0, 0, 5, RING_SZ, 0},
	{3, 0, 5, RING_SZ, 3},
	{5, 0, 5, RING_SZ, 5},
	{105, 100, 110, RING_SZ, 5},
	{RING_SZ, 0, RING_SZ, RING_SZ, RING_SZ},
	/* More answers than requests. */
	{6, 0, 5, RING_SZ, -EIO},
	{1, 0, 0, RING_SZ, -EIO},
	{0x80000000u, 0, 5, RING_SZ, -EIO},
	{UINT32_MAX, 0, 5, RING_SZ, -EIO},
	/* A producer index behind our consumer index. */
	{99, 100, 110, RING_SZ, -EIO},
	/* More outstanding than the ring holds (our own books are wrong). */
	{0, 0, RING_SZ + 1, RING_SZ, -EIO},
	{0, 100, 99, RING_SZ, -EIO},
	/* Free-running indices wrap at 2^32 together. */
	{UINT32_MAX, UINT32_MAX - 2, 1, RING_SZ, 2},
	{1, UINT32_MAX - 1, 3, RING_SZ, 3},
	{3, UINT32_MAX - 1, 3, RING_SZ, 5},
	{4, UINT32_MAX - 1, 3, RING_SZ, -EIO},
	{0, UINT32_MAX - 30, 0, RING_SZ, 31},
	{1, UINT32_MAX - 30, 0, RING_SZ, -EIO},
	{RING_SZ - 1, UINT32_MAX, RING_SZ - 1, RING_SZ, RING_SZ},
	{RING_SZ, UINT32_MAX, RING_SZ, RING_SZ, -EIO},
	{UINT32_MAX - 1, UINT32_MAX, 3, RING_SZ, -EIO},
	/* Another ring size. */
	{64, 0, 64, 64, 64},
	{1, 0, 1, 0, -EIO},
};

TEST(front_rsp_avail_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(rsp_avail_cases); i++) {
		const struct rsp_avail_case *c = &rsp_avail_cases[i];

		CHECK_ROW_EQ(zfront_rsp_avail(c->prod, c->cons, c->req_prod_pvt, c->ring_size),
			     c->ret, i);
	}
}

TEST(front_rsp_avail_every_claim_near_the_wrap)
{
	RING_IDX cons = UINT32_MAX - 7, req = cons + 20, d;

	/* Every claim up to outstanding is taken; every other one is not. */
	for (d = 0; d <= 40; d++)
		CHECK_EQ_INT(zfront_rsp_avail(cons + d, cons, req, RING_SZ),
			     d <= 20 ? (int)d : -EIO);
	for (d = 1; d <= 40; d++)
		CHECK_EQ_INT(zfront_rsp_avail(cons - d, cons, req, RING_SZ), -EIO);
}

static struct xendispl_resp make_rsp(uint16_t id, uint8_t op, int32_t status, uint32_t edid_sz)
{
	struct xendispl_resp r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.operation = op;
	r.status = status;
	r.op.get_edid.edid_sz = edid_sz;
	return r;
}

static const uint8_t all_ops[] = {
	XENDISPL_OP_DBUF_CREATE, XENDISPL_OP_DBUF_DESTROY, XENDISPL_OP_FB_ATTACH,
	XENDISPL_OP_FB_DETACH,	 XENDISPL_OP_SET_CONFIG,   XENDISPL_OP_PG_FLIP,
	XENDISPL_OP_GET_EDID,
};

TEST(front_rsp_check_matching_answer_every_op)
{
	static const int32_t statuses[] = {0, -1, -EINVAL, -ENOMEM, -ENODEV, -4095};
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(all_ops); i++) {
		for (j = 0; j < ARRAY_LEN(statuses); j++) {
			struct zfront_wait w = {.id = 77,
						.operation = all_ops[i],
						.edid_buf_sz = ZFRONT_EDID_BUF_SIZE};
			/* A successful GET_EDID needs a size; others ignore the field. */
			struct xendispl_resp r = make_rsp(77, all_ops[i], statuses[j], 256);
			int status = (int)SENTINEL;
			uint32_t edid_sz = SENTINEL;
			bool edid = all_ops[i] == XENDISPL_OP_GET_EDID && !statuses[j];

			CHECK_ROW_EQ(zfront_rsp_check(&r, &w, &status, &edid_sz), 1, i * 100 + j);
			CHECK_ROW_EQ(status, statuses[j], i * 100 + j);
			CHECK_ROW_EQ(edid_sz, edid ? 256 : 0, i * 100 + j);
		}
	}
}

TEST(front_rsp_check_late_answer_is_dropped)
{
	struct zfront_wait w = {.id = 8, .operation = XENDISPL_OP_PG_FLIP};
	struct xendispl_resp r;
	int status = (int)SENTINEL;
	uint32_t edid_sz = SENTINEL;

	/* A late answer to an earlier request: same or other operation. */
	r = make_rsp(7, XENDISPL_OP_PG_FLIP, 0, 0);
	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 0);
	r = make_rsp(7, XENDISPL_OP_DBUF_CREATE, -EINVAL, 0);
	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 0);
	r = make_rsp(9, XENDISPL_OP_GET_EDID, 0, 0); /* even with a junk edid_sz */
	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 0);
	/* Nothing in flight. */
	r = make_rsp(8, XENDISPL_OP_PG_FLIP, 0, 0);
	CHECK_EQ_INT(zfront_rsp_check(&r, NULL, &status, &edid_sz), 0);
	/* The outputs are left alone. */
	CHECK_EQ_INT(status, (int)SENTINEL);
	CHECK_EQ_INT(edid_sz, SENTINEL);
	/* And the one we wait for is taken. */
	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 1);
	CHECK_EQ_INT(status, 0);
}

TEST(front_rsp_check_wrong_operation_for_our_id)
{
	struct zfront_wait w = {.id = 8, .operation = XENDISPL_OP_PG_FLIP};
	size_t i;

	for (i = 0; i < ARRAY_LEN(all_ops); i++) {
		struct xendispl_resp r = make_rsp(8, all_ops[i], 0, 128);
		int status = (int)SENTINEL;
		uint32_t edid_sz = SENTINEL;

		CHECK_ROW_EQ(zfront_rsp_check(&r, &w, &status, &edid_sz),
			     all_ops[i] == XENDISPL_OP_PG_FLIP ? 1 : -EIO, i);
	}
}

static const struct bad_rsp_case {
	uint16_t id;
	uint8_t op;
	int32_t status;
} bad_rsp_cases[] = {
	/* Operations that do not exist, for our id or another. */
	{8, 0x00, 0},
	{8, 0x0f, 0},
	{8, 0x17, 0},
	{8, 0xff, 0},
	{9, 0x00, 0},
	{9, 0xff, -EINVAL},
	/* Statuses that are no error number. */
	{8, XENDISPL_OP_PG_FLIP, 1},
	{8, XENDISPL_OP_PG_FLIP, EINVAL},
	{8, XENDISPL_OP_PG_FLIP, INT32_MAX},
	{8, XENDISPL_OP_PG_FLIP, -ZFRONT_MAX_STATUS_ERRNO - 1},
	{8, XENDISPL_OP_PG_FLIP, -100000},
	{8, XENDISPL_OP_PG_FLIP, INT32_MIN},
	{9, XENDISPL_OP_PG_FLIP, 1},
	{9, XENDISPL_OP_PG_FLIP, INT32_MIN},
};

TEST(front_rsp_check_rejects_bad_operation_and_status)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad_rsp_cases); i++) {
		const struct bad_rsp_case *c = &bad_rsp_cases[i];
		struct zfront_wait w = {.id = 8, .operation = c->op};
		struct xendispl_resp r = make_rsp(c->id, c->op, c->status, 0);
		int status = (int)SENTINEL;
		uint32_t edid_sz = SENTINEL;

		CHECK_ROW_EQ(zfront_rsp_check(&r, &w, &status, &edid_sz), -EIO, i);
		CHECK_ROW_EQ(zfront_rsp_check(&r, NULL, &status, &edid_sz), -EIO, i);
		CHECK_ROW_EQ(status, (int)SENTINEL, i);
	}
}

static const struct edid_sz_case {
	uint32_t buf_sz, edid_sz;
	int ret;
} edid_sz_cases[] = {
	{ZFRONT_EDID_BUF_SIZE, 128, 1},
	{ZFRONT_EDID_BUF_SIZE, 256, 1},
	{ZFRONT_EDID_BUF_SIZE, ZFRONT_EDID_BUF_SIZE, 1},
	{ZFRONT_EDID_BUF_SIZE, 0, -EIO},
	{ZFRONT_EDID_BUF_SIZE, 1, -EIO},
	{ZFRONT_EDID_BUF_SIZE, ZFRONT_EDID_MIN_SIZE - 1, -EIO},
	{ZFRONT_EDID_BUF_SIZE, ZFRONT_EDID_BUF_SIZE + 1, -EIO},
	{ZFRONT_EDID_BUF_SIZE, UINT32_MAX, -EIO},
	{ZFRONT_EDID_BUF_SIZE, 0x80000000u, -EIO},
	{256, 256, 1},
	{256, 384, -EIO},
	{128, 128, 1},
	{128, 129, -EIO},
	/* Sizes inside the buffer that are no whole blocks: zfront_edid_check's job. */
	{ZFRONT_EDID_BUF_SIZE, 200, 1},
};

TEST(front_rsp_check_get_edid_size_bounds)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(edid_sz_cases); i++) {
		const struct edid_sz_case *c = &edid_sz_cases[i];
		struct zfront_wait w = {.id = 3,
					.operation = XENDISPL_OP_GET_EDID,
					.edid_buf_sz = c->buf_sz};
		struct xendispl_resp r = make_rsp(3, XENDISPL_OP_GET_EDID, 0, c->edid_sz);
		int status = (int)SENTINEL;
		uint32_t edid_sz = SENTINEL;

		CHECK_ROW_EQ(zfront_rsp_check(&r, &w, &status, &edid_sz), c->ret, i);
		if (c->ret == 1) {
			CHECK_ROW_EQ(status, 0, i);
			CHECK_ROW_EQ(edid_sz, c->edid_sz, i);
		} else {
			CHECK_ROW_EQ(status, (int)SENTINEL, i);
		}
	}
}

TEST(front_rsp_check_failed_get_edid_ignores_size)
{
	struct zfront_wait w = {.id = 3,
				.operation = XENDISPL_OP_GET_EDID,
				.edid_buf_sz = ZFRONT_EDID_BUF_SIZE};
	struct xendispl_resp r = make_rsp(3, XENDISPL_OP_GET_EDID, -ENOENT, UINT32_MAX);
	int status = 0;
	uint32_t edid_sz = SENTINEL;

	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 1);
	CHECK_EQ_INT(status, -ENOENT);
	CHECK_EQ_INT(edid_sz, 0);
}

TEST(front_rsp_check_reads_only_id_operation_status_size)
{
	struct zfront_wait w = {.id = 0x1234,
				.operation = XENDISPL_OP_GET_EDID,
				.edid_buf_sz = ZFRONT_EDID_BUF_SIZE};
	struct xendispl_resp r;
	int status = (int)SENTINEL;
	uint32_t edid_sz = SENTINEL;

	/* Junk in every reserved octet does not change the verdict. */
	memset(&r, 0xff, sizeof(r));
	r.id = 0x1234;
	r.operation = XENDISPL_OP_GET_EDID;
	r.status = 0;
	r.op.get_edid.edid_sz = 384;
	CHECK_EQ_INT(zfront_rsp_check(&r, &w, &status, &edid_sz), 1);
	CHECK_EQ_INT(status, 0);
	CHECK_EQ_INT(edid_sz, 384);
}

/* ------------------------------------------------------------------------
 * Events
 */

static const struct evt_avail_case {
	uint32_t prod, cons;
	int ret;
} evt_avail_cases[] = {
	{0, 0, 0},
	{5, 0, 5},
	{1005, 1000, 5},
	{XENDISPL_IN_RING_LEN, 0, XENDISPL_IN_RING_LEN},
	{XENDISPL_IN_RING_LEN + 1, 0, -EIO},
	{0x80000000u, 0, -EIO},
	{UINT32_MAX, 0, -EIO},
	/* Producer behind the consumer: a huge claim. */
	{999, 1000, -EIO},
	{0, 1, -EIO},
	/* Free-running indices: across 2^32. */
	{0x10, 0xfffffff0u, 0x20},
	{0, UINT32_MAX, 1},
	{XENDISPL_IN_RING_LEN - 1, UINT32_MAX, XENDISPL_IN_RING_LEN},
	{XENDISPL_IN_RING_LEN, UINT32_MAX, -EIO},
	{UINT32_MAX, UINT32_MAX, 0},
	{UINT32_MAX - 1, UINT32_MAX, -EIO},
};

TEST(front_evt_avail_table)
{
	size_t i;

	CHECK_EQ_INT(XENDISPL_IN_RING_LEN, 63);
	for (i = 0; i < ARRAY_LEN(evt_avail_cases); i++) {
		const struct evt_avail_case *c = &evt_avail_cases[i];

		CHECK_ROW_EQ(zfront_evt_avail(c->prod, c->cons), c->ret, i);
	}
}

TEST(front_evt_avail_every_claim_near_the_wrap)
{
	uint32_t cons = UINT32_MAX - 30, d;

	for (d = 0; d <= 2 * XENDISPL_IN_RING_LEN; d++)
		CHECK_EQ_INT(zfront_evt_avail(cons + d, cons),
			     d <= XENDISPL_IN_RING_LEN ? (int)d : -EIO);
}

static struct xendispl_evt make_evt(uint8_t type, uint64_t cookie)
{
	struct xendispl_evt e;

	memset(&e, 0, sizeof(e));
	e.id = 5;
	e.type = type;
	e.op.pg_flip.fb_cookie = cookie;
	return e;
}

static const struct evt_case {
	uint8_t type;
	uint64_t cookie;
	int ret;
} evt_cases[] = {
	{XENDISPL_EVT_PG_FLIP, 1, 0},
	{XENDISPL_EVT_PG_FLIP, 0x8000000000000001ull, 0},
	{XENDISPL_EVT_PG_FLIP, UINT64_MAX, 0},
	{XENDISPL_EVT_PG_FLIP, 0x100000000ull, 0}, /* low half 0 */
	{XENDISPL_EVT_PG_FLIP, 0, -EIO},
	{1, 1, -EIO},
	{0x10, 1, -EIO},
	{0x7f, 1, -EIO},
	{0xff, 1, -EIO},
	{0xff, 0, -EIO},
};

TEST(front_evt_check_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(evt_cases); i++) {
		const struct evt_case *c = &evt_cases[i];
		struct xendispl_evt e = make_evt(c->type, c->cookie);
		uint64_t cookie = SENTINEL;

		CHECK_ROW_EQ(zfront_evt_check(&e, &cookie), c->ret, i);
		CHECK_ROW(cookie == (c->ret ? SENTINEL : c->cookie), i);
	}
}

TEST(front_evt_cookie_at_octet_8)
{
	struct xendispl_evt e;
	uint8_t raw[sizeof(e)];
	uint64_t cookie = 0;

	CHECK_EQ_INT(sizeof(e), 64);
	memset(raw, 0, sizeof(raw));
	raw[2] = XENDISPL_EVT_PG_FLIP;
	memcpy(raw + 8, &(uint64_t){0x0102030405060708ull}, 8);
	memcpy(&e, raw, sizeof(e));
	CHECK_EQ_INT(zfront_evt_check(&e, &cookie), 0);
	CHECK(cookie == 0x0102030405060708ull);
	/* The type is octet 2: anything else there is another event. */
	raw[2] = 1;
	memcpy(&e, raw, sizeof(e));
	CHECK_EQ_INT(zfront_evt_check(&e, &cookie), -EIO);
}

/* ------------------------------------------------------------------------
 * Status
 */

static const struct status_case {
	int32_t status;
	int ret;
} status_cases[] = {
	{0, 0},
	{-1, -1},
	{-EINVAL, -EINVAL},
	{-ENOMEM, -ENOMEM},
	{-ZFRONT_MAX_STATUS_ERRNO, -ZFRONT_MAX_STATUS_ERRNO},
	{-ZFRONT_MAX_STATUS_ERRNO - 1, -EIO},
	{-1000000, -EIO},
	{INT32_MIN, -EIO},
	{INT32_MIN + 1, -EIO},
	{1, -EIO},
	{EINVAL, -EIO},
	{INT32_MAX, -EIO},
};

TEST(front_status_errno_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(status_cases); i++)
		CHECK_ROW_EQ(zfront_status_errno(status_cases[i].status), status_cases[i].ret, i);
}

/* ------------------------------------------------------------------------
 * xenstore values
 */

static const struct res_case {
	const char *s;
	int ret;
	uint32_t w, h;
} res_cases[] = {
	{"1024x768", 0, 1024, 768},
	{"1x1", 0, 1, 1},
	{"1920x1080", 0, 1920, 1080},
	{"8192x8192", 0, ZD_MAX_DIMENSION, ZD_MAX_DIMENSION},
	{"8193x1", -EINVAL, 0, 0},
	{"1x8193", -EINVAL, 0, 0},
	{"0x1", -EINVAL, 0, 0},
	{"1x0", -EINVAL, 0, 0},
	{"01x1", -EINVAL, 0, 0},
	{"1x01", -EINVAL, 0, 0},
	{"1024X768", -EINVAL, 0, 0},
	{"1024x768 ", -EINVAL, 0, 0},
	{" 1024x768", -EINVAL, 0, 0},
	{"1024 x768", -EINVAL, 0, 0},
	{"1024x768\n", -EINVAL, 0, 0},
	{"1024x768x1", -EINVAL, 0, 0},
	{"x768", -EINVAL, 0, 0},
	{"1024x", -EINVAL, 0, 0},
	{"1024", -EINVAL, 0, 0},
	{"x", -EINVAL, 0, 0},
	{"", -EINVAL, 0, 0},
	{"-1x1", -EINVAL, 0, 0},
	{"+1x1", -EINVAL, 0, 0},
	{"1x-1", -EINVAL, 0, 0},
	/* Would wrap a 32-bit accumulator back into range. */
	{"4294967297x1", -EINVAL, 0, 0},
	{"1x4294968320", -EINVAL, 0, 0},
	{"99999999999999999999x1", -EINVAL, 0, 0},
	{NULL, -EINVAL, 0, 0},
};

TEST(front_parse_resolution_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(res_cases); i++) {
		const struct res_case *c = &res_cases[i];
		uint32_t w = SENTINEL, h = SENTINEL;

		CHECK_ROW_EQ(zfront_parse_resolution(c->s, &w, &h), c->ret, i);
		CHECK_ROW_EQ(w, c->ret ? SENTINEL : c->w, i);
		CHECK_ROW_EQ(h, c->ret ? SENTINEL : c->h, i);
	}
}

static const struct ver_case {
	const char *versions;
	unsigned int v;
	bool offered;
} ver_cases[] = {
	{"1,2", 2, true},	  {"1,2", 1, true},	{"1,2", 3, false},
	{"2", 2, true},		  {"2", 1, false},	{ZD_BE_VERSIONS, 2, true},
	{"", 2, false},		  {NULL, 2, false},	{"12", 2, false},
	{"21", 2, false},	  {"1,22", 2, false},	{"1,12", 2, false},
	{",2", 2, true},	  {"2,", 2, true},	{",,2,,", 2, true},
	{"x,2", 2, true},	  {"2x,1", 2, false},	{"1,2x", 2, false},
	{" 2", 2, false},	  {"2 ", 2, false},	{"02", 2, false},
	{"-2", 2, false},	  {"1001,2", 2, true},	{"99999999999,2", 2, true},
	{"4294967298", 2, false}, {"1000", 1000, true}, {"1001", 1001, false},
	{"1,2", 0, false},	  {"0", 0, false},
};

TEST(front_versions_offer_table)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(ver_cases); i++)
		CHECK_ROW_EQ(zfront_versions_offer(ver_cases[i].versions, ver_cases[i].v),
			     ver_cases[i].offered, i);
}
