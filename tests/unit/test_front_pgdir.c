// SPDX-License-Identifier: GPL-2.0
/*
 * test_front_pgdir.c: page directories as the frontend writes and reads
 * them (front/proto/zfront-pgdir.c), on plain memory standing in for the
 * granted directory pages.
 *
 * The pages are checked as io/displif.h lays them out (slot 0 the next
 * page's reference, slots 1..1023 data references), and every page is
 * filled with junk first so that a slot the code forgets to write shows.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "zfront-proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PER_PAGE ((uint32_t)ZD_GREFS_PER_DIR_PAGE)
#define SLOTS (ZD_PAGE_SIZE / sizeof(grant_ref_t)) /* 1024: link + PER_PAGE */
#define MAX_NDATA (ZD_MAX_BUFFER_BYTES / ZD_PAGE_SIZE)
#define MAX_DIR (MAX_NDATA / PER_PAGE + 2) /* one more than ever needed */
#define JUNK 0x5a5a5a5au
#define SENTINEL 0xdeadbeefu

#define CHECK_ROW(cond, row)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, "row %zu: CHECK(%s)", (size_t)(row), #cond); \
	} while (0)

/* The directory pages, their grant references, data references. */
static grant_ref_t pages[MAX_DIR][SLOTS];
static void *dir[MAX_DIR];
static grant_ref_t dir_refs[MAX_DIR];
static grant_ref_t data[MAX_NDATA + 1];
static grant_ref_t out[MAX_NDATA + 1];

static grant_ref_t dir_ref(uint32_t i)
{
	return 0x7000u + i;
}

static grant_ref_t data_ref(uint32_t j)
{
	return 0x100000u + j;
}

/* Every page junk, the data references distinct and non-zero. */
static void setup(void)
{
	uint32_t i, j;

	CHECK_EQ_INT(sizeof(pages[0]), ZD_PAGE_SIZE);
	for (i = 0; i < MAX_DIR; i++) {
		dir[i] = pages[i];
		dir_refs[i] = dir_ref(i);
		for (j = 0; j < SLOTS; j++)
			pages[i][j] = JUNK;
	}
	for (j = 0; j <= MAX_NDATA; j++) {
		data[j] = data_ref(j);
		out[j] = SENTINEL;
	}
}

/* Data slot j of the chain, as the backend sees it. */
static grant_ref_t *slot(uint32_t j)
{
	return &pages[j / PER_PAGE][1 + j % PER_PAGE];
}

/* The links of ndir pages: each to the next page, the last to 0. */
static void check_links(uint32_t ndir)
{
	uint32_t i;

	for (i = 0; i < ndir; i++)
		CHECK_EQ_INT(pages[i][0], i + 1 < ndir ? dir_ref(i + 1) : 0);
}

/*
 * Data slots 0..ndata-1 hold data_ref(j) if filled, else 0; the rest of
 * the last page is 0; the pages past the chain are untouched.
 */
static void check_slots(uint32_t ndir, uint32_t ndata, bool filled)
{
	uint32_t i, j;

	for (j = 0; j < ndir * PER_PAGE; j++)
		CHECK_EQ_INT(*slot(j), filled && j < ndata ? data_ref(j) : 0);
	for (i = ndir; i < MAX_DIR; i++)
		for (j = 0; j < SLOTS; j++)
			CHECK_EQ_INT(pages[i][j], JUNK);
}

static void check_read(uint32_t ndir, uint32_t ndata)
{
	uint32_t j;

	CHECK_EQ_INT(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata), 0);
	for (j = 0; j < ndata; j++)
		CHECK_EQ_INT(out[j], data_ref(j));
	CHECK_EQ_INT(out[ndata], SENTINEL); /* nothing past ndata */
}

/* Page counts around every boundary, up to the largest buffer. */
static const uint32_t sizes[] = {
	1,
	2,
	PER_PAGE - 1,
	PER_PAGE,
	PER_PAGE + 1,
	2 * PER_PAGE,
	2 * PER_PAGE + 1,
	3 * PER_PAGE + 7,
	MAX_NDATA - 1,
	MAX_NDATA,
};

TEST(front_pgdir_page_counts)
{
	CHECK_EQ_INT(PER_PAGE, 1023);
	CHECK_EQ_INT(zd_dir_pages(0), 1);
	CHECK_EQ_INT(zd_dir_pages(1), 1);
	CHECK_EQ_INT(zd_dir_pages(PER_PAGE), 1);
	CHECK_EQ_INT(zd_dir_pages(PER_PAGE + 1), 2);
	CHECK_EQ_INT(zd_dir_pages(MAX_NDATA), 65);
}

TEST(front_pgdir_fill_then_read_round_trip)
{
	size_t k;

	for (k = 0; k < ARRAY_LEN(sizes); k++) {
		uint32_t ndata = sizes[k], ndir = zd_dir_pages(ndata);

		setup();
		CHECK_ROW(zfront_pgdir_fill(dir, dir_refs, ndir, data, ndata) == 0, k);
		check_links(ndir);
		check_slots(ndir, ndata, true);
		check_read(ndir, ndata);
	}
}

TEST(front_pgdir_fill_one_page_layout)
{
	setup();
	CHECK_EQ_INT(zfront_pgdir_fill(dir, dir_refs, 1, data, 3), 0);
	/* Octet view: next page 0 at octet 0, gref[i] at 4 + 4 * i. */
	CHECK_EQ_INT(((uint32_t *)pages[0])[0], 0);
	CHECK_EQ_INT(((uint32_t *)pages[0])[1], data_ref(0));
	CHECK_EQ_INT(((uint32_t *)pages[0])[3], data_ref(2));
	CHECK_EQ_INT(((uint32_t *)pages[0])[4], 0);
	CHECK_EQ_INT(((uint32_t *)pages[0])[SLOTS - 1], 0);
	CHECK_EQ_INT(pages[1][0], JUNK);
}

TEST(front_pgdir_fill_zero_pages)
{
	setup();
	CHECK_EQ_INT(zfront_pgdir_fill(dir, dir_refs, 1, data, 0), 0);
	check_links(1);
	check_slots(1, 0, true);
	CHECK_EQ_INT(zfront_pgdir_read(dir, dir_refs, 1, out, 0), 0);
	CHECK_EQ_INT(out[0], SENTINEL);
}

TEST(front_pgdir_link_zeroes_every_data_slot)
{
	size_t k;

	for (k = 0; k < ARRAY_LEN(sizes); k++) {
		uint32_t ndata = sizes[k], ndir = zd_dir_pages(ndata);

		setup();
		CHECK_ROW(zfront_pgdir_link(dir, dir_refs, ndir, ndata) == 0, k);
		check_links(ndir);
		check_slots(ndir, ndata, false);
	}
}

TEST(front_pgdir_link_backend_fills_then_read)
{
	size_t k;
	uint32_t j;

	for (k = 0; k < ARRAY_LEN(sizes); k++) {
		uint32_t ndata = sizes[k], ndir = zd_dir_pages(ndata);

		setup();
		CHECK_ROW(zfront_pgdir_link(dir, dir_refs, ndir, ndata) == 0, k);
		/* Before the backend filled anything: slot 0 is 0. */
		CHECK_ROW(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata) == -EIO, k);
		for (j = 0; j < ndata; j++)
			*slot(j) = data_ref(j);
		/* What the backend leaves in the unused tail is not read. */
		if (ndata % PER_PAGE)
			*slot(ndata) = JUNK;
		check_read(ndir, ndata);
	}
}

/* Every function refuses a directory of the wrong length, writing nothing. */
TEST(front_pgdir_wrong_ndir)
{
	static const struct {
		uint32_t ndata, ndir;
	} cases[] = {
		{1, 0},
		{0, 0},
		{0, 2},
		{1, 2},
		{PER_PAGE, 2},
		{PER_PAGE + 1, 1},
		{PER_PAGE + 1, 3},
		{MAX_NDATA, 64},
		{MAX_NDATA, 66},
		{UINT32_MAX, 1},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		uint32_t ndata = cases[k].ndata, ndir = cases[k].ndir;

		setup();
		CHECK_ROW(zfront_pgdir_fill(dir, dir_refs, ndir, data, ndata) == -EINVAL, k);
		CHECK_ROW(zfront_pgdir_link(dir, dir_refs, ndir, ndata) == -EINVAL, k);
		CHECK_ROW(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata) == -EINVAL, k);
		CHECK_ROW(pages[0][0] == JUNK && pages[0][1] == JUNK && pages[1][0] == JUNK, k);
		CHECK_ROW(out[0] == SENTINEL, k);
	}
}

/* A slot the backend left 0, anywhere in the chain. */
TEST(front_pgdir_read_rejects_a_zero_slot)
{
	static const struct {
		uint32_t ndata, zero;
	} cases[] = {
		{1, 0},
		{5, 0},
		{5, 4},
		{PER_PAGE, PER_PAGE - 1},
		{PER_PAGE + 1, PER_PAGE - 1},
		{PER_PAGE + 1, PER_PAGE},
		{3 * PER_PAGE + 7, 2 * PER_PAGE},
		{3 * PER_PAGE + 7, 3 * PER_PAGE + 6},
		{MAX_NDATA, MAX_NDATA / 2},
		{MAX_NDATA, MAX_NDATA - 1},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		uint32_t ndata = cases[k].ndata, ndir = zd_dir_pages(ndata);

		setup();
		CHECK_ROW(zfront_pgdir_fill(dir, dir_refs, ndir, data, ndata) == 0, k);
		*slot(cases[k].zero) = 0;
		CHECK_ROW(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata) == -EIO, k);
		/* Put back, the same chain reads. */
		*slot(cases[k].zero) = data_ref(cases[k].zero);
		CHECK_ROW(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata) == 0, k);
	}
}

/* The links are the frontend's: a backend that rewrote one is broken. */
TEST(front_pgdir_read_rejects_a_rewritten_link)
{
	static const struct {
		uint32_t ndata, page;
		grant_ref_t link;
	} cases[] = {
		{5, 0, 1}, /* the last page links on */
		{5, 0, JUNK},
		{PER_PAGE + 1, 0, 0},	       /* the chain cut short */
		{PER_PAGE + 1, 0, 0x7000},     /* a loop to itself */
		{PER_PAGE + 1, 1, 0x7002},     /* past the end */
		{3 * PER_PAGE + 7, 1, 0x7001}, /* loop in the middle */
		{3 * PER_PAGE + 7, 2, 0x7001}, /* back */
		{3 * PER_PAGE + 7, 3, 0x7004}, /* the last page links on */
		{MAX_NDATA, 64, 0x7000},       /* the last back to the first */
		{MAX_NDATA, 30, 0},
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(cases); k++) {
		uint32_t ndata = cases[k].ndata, ndir = zd_dir_pages(ndata), j;

		setup();
		CHECK_ROW(zfront_pgdir_link(dir, dir_refs, ndir, ndata) == 0, k);
		for (j = 0; j < ndata; j++)
			*slot(j) = data_ref(j);
		CHECK_ROW(cases[k].page < ndir, k);
		CHECK_ROW(pages[cases[k].page][0] != cases[k].link, k);
		pages[cases[k].page][0] = cases[k].link;
		CHECK_ROW(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata) == -EIO, k);
	}
}

/* A backend that takes slot 0 for data (an off-by-one) is refused. */
TEST(front_pgdir_read_rejects_backend_off_by_one)
{
	uint32_t ndata = 2 * PER_PAGE + 1, ndir = zd_dir_pages(ndata), j;

	setup();
	CHECK_EQ_INT(zfront_pgdir_link(dir, dir_refs, ndir, ndata), 0);
	for (j = 0; j < ndata; j++)
		pages[j / PER_PAGE][j % PER_PAGE] = data_ref(j);
	CHECK_EQ_INT(zfront_pgdir_read(dir, dir_refs, ndir, out, ndata), -EIO);
}
