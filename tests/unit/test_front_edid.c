// SPDX-License-Identifier: GPL-2.0
/*
 * test_front_edid.c: the frontend's check of the EDID a backend returns
 * for GET_EDID (front/proto/zfront-edid.c).
 *
 * The EDIDs are built here from the E-EDID layout (8-octet header, the
 * extension count at octet 126, each block summing to 0 mod 256), and
 * from the backend's own builder (back/daemon/core/edid.c). Each one is
 * checked from a buffer of exactly the size the check may read, so the
 * address sanitizer sees any read past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edid.h"
#include "test.h"
#include "zfront-proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BLOCK XENDISPL_EDID_BLOCK_SIZE

#define CHECK_ROW(cond, row)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, "row %zu: CHECK(%s)", (size_t)(row), #cond); \
	} while (0)

static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

/* Make block b sum to 0 through its last octet. */
static void fix_checksum(uint8_t *e, uint32_t b)
{
	uint8_t *blk = e + (size_t)b * BLOCK, sum = 0;
	uint32_t i;

	for (i = 0; i < BLOCK - 1; i++)
		sum += blk[i];
	blk[BLOCK - 1] = (uint8_t)(0x100 - sum);
}

static uint8_t block_sum(const uint8_t *e, uint32_t b)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < BLOCK; i++)
		sum += e[(size_t)b * BLOCK + i];
	return sum;
}

/*
 * An EDID of nblocks blocks in e: the header, some content (every octet
 * different, so no block sums to 0 by chance), the extension count, CTA
 * extension tags, each checksum fixed.
 */
static void build(uint8_t *e, uint32_t nblocks)
{
	uint32_t b, i;

	for (i = 0; i < nblocks * BLOCK; i++)
		e[i] = (uint8_t)(i * 7 + 3);
	memcpy(e, header, sizeof(header));
	e[18] = 1; /* EDID 1.4 */
	e[19] = 4;
	e[126] = (uint8_t)(nblocks - 1);
	for (b = 1; b < nblocks; b++) {
		e[b * BLOCK] = 0x02; /* CTA-861 extension */
		e[b * BLOCK + 1] = 3;
	}
	for (b = 0; b < nblocks; b++)
		fix_checksum(e, b);
}

/* zfront_edid_check() on a heap copy of exactly buf_sz octets of e. */
static int check_copy(const uint8_t *e, uint32_t edid_sz, uint32_t buf_sz)
{
	uint8_t *copy = malloc(buf_sz ? buf_sz : 1);
	int r;

	CHECK_NOT_NULL(copy);
	memcpy(copy, e, buf_sz);
	r = zfront_edid_check(copy, edid_sz, buf_sz);
	free(copy);
	return r;
}

static uint8_t edid[XENDISPL_EDID_MAX_SIZE + BLOCK];

TEST(front_edid_builder_is_valid)
{
	uint32_t n, b;

	/* The test's own builder, checked independently of the code under test. */
	for (n = 1; n <= 256; n++) {
		build(edid, n);
		CHECK(memcmp(edid, header, sizeof(header)) == 0);
		CHECK_EQ_INT(edid[126], n - 1);
		for (b = 0; b < n; b++)
			CHECK_EQ_INT(block_sum(edid, b), 0);
	}
}

TEST(front_edid_accepts_valid_edids)
{
	static const struct {
		uint32_t nblocks, buf_sz;
	} cases[] = {
		{1, BLOCK},
		{1, 2 * BLOCK},
		{1, ZFRONT_EDID_BUF_SIZE},
		{2, 2 * BLOCK},
		{2, ZFRONT_EDID_BUF_SIZE},
		{3, 3 * BLOCK},
		{4, 4 * BLOCK},
		{256, XENDISPL_EDID_MAX_SIZE}, /* 255 extensions: the most there are */
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		memset(edid, 0xee, sizeof(edid));
		build(edid, cases[k].nblocks);
		CHECK_ROW(check_copy(edid, cases[k].nblocks * BLOCK, cases[k].buf_sz) == 0, k);
	}
}

TEST(front_edid_accepts_the_backends_edid)
{
	static const struct {
		uint32_t w, h;
	} modes[] = {{640, 480}, {1024, 768}, {1920, 1080}, {3840, 2160}, {4095, 2160}};
	size_t k;

	for (k = 0; k < ARRAY_LEN(modes); k++) {
		memset(edid, 0, sizeof(edid));
		CHECK_ROW(zd_edid_build(edid, modes[k].w, modes[k].h, "zdispl-0") == ZD_EDID_SIZE,
			  k);
		CHECK_ROW(check_copy(edid, ZD_EDID_SIZE, ZD_EDID_SIZE) == 0, k);
		CHECK_ROW(check_copy(edid, ZD_EDID_SIZE, ZFRONT_EDID_BUF_SIZE) == 0, k);
		/* The size the backend claims must be what it wrote. */
		CHECK_ROW(check_copy(edid, 2 * ZD_EDID_SIZE, ZFRONT_EDID_BUF_SIZE) == -EINVAL, k);
	}
}

/* Sizes: between 128 and the buffer, in whole blocks. */
TEST(front_edid_rejects_bad_sizes)
{
	static const struct {
		uint32_t nblocks; /* built */
		uint32_t edid_sz, buf_sz;
	} cases[] = {
		{1, 0, BLOCK},
		{1, 1, BLOCK},
		{1, BLOCK - 1, BLOCK},
		{1, BLOCK + 1, 2 * BLOCK},
		{2, 2 * BLOCK - 1, 2 * BLOCK},
		{2, 2 * BLOCK + 1, 3 * BLOCK},
		{2, 200, 2 * BLOCK},
		/* More than the buffer we gave. */
		{2, 2 * BLOCK, BLOCK},
		{2, 2 * BLOCK, 2 * BLOCK - 1},
		{1, BLOCK, BLOCK - 1},
		{1, BLOCK, 0},
		{1, UINT32_MAX, BLOCK},
		{1, 0x80000000u, BLOCK},
		/* More than any EDID, even in a larger buffer. */
		{256, XENDISPL_EDID_MAX_SIZE + BLOCK, XENDISPL_EDID_MAX_SIZE + BLOCK},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		memset(edid, 0, sizeof(edid));
		build(edid, cases[k].nblocks);
		CHECK_ROW(check_copy(edid, cases[k].edid_sz, cases[k].buf_sz) == -EINVAL, k);
	}
	/* And the valid size of the same EDIDs is taken (the rejections are the size's). */
	build(edid, 2);
	CHECK_EQ_INT(check_copy(edid, 2 * BLOCK, 2 * BLOCK), 0);
}

TEST(front_edid_rejects_a_bad_header)
{
	uint32_t i;

	/* Each header octet wrong in turn, the checksum kept right. */
	for (i = 0; i < sizeof(header); i++) {
		build(edid, 1);
		edid[i] ^= 0x01;
		fix_checksum(edid, 0);
		CHECK_EQ_INT(block_sum(edid, 0), 0);
		CHECK_EQ_INT(check_copy(edid, BLOCK, BLOCK), -EINVAL);
	}
	/* A header in the extension block instead of the base block. */
	build(edid, 2);
	memset(edid, 0, sizeof(header));
	edid[126] = 1;
	fix_checksum(edid, 0);
	memcpy(edid + BLOCK, header, sizeof(header));
	fix_checksum(edid, 1);
	CHECK_EQ_INT(check_copy(edid, 2 * BLOCK, 2 * BLOCK), -EINVAL);
}

TEST(front_edid_rejects_a_bad_checksum)
{
	static const struct {
		uint32_t nblocks, bad_block, octet;
	} cases[] = {
		{1, 0, 127}, /* the checksum octet itself */
		{1, 0, 54},  {1, 0, 8},	  {2, 0, 127},	   {2, 1, 127},	  {2, 1, 0},
		{2, 1, 64},  {4, 3, 100}, {256, 255, 127}, {256, 128, 5},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		uint32_t n = cases[k].nblocks;

		build(edid, n);
		edid[cases[k].bad_block * BLOCK + cases[k].octet] += 1;
		CHECK_ROW(block_sum(edid, cases[k].bad_block) == 1, k);
		CHECK_ROW(check_copy(edid, n * BLOCK, n * BLOCK) == -EINVAL, k);
	}
}

/* Two errors that cancel out in a whole-EDID sum are still two bad blocks. */
TEST(front_edid_checksums_are_per_block)
{
	build(edid, 2);
	edid[10] += 1;
	edid[BLOCK + 10] -= 1;
	CHECK_EQ_INT((uint8_t)(block_sum(edid, 0) + block_sum(edid, 1)), 0);
	CHECK_EQ_INT(check_copy(edid, 2 * BLOCK, 2 * BLOCK), -EINVAL);
}

TEST(front_edid_rejects_an_extension_count_mismatch)
{
	static const struct {
		uint32_t nblocks; /* built and claimed */
		uint8_t count;	  /* at octet 126 instead */
	} cases[] = {
		{1, 1}, {1, 255}, {2, 0}, {2, 2}, {3, 1}, {3, 3}, {256, 254}, {256, 0},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		uint32_t n = cases[k].nblocks;

		build(edid, n);
		edid[126] = cases[k].count;
		fix_checksum(edid, 0);
		CHECK_ROW(check_copy(edid, n * BLOCK, n * BLOCK) == -EINVAL, k);
	}
	/* A valid 2-block EDID claimed as only its base block. */
	build(edid, 2);
	CHECK_EQ_INT(check_copy(edid, BLOCK, ZFRONT_EDID_BUF_SIZE), -EINVAL);
}

/* Only the claimed octets are looked at: junk after them is fine. */
TEST(front_edid_ignores_octets_past_the_size)
{
	build(edid, 1);
	memset(edid + BLOCK, 0xff, BLOCK);
	CHECK_EQ_INT(check_copy(edid, BLOCK, 2 * BLOCK), 0);
}
