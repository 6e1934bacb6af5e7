// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend_hostile.c: a frontend that lies. Broken ring indexes, page
 * directories that are short, long, looping or point at nothing, sizes
 * chosen to overflow, more objects than allowed, and an event ring whose
 * consumer index is garbage. Each must cost that frontend its request (or
 * its device) and nothing else.
 *
 * Not staged here: a frontend rewriting a request or a directory page while
 * the backend reads it. That needs a second thread; the design (copy once,
 * then check the copy) covers it, see conn.c and pgdir.c.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "loop.h"
#include "test.h"

static const char *const one_vga[] = {"640x480"};

static grant_ref_t grefs[SIM_MAX_PAGES];

static void up(struct sim *s, unsigned int outputs)
{
	CHECK_EQ_INT(sim_start(s, 1, one_vga, outputs), 0);
	CHECK_EQ_INT(sim_fe_connect(s), 0);
}

static void up_limited(struct sim *s, uint32_t max_bytes, uint32_t max_bufs, uint32_t max_fbs)
{
	struct sim_opts o = {.outputs = 1, .limits = {max_bytes, max_bufs, max_fbs}};

	CHECK_EQ_INT(sim_start_opts(s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(s), 0);
}

static int32_t dbuf_req(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			uint32_t size, uint32_t data_ofs, grant_ref_t dir)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};

	req.op.dbuf_create.dbuf_cookie = cookie;
	req.op.dbuf_create.width = w;
	req.op.dbuf_create.height = h;
	req.op.dbuf_create.bpp = bpp;
	req.op.dbuf_create.buffer_sz = size;
	req.op.dbuf_create.data_ofs = data_ofs;
	req.op.dbuf_create.gref_directory = dir;
	return sim_request(s, 0, &req, NULL);
}

/* A buffer of npages pages, 1024 pixels (one page) wide. */
static int32_t dbuf_pages(struct sim *s, uint64_t cookie, uint32_t npages, grant_ref_t dir)
{
	return dbuf_req(s, cookie, 1024, npages, 32, npages * ZD_PAGE_SIZE, 0, dir);
}

/* Directory page d of a chain whose first page is dir0, as slots. */
static grant_ref_t *dir_page(struct sim *s, grant_ref_t dir0, unsigned int d)
{
	grant_ref_t ref = dir0;

	while (d--)
		ref = ((grant_ref_t *)sim_page(s, ref))[0];
	return sim_page(s, ref);
}

/* ---- The request ring ---- */

TEST(hostile_ring_overflow_closes_only_that_device)
{
	struct sim a, b;
	struct sim_opts ob = {.fe_domid = 2};

	CHECK_EQ_INT(sim_start(&a, 1, one_vga, 2), 0);
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_EQ_INT(sim_dbuf_create(&a, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&b, 1, 8, 8, 32, NULL), 0);

	/* More requests than the ring can hold: a lie. */
	a.conns[0].ring.sring->req_prod += RING_SIZE(&a.conns[0].ring) + 1;
	sim_kick(&a, 0);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateClosing);
	CHECK_EQ_INT(fx_evtchn_is_bound(a.conns[0].req_port), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 1); /* b's rings and buffer */

	CHECK_EQ_INT(sim_be_state(&b), XenbusStateConnected);
	CHECK_EQ_INT(sim_dbuf_create(&b, 2, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(b.conns[0].req_port), 1);

	/* The liar may start over. */
	sim_set_fe_state(&a, XenbusStateClosed);
	CHECK_EQ_INT(sim_fe_teardown(&a), 0);
	sim_set_fe_state(&a, XenbusStateInitialising);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_EQ_INT(sim_dbuf_create(&a, 1, 8, 8, 32, NULL), 0);
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

TEST(hostile_ring_producer_going_backwards)
{
	struct sim s;

	up(&s, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	s.conns[0].ring.sring->req_prod -= 2;
	sim_kick(&s, 0);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_ring_overflow_already_there_at_connect)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	s.conns[0].ring.sring->req_prod = 0x80000000u;
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK(sim_be_state(&s) != XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(s.conns[0].req_port), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_ring_exactly_full_is_served)
{
	struct xendispl_req req;
	struct xendispl_resp resp;
	unsigned int n;
	struct sim s;

	up(&s, 1);
	n = RING_SIZE(&s.conns[0].ring);
	for (unsigned int i = 0; i < n; i++) {
		memset(&req, 0, sizeof(req));
		req.id = (uint16_t)(0x100 + i);
		req.operation = XENDISPL_OP_PG_FLIP;
		sim_push(&s, 0, &req);
	}
	sim_kick(&s, 0);
	for (unsigned int i = 0; i < n; i++) {
		CHECK(sim_response(&s, 0, &resp));
		CHECK_EQ_INT(resp.id, 0x100 + i);
		CHECK_EQ_INT(resp.status, -XEN_ENOENT);
	}
	CHECK(!sim_response(&s, 0, &resp));
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_kicks_without_requests_and_on_the_event_channel)
{
	struct sim s;

	up(&s, 1);
	for (int i = 0; i < 10; i++) {
		sim_kick(&s, 0);
		fx_evtchn_notify_from_peer(s.conns[0].evt_port);
		sim_pump(&s);
	}
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(s.conns[0].ring.sring->rsp_prod, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Page directories, end to end through DBUF_CREATE ---- */

/* After a refused DBUF_CREATE: nothing mapped but the rings, no buffer. */
static void check_refused(struct sim *s, uint64_t cookie)
{
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_dbuf_destroy(s, cookie), -XEN_ENOENT);
	CHECK_EQ_INT(sim_be_state(s), XenbusStateConnected);
}

TEST(hostile_pgdir_too_short)
{
	struct sim s;
	grant_ref_t dir;

	up(&s, 1);
	dir = sim_buffer(&s, 1100 * ZD_PAGE_SIZE, grefs); /* two directory pages */
	dir_page(&s, dir, 0)[0] = 0;			  /* chain ends after one */
	CHECK_EQ_INT(dbuf_pages(&s, 1, 1100, dir), -XEN_EINVAL);
	check_refused(&s, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_pgdir_too_long)
{
	struct sim s;
	grant_ref_t dir, extra;

	up(&s, 1);
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	extra = sim_buffer(&s, ZD_PAGE_SIZE, grefs + 4);
	dir_page(&s, dir, 0)[0] = extra; /* one page would do */
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), -XEN_EINVAL);
	check_refused(&s, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_pgdir_loop)
{
	struct sim s;
	grant_ref_t dir;

	unsigned long maps;

	up(&s, 1);
	dir = sim_buffer(&s, 2100 * ZD_PAGE_SIZE, grefs); /* three directory pages */
	dir_page(&s, dir, 1)[0] = dir;			  /* the second points back */
	maps = fx_calls(FX_GNT_MAP);
	CHECK_EQ_INT(dbuf_pages(&s, 1, 2100, dir), -XEN_EINVAL);
	/*
	 * The chain would fail as too long anyway; what matters is that the
	 * walk stopped at the revisit instead of mapping a page again.
	 */
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP) - maps, 2);
	check_refused(&s, 1);
	/* A page that points at itself. */
	dir = sim_buffer(&s, 2100 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[0] = dir;
	maps = fx_calls(FX_GNT_MAP);
	CHECK_EQ_INT(dbuf_pages(&s, 2, 2100, dir), -XEN_EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP) - maps, 1);
	check_refused(&s, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_pgdir_gref_0)
{
	struct sim s;
	grant_ref_t dir;

	up(&s, 1);
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, 0), -XEN_EINVAL); /* no directory */
	check_refused(&s, 1);
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[1 + 3] = 0; /* the last data gref */
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), -XEN_EINVAL);
	check_refused(&s, 1);
	/* 0 in the unused tail of the last page does not count. */
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[1 + 4] = 0xdeadbeef;
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_pgdir_unmappable)
{
	struct sim s;
	grant_ref_t dir;
	int other;

	up(&s, 1);
	/* The directory itself. */
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, 5000), -XEN_EFAULT);
	check_refused(&s, 1);
	/* Its second page. */
	dir = sim_buffer(&s, 1100 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[0] = 5000;
	CHECK_EQ_INT(dbuf_pages(&s, 1, 1100, dir), -XEN_EFAULT);
	check_refused(&s, 1);
	/* A data page that does not exist. */
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[1 + 2] = 5000;
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), -XEN_EFAULT);
	check_refused(&s, 1);
	/* A data page granted to another domain. */
	other = fx_gnt_grant(SIM_FE_DOMID, 3, false);
	CHECK(other > 0);
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	dir_page(&s, dir, 0)[1 + 1] = (grant_ref_t)other;
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), -XEN_EFAULT);
	check_refused(&s, 1);
	/* A data page revoked before the backend got to it. */
	dir = sim_buffer(&s, 4 * ZD_PAGE_SIZE, grefs);
	CHECK_EQ_INT(fx_gnt_revoke(SIM_FE_DOMID, grefs[3]), 0);
	CHECK_EQ_INT(dbuf_pages(&s, 1, 4, dir), -XEN_EFAULT);
	check_refused(&s, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_pgdir_is_a_private_copy)
{
	struct fake_output_state *o;
	grant_ref_t dir, other[1];
	struct sim s;

	/* Rewriting the directory after DBUF_CREATE changes nothing. */
	up(&s, 1);
	o = fake_display_output(s.display, 0);
	dir = sim_buffer(&s, ZD_PAGE_SIZE, grefs);
	CHECK_EQ_INT(dbuf_req(&s, 1, 16, 16, 32, ZD_PAGE_SIZE, 0, dir), 0);
	*(uint32_t *)sim_page(&s, grefs[0]) = 0x11111111;
	sim_buffer(&s, ZD_PAGE_SIZE, other);
	*(uint32_t *)sim_page(&s, other[0]) = 0x22222222;
	dir_page(&s, dir, 0)[1] = other[0];
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 16, 16, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 16, 16, 32), 0);
	CHECK_EQ_INT(((uint32_t *)o->frame)[0], 0x11111111);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Sizes ---- */

TEST(hostile_size_over_the_frontend_limit)
{
	struct sim s;
	grant_ref_t dir;

	up_limited(&s, 1u << 20, 8, 8);
	dir = sim_buffer(&s, (1u << 20) + 1, grefs);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	CHECK_EQ_INT(dbuf_req(&s, 1, 512, 512, 32, (1u << 20) + 1, 0, dir), -XEN_E2BIG);
	CHECK_EQ_INT(dbuf_req(&s, 1, 1, 1, 32, 0xffffffffu, 0, dir), -XEN_E2BIG);
	/* Refused before anything was mapped. */
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	/* The limit itself is allowed. */
	CHECK_EQ_INT(dbuf_req(&s, 1, 512, 512, 32, 1u << 20, 0, dir), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_size_over_the_hard_limit)
{
	struct sim s;

	/* Defaults: 64 MiB per buffer; 256 MiB is the hard maximum. */
	up(&s, 1);
	CHECK_EQ_INT(dbuf_req(&s, 1, 8192, 8192, 32, (64u << 20) + 1, 0, 8), -XEN_E2BIG);
	CHECK_EQ_INT(dbuf_req(&s, 1, 8192, 8192, 32, 256u << 20, 0, 8), -XEN_E2BIG);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_size_frame_beyond_buffer)
{
	struct sim s;
	grant_ref_t dir;

	up(&s, 1);
	dir = sim_buffer(&s, 2 * ZD_PAGE_SIZE, grefs);
	/* 64x32x4 = 8192: exactly fits, one more byte of offset does not. */
	CHECK_EQ_INT(dbuf_req(&s, 1, 64, 32, 32, 8192, 1, dir), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 64, 33, 32, 8192, 0, dir), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 65, 32, 32, 8192, 0, dir), -XEN_EINVAL);
	/* data_ofs wrapping 32 bits. */
	CHECK_EQ_INT(dbuf_req(&s, 1, 64, 32, 32, 8192, 0xffffffffu, dir), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 64, 32, 32, 8192, 0xffffe000u, dir), -XEN_EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	CHECK_EQ_INT(dbuf_req(&s, 1, 64, 32, 32, 8192, 0, dir), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_size_width_times_bpp_overflow)
{
	struct sim s;

	up(&s, 1);
	/* Each would wrap a 32-bit pitch * height into something small. */
	CHECK_EQ_INT(dbuf_req(&s, 1, 0x40000000u, 1, 32, 4096, 0, 8), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 0x80000000u, 1, 16, 4096, 0, 8), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 0xffffffffu, 0xffffffffu, 32, 4096, 0, 8), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 1, 1, 0x40000001u, 32, 4096, 0, 8), -XEN_EINVAL);
	/* Within the dimensions, but pitch * height beyond the size. */
	CHECK_EQ_INT(dbuf_req(&s, 1, 8192, 8192, 32, 64u << 20, 0, 8), -XEN_EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Counts ---- */

TEST(hostile_too_many_buffers)
{
	struct sim s;

	up_limited(&s, 1u << 20, 2, 8);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 2, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 3, 8, 8, 32, NULL), -XEN_ENOSPC);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 2);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 3, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_too_many_fbs)
{
	struct sim s;

	up_limited(&s, 1u << 20, 2, 3);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 2, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 10, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 11, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 12, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 13, 8, 8, DRM_FORMAT_XRGB8888), -XEN_ENOSPC);
	CHECK_EQ_INT(sim_fb_detach(&s, 10), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 13, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_many_buffers_up_to_the_default_limit)
{
	struct sim s;

	/* Growing the tables past their first allocation. */
	up(&s, 1);
	for (uint64_t c = 1; c <= ZD_DEF_BUFFERS; c++)
		CHECK_EQ_INT(sim_dbuf_create(&s, c, 4, 4, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1000, 4, 4, 32, NULL), -XEN_ENOSPC);
	for (uint64_t c = 1; c <= ZD_DEF_FBS; c++)
		CHECK_EQ_INT(sim_fb_attach(&s, 1 + c % ZD_DEF_BUFFERS, c << 32, 4, 4,
					   DRM_FORMAT_XRGB8888),
			     0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 1, 4, 4, DRM_FORMAT_XRGB8888), -XEN_ENOSPC);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + ZD_DEF_BUFFERS);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Our own failures while serving (fx_fail) ---- */

TEST(hostile_inject_map_failures_in_dbuf_create)
{
	struct sim s;

	up(&s, 1);
	/* The directory page, then the data pages. */
	CHECK_EQ_INT(fx_fail(FX_GNT_MAP, ENOMEM, 0), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), -XEN_ENOMEM);
	CHECK_EQ_INT(fx_fail(FX_GNT_MAP, ENOMEM, 1), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), -XEN_EFAULT);
	check_refused(&s, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- The event ring ---- */

static void headless_flip_setup(struct sim *s)
{
	up(s, 0);
	CHECK_EQ_INT(sim_dbuf_create(s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(s, 0, 2, 8, 8, 32), 0);
}

TEST(hostile_event_ring_corrupt_consumer)
{
	/* A consumer ahead of the producer, or far behind it. */
	static const uint32_t bad[] = {12345678u, 1u, 0xffffffffu - 100};
	struct xendispl_evt evt;
	struct sim s;

	headless_flip_setup(&s);
	for (unsigned int i = 0; i < 3; i++) {
		s.conns[0].evt_page->in_cons = bad[i];
		CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
		CHECK_EQ_INT(sim_conn(&s, 0).events_dropped, i + 1);
		CHECK_EQ_INT(s.conns[0].evt_page->in_prod, 0);
	}
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	/* Sane again: events flow. */
	s.conns[0].evt_page->in_cons = 0;
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK(sim_event(&s, 0, &evt));
	CHECK_EQ_INT(evt.op.pg_flip.fb_cookie, 2);
	CHECK_EQ_INT(sim_conn(&s, 0).events_dropped, 3);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_event_ring_full)
{
	struct xendispl_evt evt;
	int notified;
	struct sim s;

	headless_flip_setup(&s);
	for (unsigned int i = 0; i < XENDISPL_IN_RING_LEN; i++)
		CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK_EQ_INT(s.conns[0].evt_page->in_prod, XENDISPL_IN_RING_LEN);
	CHECK_EQ_INT(sim_conn(&s, 0).events_dropped, 0);
	notified = fx_evtchn_peer_notifications(s.conns[0].evt_port);
	/* One more than fits: dropped, not written over an unread one. */
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK_EQ_INT(sim_conn(&s, 0).events_dropped, 1);
	CHECK_EQ_INT(s.conns[0].evt_page->in_prod, XENDISPL_IN_RING_LEN);
	CHECK_EQ_INT(fx_evtchn_peer_notifications(s.conns[0].evt_port), notified);
	for (unsigned int i = 0; i < XENDISPL_IN_RING_LEN; i++) {
		CHECK(sim_event(&s, 0, &evt));
		CHECK_EQ_INT(evt.id, i);
	}
	CHECK(!sim_event(&s, 0, &evt));
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK(sim_event(&s, 0, &evt));
	CHECK_EQ_INT(sim_conn(&s, 0).events_dropped, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_event_ring_producer_is_ours)
{
	struct xendispl_evt evt;
	struct sim s;

	/* A frontend scribbling on in_prod does not move our producer. */
	headless_flip_setup(&s);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK(sim_event(&s, 0, &evt));
	s.conns[0].evt_page->in_prod = 0xdead;
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK_EQ_INT(s.conns[0].evt_page->in_prod, 2);
	CHECK(sim_event(&s, 0, &evt));
	CHECK_EQ_INT(evt.id, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hostile_event_ring_garbage_at_connect)
{
	struct xendispl_evt evt;
	struct sim s;

	/* Whatever the frontend left in its event page, we start at 0. */
	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 0), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	s.conns[0].evt_page->in_prod = 0x7777;
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(s.conns[0].evt_page->in_prod, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 8, 8, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK_EQ_INT(s.conns[0].evt_page->in_prod, 1);
	CHECK(sim_event(&s, 0, &evt));
	CHECK_EQ_INT(evt.op.pg_flip.fb_cookie, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Xenstore values from the frontend ---- */

TEST(hostile_frontend_state_garbage)
{
	static const char *const junk[] = {"", "4x", "-1", "99", "4294967300", " 4"};
	struct sim s;

	for (unsigned int i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		/* A state node that is not a state reads as Unknown: the device goes. */
		up(&s, 1);
		sim_fe_write(&s, "state", junk[i]);
		sim_pump(&s);
		CHECK(sim_be_state(&s) != XenbusStateConnected);
		CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
		CHECK_EQ_INT(sim_stop(&s), 0);
		fx_reset();
	}
}

/*
 * A guest that keeps rewriting its state node: each turn of the loop
 * handles a bounded number of watch events and steps the device once, so
 * the single thread goes back to its other fds in between.
 */
TEST(hostile_xenstore_watch_flood_takes_bounded_turns)
{
	unsigned long reads;
	struct sim s;

	up(&s, 1);
	for (int i = 0; i < 1000; i++)
		sim_fe_write(&s, "state", "4"); /* Connected, again and again */
	reads = fx_calls(FX_XS_READ);
	zd_backend_xs_event(s.be);
	/* One step of one device reads a handful of nodes, not 1000 times that. */
	CHECK(fx_calls(FX_XS_READ) - reads <= 16);
	CHECK(test_fd_readable(xs_fileno(s.be->env.xs))); /* the rest waits its turn */
	sim_pump(&s);
	CHECK(!test_fd_readable(xs_fileno(s.be->env.xs)));
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* All buffers of a device together: at most max_pages, freed pages count again. */
TEST(hostile_pages_over_the_device_limit)
{
	struct sim_opts o = {.outputs = 1,
			     .limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, 8, 0}};
	struct sim s;

	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, NULL), 0); /* 4 pages */
	CHECK_EQ_INT(sim_dbuf_create(&s, 2, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 3, 32, 32, 32, NULL), -XEN_ENOSPC);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 2), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 3, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 8);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * Guests a (domain 1; options oa, NULL: two outputs) and b (domain 2, on
 * a's daemon) each with a buffer, a framebuffer (cookie 2) and a mode on
 * an output of their own; *modeset and *flip are requests for them.
 */
static void two_guests_showing(struct sim *a, struct sim *b, const struct sim_opts *oa,
			       struct xendispl_req *modeset, struct xendispl_req *flip)
{
	const struct sim_opts two = {.outputs = 2};
	struct sim_opts ob = {.fe_domid = 2, .share = a};

	CHECK_EQ_INT(sim_start_opts(a, 1, one_vga, oa ? oa : &two), 0);
	CHECK_EQ_INT(sim_start_opts(b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(a), 0);
	CHECK_EQ_INT(sim_fe_connect(b), 0);
	for (struct sim *s = a; s; s = s == a ? b : NULL) {
		CHECK_EQ_INT(sim_dbuf_create(s, 1, 64, 64, 32, NULL), 0);
		CHECK_EQ_INT(sim_fb_attach(s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
		CHECK_EQ_INT(sim_set_config(s, 0, 2, 64, 64, 32), 0);
	}
	*modeset = (struct xendispl_req){.operation = XENDISPL_OP_SET_CONFIG};
	modeset->op.set_config = (struct xendispl_set_config_req){.fb_cookie = 2,
								  .width = 64,
								  .height = 64,
								  .bpp = 32};
	*flip = (struct xendispl_req){.operation = XENDISPL_OP_PG_FLIP};
	flip->op.pg_flip.fb_cookie = 2;
}

/*
 * A guest that queues modeset after modeset gets one per loop round; a
 * second guest's flip is served in the same round, not after all of them.
 */
TEST(hostile_blocking_requests_one_per_device_per_round)
{
	struct xendispl_req q, flip;
	struct fake_output_state *oa, *ob_out;
	struct xendispl_resp r;
	uint64_t modesets, flips;
	unsigned int answered = 0;
	struct sim a, b;

	two_guests_showing(&a, &b, NULL, &q, &flip);
	oa = fake_display_output(a.display, 0);
	ob_out = fake_display_output(a.display, 1);
	for (int i = 0; i < 5; i++)
		sim_push(&a, 0, &q);
	sim_push(&b, 0, &flip);
	/* Both kicks before the daemon's next round (sim_kick would pump). */
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(a.conns[0].req_port), 0);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(b.conns[0].req_port), 0);

	modesets = oa->set_configs;
	flips = ob_out->flips_started;
	zd_loop_dispatch(a.loop, 0);
	CHECK_EQ_INT(oa->set_configs - modesets, 1);
	CHECK_EQ_INT(ob_out->flips_started - flips, 1);
	/* The rest follow, one a round; every one is answered. */
	sim_pump(&a);
	CHECK_EQ_INT(oa->set_configs - modesets, 5);
	while (sim_response(&a, 0, &r)) {
		CHECK_EQ_INT(r.status, 0);
		answered++;
	}
	CHECK_EQ_INT(answered, 5);
	sim_stop(&b); /* joined: the daemon is a's */
	CHECK_EQ_INT(sim_stop(&a), 0);
}

/*
 * A guest that queues modeset after modeset, each taking 50 ms of the
 * loop, gets no more of the loop's time than its display budget (100 ms a
 * second here, after a 200 ms burst): its requests wait on its ring, and
 * are all answered in the end. A second guest's flips are answered in the
 * round they come, all along.
 */
TEST(hostile_modesets_rationed_by_the_display_budget)
{
	struct sim_opts oa = {.outputs = 2,
			      .limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, 0, 0,
					 100}};
	struct xendispl_req q, flip;
	const uint64_t modeset_us = 50000, burst_us = 200000;
	const unsigned int n = 20;
	struct fake_output_state *out_a, *out_b;
	unsigned int answered = 0, flips = 0;
	uint64_t t, start, m0;
	struct xendispl_resp r;
	struct sim a, b;

	two_guests_showing(&a, &b, &oa, &q, &flip);
	/* From now on the test's clock; both budgets began before it. */
	sim_clock_start(&a, &t);
	out_a = fake_display_output(a.display, 0);
	out_b = fake_display_output(a.display, 1);
	out_a->clock_us = &t;
	out_a->modeset_us = modeset_us;
	for (unsigned int i = 0; i < n; i++)
		sim_push(&a, 0, &q);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(a.conns[0].req_port), 0);

	start = t;
	m0 = out_a->set_configs;
	for (int i = 0; i < 3000 && answered < n; i++) {
		sim_push(&b, 0, &flip);
		CHECK_EQ_INT(fx_evtchn_notify_from_peer(b.conns[0].req_port), 0);
		zd_loop_dispatch(a.loop, 0);
		CHECK(sim_response(&b, 0, &r));
		CHECK_EQ_INT(r.status, 0);
		CHECK(fake_display_complete_flip(a.display, 1));
		flips++;
		while (sim_response(&a, 0, &r)) {
			CHECK_EQ_INT(r.status, 0);
			answered++;
		}
		/* The guest's share: the burst, then 100 ms a second. */
		CHECK((out_a->set_configs - m0) * modeset_us <=
		      burst_us + (t - start) / 10 + modeset_us);
		t += 10000; /* 10 ms of everything else */
	}
	CHECK_EQ_INT(answered, n);
	CHECK_EQ_INT(out_a->set_configs - m0, n);
	CHECK(out_b->flips_started >= flips);
	/*
	 * n x 50 ms of work at 100 ms a second, less the burst and the last
	 * one's overdraft (a modeset starts on any credit above 0): the budget
	 * made it wait.
	 */
	CHECK(t - start >= (n * modeset_us - burst_us - modeset_us) * 10);
	CHECK(sim_devinfo(&a).display_waits > 0);
	CHECK_EQ_INT(sim_devinfo(&a).display_ms, n * modeset_us / 1000);
	CHECK_EQ_INT(sim_devinfo(&b).display_waits, 0);
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

/* Connect, then drop back to Initialising: one connect-and-drop cycle. */
static void connect_and_drop(struct sim *s)
{
	CHECK_EQ_INT(sim_fe_connect(s), 0);
	sim_set_fe_state(s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_fe_teardown(s), 0);
	CHECK_EQ_INT(sim_be_state(s), XenbusStateInitWait);
}

/*
 * A guest that connects and drops in a loop: after its burst it waits in
 * InitWait, is connected without any further event of its own once its
 * connect budget allows (30 a minute: one every 2 s), and no sooner.
 * Another guest of the same daemon connects at once meanwhile.
 */
TEST(hostile_connect_and_drop_rationed_by_the_connect_budget)
{
	struct sim_opts o = {.outputs = 2,
			     .limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, 0, 0, 0,
					30}};
	struct sim_opts ob = {.fe_domid = 2, .share = NULL};
	uint64_t t;
	struct sim a, b;

	CHECK_EQ_INT(sim_start_opts(&a, 1, one_vga, &o), 0);
	sim_clock_start(&a, &t);
	for (unsigned int i = 0; i < ZD_CONNECT_BURST; i++)
		connect_and_drop(&a);
	CHECK_EQ_INT(sim_devinfo(&a).connect_waits, 0);

	/* The fifth in a row is held. */
	CHECK_EQ_INT(sim_fe_publish(&a), 0);
	sim_set_fe_state(&a, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateInitWait);
	CHECK_EQ_INT(sim_devinfo(&a).connect_waits, 1);

	/* Not another guest: its budget is its own. */
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);

	/* One unit of credit to earn: 1/30 s, then the backend connects it. */
	t += 33000;
	zd_loop_dispatch(a.loop, 0);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateInitWait);
	t += 1000;
	zd_loop_dispatch(a.loop, 0);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateConnected);
	sim_set_fe_state(&a, XenbusStateConnected);
	CHECK_EQ_INT(sim_devinfo(&a).connects, ZD_CONNECT_BURST + 1);

	/* It drops and comes back: held for the 2 s a connect costs. */
	sim_set_fe_state(&a, XenbusStateInitialising);
	CHECK_EQ_INT(sim_fe_teardown(&a), 0);
	CHECK_EQ_INT(sim_fe_publish(&a), 0);
	sim_set_fe_state(&a, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateInitWait);
	for (int i = 0; i < 19; i++) {
		t += 100000;
		zd_loop_dispatch(a.loop, 0);
		CHECK_EQ_INT(sim_be_state(&a), XenbusStateInitWait);
	}
	t += 100000;
	zd_loop_dispatch(a.loop, 0);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateConnected);
	CHECK_EQ_INT(sim_devinfo(&a).connect_waits, 2);
	/* Its state went back and forth meanwhile: nothing leaked or broke. */
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

/*
 * A guest that rewrites its state node in a loop: the daemon reads
 * xenstore for it no more than its step budget allows (a burst, then
 * ZD_STEPS_PER_S steps a second), and a real change that comes while its
 * steps are held is acted on once the budget allows, with no further
 * write of its own. Another guest of the same daemon connects at once
 * meanwhile.
 */
TEST(hostile_state_flood_rationed_by_the_step_budget)
{
	struct sim_opts ob = {.fe_domid = 2, .share = NULL};
	unsigned long reads, events;
	uint64_t t, steps;
	struct sim a, b;

	CHECK_EQ_INT(sim_start(&a, 1, one_vga, 2), 0);
	sim_clock_start(&a, &t);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	steps = sim_devinfo(&a).steps;
	reads = fx_calls(FX_XS_READ) + fx_calls(FX_XS_DIRECTORY);
	events = fx_xs_queued_events();
	for (int i = 0; i < 1000; i++)
		sim_set_fe_state(&a, XenbusStateConnected);
	CHECK(sim_devinfo(&a).steps - steps <= ZD_STEP_BURST);
	CHECK_EQ_INT(sim_devinfo(&a).step_waits, 1);
	/* A step reads four nodes: 1000 of them would be 4000 reads. */
	reads = fx_calls(FX_XS_READ) + fx_calls(FX_XS_DIRECTORY) - reads;
	CHECK(reads <= 4 * ZD_STEP_BURST);
	/* Held, the device does not watch: the rest of the writes fire nothing. */
	events = fx_xs_queued_events() - events;
	CHECK(events <= ZD_STEP_BURST + 2);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateConnected);

	/* Not another guest: its budget is its own. */
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);

	/* The frontend goes Closing while held: seen when the step comes. */
	sim_set_fe_state(&a, XenbusStateClosing);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateConnected);
	sim_clock_advance(&a, &t, 1000000 / ZD_STEPS_PER_S + 1000);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateClosing);
	CHECK_EQ_INT(sim_devinfo(&a).step_waits, 1);
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}
