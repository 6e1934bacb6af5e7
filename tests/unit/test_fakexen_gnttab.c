/*
 * test_fakexen_gnttab.c - proves the fake grant tables alias memory both
 * ways and fail mappings cleanly, without leaving anything mapped.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <xengnttab.h>

#include "fakexen/fakexen.h"
#include "test.h"

#define PEER 1
#define PAGE 4096

static uint32_t grant(unsigned int domid, bool readonly)
{
	int ref = fx_gnt_grant(domid, 0, readonly);

	CHECK(ref >= 8);
	return (uint32_t)ref;
}

/* A mapping attempt must fail with EINVAL and leave nothing mapped. */
#define CHECK_MAP_EINVAL(call)                                                                     \
	do {                                                                                       \
		void *map_;                                                                        \
		errno = 0;                                                                         \
		map_ = (call);                                                                     \
		CHECK_NULL(map_);                                                                  \
		CHECK_EQ_INT(errno, EINVAL);                                                       \
		CHECK_EQ_INT(fx_gnt_live_mappings(), 0);                                           \
	} while (0)

TEST(gnt_open_close_counts_handles)
{
	xengnttab_handle *a = xengnttab_open(NULL, 0), *b = xengnttab_open(NULL, 0);

	CHECK_NOT_NULL(a);
	CHECK_NOT_NULL(b);
	CHECK_EQ_INT(fx_live_handles(), 2);
	CHECK_EQ_INT(xengnttab_close(a), 0);
	CHECK_EQ_INT(xengnttab_close(b), 0);
	CHECK_EQ_INT(xengnttab_close(NULL), 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(gnt_mapping_aliases_peer_page_both_ways)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, false);
	unsigned char *peer = fx_gnt_page(PEER, ref), *mine;

	CHECK_NOT_NULL(peer);
	CHECK_EQ_INT(peer[0], 0); /* fresh pages are zeroed */
	memcpy(peer, "from peer", 10);
	peer[PAGE - 1] = 0x5a;
	mine = xengnttab_map_grant_ref(h, PEER, ref, PROT_READ | PROT_WRITE);
	CHECK_NOT_NULL(mine);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 1);
	CHECK_STR_EQ((char *)mine, "from peer");
	CHECK_EQ_INT(mine[PAGE - 1], 0x5a);
	memcpy(mine + 100, "from backend", 13);
	CHECK_STR_EQ((char *)peer + 100, "from backend");
	/* Later peer writes show through an existing mapping too. */
	peer[0] = 'F';
	CHECK_EQ_INT(mine[0], 'F');
	CHECK_EQ_INT(xengnttab_unmap(h, mine, 1), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(xengnttab_close(h), 0);
}

TEST(gnt_multi_ref_mapping_is_contiguous)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t refs[3], domids[3] = {PEER, 2, PEER};
	unsigned char *area;
	int i;

	refs[0] = grant(PEER, false);
	refs[1] = grant(2, false);
	refs[2] = grant(PEER, false);
	for (i = 0; i < 3; i++) {
		unsigned char *page = fx_gnt_page(domids[i], refs[i]);

		CHECK_NOT_NULL(page);
		memset(page, 'a' + i, PAGE);
	}
	area = xengnttab_map_grant_refs(h, 3, domids, refs, PROT_READ | PROT_WRITE);
	CHECK_NOT_NULL(area);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ_INT(area[i * PAGE], 'a' + i);
		CHECK_EQ_INT(area[i * PAGE + PAGE - 1], 'a' + i);
	}
	area[2 * PAGE + 7] = 'Z';
	CHECK_EQ_INT(((unsigned char *)fx_gnt_page(PEER, refs[2]))[7], 'Z');
	CHECK_EQ_INT(xengnttab_unmap(h, area, 3), 0);

	/* The single-domain variant, mapping one page twice. */
	refs[1] = refs[0];
	area = xengnttab_map_domain_grant_refs(h, 3, PEER, refs, PROT_READ);
	CHECK_NOT_NULL(area);
	CHECK_EQ_INT(area[PAGE], 'a');
	CHECK_EQ_INT(area[2 * PAGE + 7], 'Z');
	CHECK_EQ_INT(fx_gnt_live_mappings(), 3);
	CHECK_EQ_INT(xengnttab_close(h), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
}

TEST(gnt_refs_are_per_granting_domain)
{
	uint32_t r1 = grant(PEER, false), r2 = grant(2, false), r3 = grant(PEER, false);
	unsigned char *p1 = fx_gnt_page(PEER, r1), *p2 = fx_gnt_page(2, r2);

	CHECK_EQ_INT(r1, 8);
	CHECK_EQ_INT(r2, 8);
	CHECK_EQ_INT(r3, 9);
	CHECK(p1 != p2);
	CHECK_NULL(fx_gnt_page(3, 8));
	/* Revoked refs are handed out again, lowest first. */
	CHECK_EQ_INT(fx_gnt_revoke(PEER, r1), 0);
	CHECK_NULL(fx_gnt_page(PEER, r1));
	CHECK_EQ_INT(grant(PEER, false), 8);
}

TEST(gnt_readonly_grant)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, true);
	unsigned char *ro;

	memcpy(fx_gnt_page(PEER, ref), "ro", 3);
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, ref, PROT_READ | PROT_WRITE));
	ro = xengnttab_map_grant_ref(h, PEER, ref, PROT_READ);
	CHECK_NOT_NULL(ro);
	CHECK_STR_EQ((char *)ro, "ro");
	CHECK_EQ_INT(xengnttab_close(h), 0);
}

TEST(gnt_every_map_failure_maps_nothing)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t good = grant(PEER, false), ro = grant(PEER, true);
	uint32_t revoked = grant(PEER, false);
	uint32_t to_other = (uint32_t)fx_gnt_grant(PEER, 5, false);
	uint32_t refs[2], domids[2] = {PEER, PEER};
	const int rw = PROT_READ | PROT_WRITE;
	uint32_t from_other = 0;
	int i;

	/* Refs are per domain: give domain 2 one that PEER does not have. */
	for (i = 0; i < 5; i++)
		from_other = grant(2, false);
	CHECK_EQ_INT(from_other, 12);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, revoked), 0);
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, 1000, rw)); /* unknown */
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, revoked, rw));
	/* Granted by another domain than the one named. */
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, from_other, rw));
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, 4, good, rw));
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, to_other, rw)); /* not for us */
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, ro, rw));
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, good, PROT_WRITE));
	CHECK_MAP_EINVAL(xengnttab_map_grant_ref(h, PEER, good, PROT_READ | PROT_EXEC));
	refs[0] = good;
	CHECK_MAP_EINVAL(xengnttab_map_domain_grant_refs(h, 0, PEER, refs, rw));
	CHECK_MAP_EINVAL(xengnttab_map_domain_grant_refs(h, 1, PEER, NULL, rw));
	CHECK_MAP_EINVAL(xengnttab_map_grant_refs(h, 1, NULL, refs, rw));
	/* Partial failure: the first ref is fine, the second is not. */
	refs[1] = revoked;
	CHECK_MAP_EINVAL(xengnttab_map_grant_refs(h, 2, domids, refs, rw));
	refs[1] = ro;
	CHECK_MAP_EINVAL(xengnttab_map_domain_grant_refs(h, 2, PEER, refs, rw));
	/* Over the handle's limit, counting what it already maps. */
	CHECK_EQ_INT(xengnttab_set_max_grants(h, 2), 0);
	refs[1] = good;
	CHECK_NOT_NULL(xengnttab_map_grant_ref(h, PEER, good, rw));
	CHECK_NULL(xengnttab_map_domain_grant_refs(h, 2, PEER, refs, rw));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 1);
	CHECK_EQ_INT(xengnttab_close(h), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
}

TEST(gnt_injected_map_failure)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, false);

	CHECK_EQ_INT(fx_fail(FX_GNT_MAP, ENOMEM, 0), 0);
	errno = 0;
	CHECK_NULL(xengnttab_map_grant_ref(h, PEER, ref, PROT_READ));
	CHECK_EQ_INT(errno, ENOMEM);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_NOT_NULL(xengnttab_map_grant_ref(h, PEER, ref, PROT_READ));
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	CHECK_EQ_INT(fx_fail(FX_GNT_OPEN, EMFILE, 0), 0);
	CHECK_NULL(xengnttab_open(NULL, 0));
	CHECK_EQ_INT(errno, EMFILE);
	CHECK_EQ_INT(xengnttab_close(h), 0);
}

TEST(gnt_unmap_needs_exact_address_and_count)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t refs[2] = {grant(PEER, false), grant(PEER, false)};
	unsigned char *area = xengnttab_map_domain_grant_refs(h, 2, PEER, refs, PROT_READ);

	CHECK_NOT_NULL(area);
	errno = 0;
	CHECK_EQ_INT(xengnttab_unmap(h, area, 1), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xengnttab_unmap(h, area + PAGE, 1), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xengnttab_unmap(h, NULL, 2), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(xengnttab_unmap(h, area, 2), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(xengnttab_unmap(h, area, 2), -1); /* already gone */
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xengnttab_close(h), 0);
}

TEST(gnt_revoke_while_mapped_is_ebusy)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, false);
	void *p = xengnttab_map_grant_ref(h, PEER, ref, PROT_READ);
	void *q = xengnttab_map_grant_ref(h, PEER, ref, PROT_READ);

	CHECK_NOT_NULL(p);
	CHECK_NOT_NULL(q);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, ref), -EBUSY);
	CHECK_EQ_INT(xengnttab_unmap(h, p, 1), 0);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, ref), -EBUSY); /* q still maps it */
	CHECK_EQ_INT(xengnttab_unmap(h, q, 1), 0);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, ref), 0);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, ref), -ENOENT);
	CHECK_EQ_INT(xengnttab_close(h), 0);
}

TEST(gnt_close_unmaps_everything)
{
	xengnttab_handle *a = xengnttab_open(NULL, 0), *b = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, false);

	CHECK_NOT_NULL(xengnttab_map_grant_ref(a, PEER, ref, PROT_READ));
	CHECK_NOT_NULL(xengnttab_map_grant_ref(b, PEER, ref, PROT_READ));
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(xengnttab_close(a), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 1);
	CHECK_EQ_INT(xengnttab_close(b), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
	CHECK_EQ_INT(fx_gnt_revoke(PEER, ref), 0);
}

TEST(gnt_bad_handle_is_rejected)
{
	int not_a_handle = 0;
	xengnttab_handle *bogus = (xengnttab_handle *)&not_a_handle;
	uint32_t ref = grant(PEER, false);

	errno = 0;
	CHECK_NULL(xengnttab_map_grant_ref(bogus, PEER, ref, PROT_READ));
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(xengnttab_unmap(NULL, NULL, 1), -1);
	CHECK_EQ_INT(xengnttab_set_max_grants(bogus, 1), -1);
	CHECK_EQ_INT(xengnttab_close(bogus), -1);
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
}

TEST(gnt_reset_unmaps_and_forgets_grants)
{
	xengnttab_handle *h = xengnttab_open(NULL, 0);
	uint32_t ref = grant(PEER, false);

	CHECK_NOT_NULL(xengnttab_map_grant_ref(h, PEER, ref, PROT_READ | PROT_WRITE));
	fx_reset();
	CHECK_EQ_INT(fx_live_handles(), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_NULL(fx_gnt_page(PEER, ref));
	/* Grants work again afterwards, on fresh zeroed pages. */
	ref = grant(PEER, false);
	CHECK_EQ_INT(((unsigned char *)fx_gnt_page(PEER, ref))[0], 0);
}
