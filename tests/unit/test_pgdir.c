/*
 * test_pgdir.c - page directory reading and writing (back/daemon/core/pgdir.c)
 * against the fake grant tables, the test playing the frontend.
 *
 * Every path, successful or not, must leave nothing mapped and must map
 * each directory page at most once. The one race pgdir.c defends against
 * (the peer rewriting a directory page while we parse it) cannot be staged
 * in a single-threaded test; the design (copy, unmap, then parse) is what
 * covers it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xengnttab.h>

#include "fakexen/fakexen.h"
#include "pgdir.h"
#include "test.h"

#define PEER 1
#define OTHER_DOMAIN 2
#define PER_PAGE ((uint32_t)ZD_GREFS_PER_DIR_PAGE)
#define MAX_NPAGES (ZD_MAX_BUFFER_BYTES / ZD_PAGE_SIZE)
#define MAX_DIR (MAX_NPAGES / PER_PAGE + 2) /* one more than ever needed */
#define SENTINEL 0xdeadbeefu
#define JUNK 0x5a5a5a5au /* what a frontend might leave in unused slots */

/* The frontend's directory chain, as the test builds it. */
struct chain {
	uint32_t ndir;
	grant_ref_t dir[MAX_DIR];
};

/* Big enough for the largest buffer, so not on the stack. */
static grant_ref_t got[MAX_NPAGES + 1];
static grant_ref_t mine[MAX_NPAGES + 1];

#define CHECK_NOTHING_MAPPED() CHECK_EQ_INT(fx_gnt_live_mappings(), 0)

/* Data gref number j of a buffer: never 0, different for every j. */
static grant_ref_t data_gref(uint32_t j)
{
	return 0x100000u + j;
}

/* The frontend's view of a directory page, as slots (0 = next pointer). */
static grant_ref_t *slots(grant_ref_t dir)
{
	grant_ref_t *p = fx_gnt_page(PEER, dir);

	CHECK_NOT_NULL(p);
	return p;
}

static grant_ref_t grant(unsigned int grantee, bool readonly)
{
	int ref = fx_gnt_grant(PEER, grantee, readonly);

	CHECK(ref >= 8);
	return (grant_ref_t)ref;
}

/* Grant ndir linked directory pages to the backend (dom0). */
static void make_chain(struct chain *c, uint32_t ndir, bool readonly)
{
	uint32_t i;

	CHECK(ndir <= MAX_DIR);
	c->ndir = ndir;
	for (i = 0; i < ndir; i++)
		c->dir[i] = grant(0, readonly);
	for (i = 0; i < ndir; i++)
		slots(c->dir[i])[0] = i + 1 < ndir ? c->dir[i + 1] : 0;
}

/* Fill in npages data grefs and junk in the unused tail, as a frontend. */
static void fill_chain(const struct chain *c, uint32_t npages)
{
	uint32_t i, j;

	for (i = 0; i < c->ndir; i++) {
		grant_ref_t *s = slots(c->dir[i]);

		for (j = 0; j < PER_PAGE; j++) {
			uint32_t k = i * PER_PAGE + j;

			s[1 + j] = k < npages ? data_gref(k) : JUNK;
		}
	}
}

static void make_filled_chain(struct chain *c, uint32_t npages)
{
	make_chain(c, zd_dir_pages(npages), true);
	fill_chain(c, npages);
}

static xengnttab_handle *open_gnt(void)
{
	xengnttab_handle *gnt = xengnttab_open(NULL, 0);

	CHECK_NOT_NULL(gnt);
	return gnt;
}

static void clear_got(void)
{
	uint32_t j;

	for (j = 0; j <= MAX_NPAGES; j++)
		got[j] = SENTINEL;
}

/* Read a well-formed directory of npages and check every gref arrived. */
static void check_read_ok(uint32_t npages)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;
	uint32_t j;

	make_filled_chain(&c, npages);
	clear_got();
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], npages, got), 0);
	for (j = 0; j < npages; j++)
		CHECK_EQ_INT(got[j], data_gref(j));
	CHECK_EQ_INT(got[npages], SENTINEL); /* the unused tail is not copied */
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), zd_dir_pages(npages));
	CHECK_NOTHING_MAPPED();
	xengnttab_close(gnt);
}

/* zd_pgdir_read() on chain c must fail with err after maps mappings. */
static void check_read_fails(const struct chain *c, uint32_t npages, int err, unsigned long maps)
{
	xengnttab_handle *gnt = open_gnt();

	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c->dir[0], npages, got), err);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), maps);
	CHECK_NOTHING_MAPPED();
	xengnttab_close(gnt);
}

/* ------------------------------------------------------------------------
 * zd_pgdir_read(): well-formed directories
 */

TEST(pgdir_read_single_page)
{
	check_read_ok(5);
}

TEST(pgdir_read_1023_grefs_fill_one_page)
{
	check_read_ok(PER_PAGE);
}

TEST(pgdir_read_1024_grefs_take_two_pages)
{
	CHECK_EQ_INT(zd_dir_pages(PER_PAGE + 1), 2);
	check_read_ok(PER_PAGE + 1);
}

TEST(pgdir_read_three_pages)
{
	CHECK_EQ_INT(zd_dir_pages(2 * PER_PAGE + 7), 3);
	check_read_ok(2 * PER_PAGE + 7);
}

TEST(pgdir_read_hard_maximum)
{
	CHECK_EQ_INT(zd_dir_pages(MAX_NPAGES), 65);
	check_read_ok(MAX_NPAGES);
}

TEST(pgdir_read_npages_zero)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_chain(&c, 1, true);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], 0, NULL), 0);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 1);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_npages_zero_needs_a_single_page)
{
	struct chain c;

	make_chain(&c, 2, true);
	check_read_fails(&c, 0, -EINVAL, 1);
}

/* ------------------------------------------------------------------------
 * zd_pgdir_read(): every error class
 */

TEST(pgdir_read_over_maximum_maps_nothing)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_filled_chain(&c, MAX_NPAGES);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], MAX_NPAGES + 1, got), -E2BIG);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], UINT32_MAX, got), -E2BIG);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_first_gref_zero)
{
	xengnttab_handle *gnt = open_gnt();

	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, 0, 1, got), -EINVAL);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, 0, 0, NULL), -EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_data_gref_zero_first_page)
{
	struct chain c;

	make_filled_chain(&c, 10);
	slots(c.dir[0])[1] = 0;
	check_read_fails(&c, 10, -EINVAL, 1);
}

TEST(pgdir_read_data_gref_zero_last_needed_slot)
{
	const uint32_t npages = PER_PAGE + 3;
	struct chain c;

	make_filled_chain(&c, npages);
	slots(c.dir[1])[3] = 0; /* gref[PER_PAGE + 2], the very last one */
	check_read_fails(&c, npages, -EINVAL, 2);
}

TEST(pgdir_read_zero_in_unused_tail_is_fine)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_filled_chain(&c, 3);
	slots(c.dir[0])[4] = 0; /* gref[3]: beyond npages */
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], 3, got), 0);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_chain_too_short)
{
	const uint32_t npages = 2 * PER_PAGE + 1; /* 3 directory pages */
	struct chain c;

	make_filled_chain(&c, npages);
	slots(c.dir[1])[0] = 0; /* ends after 2 */
	check_read_fails(&c, npages, -EINVAL, 2);
}

TEST(pgdir_read_chain_ends_at_once)
{
	struct chain c;

	make_chain(&c, 1, true);
	fill_chain(&c, PER_PAGE);
	check_read_fails(&c, PER_PAGE + 1, -EINVAL, 1);
}

TEST(pgdir_read_chain_too_long)
{
	struct chain c;

	make_chain(&c, 2, true);
	fill_chain(&c, PER_PAGE);
	/* 1023 grefs need one page, but its next pointer is not 0. */
	check_read_fails(&c, PER_PAGE, -EINVAL, 1);
}

TEST(pgdir_read_loop_to_itself)
{
	const uint32_t npages = 2 * PER_PAGE + 1;
	struct chain c;

	make_filled_chain(&c, npages);
	slots(c.dir[0])[0] = c.dir[0];
	check_read_fails(&c, npages, -EINVAL, 1);
}

TEST(pgdir_read_loop_to_earlier_page)
{
	const uint32_t npages = 3 * PER_PAGE + 1; /* 4 directory pages */
	struct chain c;

	make_filled_chain(&c, npages);
	slots(c.dir[2])[0] = c.dir[1];
	check_read_fails(&c, npages, -EINVAL, 3);
}

TEST(pgdir_read_last_page_loops_back)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_filled_chain(&c, npages);
	slots(c.dir[1])[0] = c.dir[0]; /* also "too long": must stop there */
	check_read_fails(&c, npages, -EINVAL, 2);
}

TEST(pgdir_read_never_granted)
{
	xengnttab_handle *gnt = open_gnt();

	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, 500, 1, got), -EFAULT);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_revoked_first_page)
{
	struct chain c;

	make_filled_chain(&c, 4);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, c.dir[0]), 0);
	check_read_fails(&c, 4, -EFAULT, 1);
}

TEST(pgdir_read_revoked_second_page)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_filled_chain(&c, npages);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, c.dir[1]), 0);
	check_read_fails(&c, npages, -EFAULT, 2);
}

TEST(pgdir_read_granted_to_another_domain)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_filled_chain(&c, npages);
	c.dir[1] = grant(OTHER_DOMAIN, true);
	slots(c.dir[0])[0] = c.dir[1];
	check_read_fails(&c, npages, -EFAULT, 2);
}

TEST(pgdir_read_wrong_granting_domain)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_filled_chain(&c, 4);
	CHECK_EQ_INT(zd_pgdir_read(gnt, OTHER_DOMAIN, c.dir[0], 4, got), -EFAULT);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_map_out_of_memory)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_filled_chain(&c, npages);
	CHECK_EQ_INT(fx_fail(FX_GNT_MAP, ENOMEM, 1), 0);
	check_read_fails(&c, npages, -ENOMEM, 2);
}

TEST(pgdir_read_unmap_failure_is_eio)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_filled_chain(&c, 4);
	CHECK_EQ_INT(fx_fail(FX_GNT_UNMAP, EINVAL, 0), 0);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], 4, got), -EIO);
	/* The one documented case where a page stays mapped. */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 1);
	xengnttab_close(gnt);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_read_caller_bugs)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_filled_chain(&c, 4);
	CHECK_EQ_INT(zd_pgdir_read(NULL, PEER, c.dir[0], 4, got), -EINVAL);
	CHECK_EQ_INT(zd_pgdir_read(gnt, PEER, c.dir[0], 4, NULL), -EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
}

/* ------------------------------------------------------------------------
 * zd_pgdir_write()
 */

/* Our own grefs for a buffer of npages (never 0). */
static void fill_mine(uint32_t npages)
{
	uint32_t j;

	for (j = 0; j < npages; j++)
		mine[j] = 0x200000u + j;
}

/*
 * A writable chain for npages, its unused slots set to JUNK so that we see
 * whether the backend stores beyond npages.
 */
static void make_write_chain(struct chain *c, uint32_t npages)
{
	make_chain(c, zd_dir_pages(npages), false);
	fill_chain(c, 0);
	fill_mine(npages);
}

/* Page i of chain c holds exactly what a successful write must leave. */
static void check_page_written(const struct chain *c, uint32_t i, uint32_t npages)
{
	const grant_ref_t *s = slots(c->dir[i]);
	uint32_t j;

	CHECK_EQ_INT(s[0], i + 1 < c->ndir ? c->dir[i + 1] : 0);
	for (j = 0; j < PER_PAGE; j++) {
		uint32_t k = i * PER_PAGE + j;

		CHECK_EQ_INT(s[1 + j], k < npages ? mine[k] : JUNK);
	}
}

static void check_page_untouched(const struct chain *c, uint32_t i)
{
	const grant_ref_t *s = slots(c->dir[i]);
	uint32_t j;

	for (j = 0; j < PER_PAGE; j++)
		CHECK_EQ_INT(s[1 + j], JUNK);
}

static void check_write_ok(uint32_t npages)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;
	uint32_t i;

	make_write_chain(&c, npages);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, c.dir[0], npages, mine), 0);
	for (i = 0; i < c.ndir; i++)
		check_page_written(&c, i, npages);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), c.ndir);
	CHECK_NOTHING_MAPPED();
	xengnttab_close(gnt);
}

static void check_write_fails(const struct chain *c, uint32_t npages, int err, unsigned long maps)
{
	xengnttab_handle *gnt = open_gnt();

	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, c->dir[0], npages, mine), err);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), maps);
	CHECK_NOTHING_MAPPED();
	xengnttab_close(gnt);
}

TEST(pgdir_write_single_page)
{
	check_write_ok(5);
}

TEST(pgdir_write_1023_grefs_fill_one_page)
{
	check_write_ok(PER_PAGE);
}

TEST(pgdir_write_1024_grefs_across_two_pages)
{
	check_write_ok(PER_PAGE + 1);
}

TEST(pgdir_write_three_pages)
{
	check_write_ok(2 * PER_PAGE + 7);
}

TEST(pgdir_write_hard_maximum)
{
	check_write_ok(MAX_NPAGES);
}

TEST(pgdir_write_npages_zero)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_write_chain(&c, 0);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, c.dir[0], 0, NULL), 0);
	check_page_untouched(&c, 0);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_write_over_maximum_maps_nothing)
{
	struct chain c;

	make_write_chain(&c, MAX_NPAGES);
	check_write_fails(&c, MAX_NPAGES + 1, -E2BIG, 0);
}

TEST(pgdir_write_first_gref_zero)
{
	xengnttab_handle *gnt = open_gnt();

	fill_mine(1);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, 0, 1, mine), -EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
}

TEST(pgdir_write_zero_among_our_grefs_maps_nothing)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_write_chain(&c, npages);
	mine[PER_PAGE] = 0;
	check_write_fails(&c, npages, -EINVAL, 0);
	check_page_untouched(&c, 0);
}

TEST(pgdir_write_chain_too_short)
{
	const uint32_t npages = 2 * PER_PAGE + 1;
	struct chain c;

	make_write_chain(&c, npages);
	slots(c.dir[1])[0] = 0;
	check_write_fails(&c, npages, -EINVAL, 2);
	check_page_untouched(&c, 1);
	check_page_untouched(&c, 2);
}

TEST(pgdir_write_chain_too_long)
{
	struct chain c;

	make_chain(&c, 2, false);
	fill_chain(&c, 0);
	fill_mine(PER_PAGE);
	check_write_fails(&c, PER_PAGE, -EINVAL, 1);
	check_page_untouched(&c, 0);
}

TEST(pgdir_write_loop)
{
	const uint32_t npages = 2 * PER_PAGE + 1;
	struct chain c;

	make_write_chain(&c, npages);
	slots(c.dir[1])[0] = c.dir[0];
	check_write_fails(&c, npages, -EINVAL, 2);
	check_page_untouched(&c, 1);
}

TEST(pgdir_write_loop_to_itself)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_write_chain(&c, npages);
	slots(c.dir[0])[0] = c.dir[0];
	check_write_fails(&c, npages, -EINVAL, 1);
	check_page_untouched(&c, 0);
}

TEST(pgdir_write_read_only_grant)
{
	struct chain c;

	make_chain(&c, 1, true);
	fill_mine(3);
	check_write_fails(&c, 3, -EFAULT, 1);
}

TEST(pgdir_write_never_granted)
{
	xengnttab_handle *gnt = open_gnt();

	fill_mine(1);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, 500, 1, mine), -EFAULT);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_write_revoked_second_page)
{
	const uint32_t npages = PER_PAGE + 1;
	struct chain c;

	make_write_chain(&c, npages);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, c.dir[1]), 0);
	check_write_fails(&c, npages, -EFAULT, 2);
}

TEST(pgdir_write_granted_to_another_domain)
{
	struct chain c;

	c.ndir = 1;
	c.dir[0] = grant(OTHER_DOMAIN, false);
	fill_mine(3);
	check_write_fails(&c, 3, -EFAULT, 1);
}

TEST(pgdir_write_map_out_of_memory)
{
	struct chain c;

	make_write_chain(&c, 3);
	CHECK_EQ_INT(fx_fail(FX_GNT_MAP, ENOMEM, 0), 0);
	check_write_fails(&c, 3, -ENOMEM, 1);
	check_page_untouched(&c, 0);
}

TEST(pgdir_write_unmap_failure_is_eio)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_write_chain(&c, 3);
	CHECK_EQ_INT(fx_fail(FX_GNT_UNMAP, EINVAL, 0), 0);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, c.dir[0], 3, mine), -EIO);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 1);
	xengnttab_close(gnt);
	CHECK_NOTHING_MAPPED();
}

TEST(pgdir_write_caller_bugs)
{
	xengnttab_handle *gnt = open_gnt();
	struct chain c;

	make_write_chain(&c, 3);
	CHECK_EQ_INT(zd_pgdir_write(NULL, PEER, c.dir[0], 3, mine), -EINVAL);
	CHECK_EQ_INT(zd_pgdir_write(gnt, PEER, c.dir[0], 3, NULL), -EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
}
