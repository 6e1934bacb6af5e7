// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend.c: the daemon core against a simulated frontend: handshake,
 * requests, the copy path to a (fake) display, teardown.
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "test.h"

static const char *const one_vga[] = {"640x480"};

TEST(backend_reaches_initwait_and_offers_versions)
{
	struct sim s;
	char path[160];

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	snprintf(path, sizeof(path), "%s/versions", s.be_path);
	CHECK_STR_EQ(fx_xs_read(path), "1,2");
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_connects_and_closes_cleanly)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	sim_set_fe_state(&s, XenbusStateConnected);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK(fx_gnt_live_mappings() == 2); /* two ring pages */
	CHECK(fake_display_output(s.display, 0)->claimed);

	sim_set_fe_state(&s, XenbusStateClosing);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(!fx_evtchn_is_bound(s.conns[0].req_port));
	CHECK(!fake_display_output(s.display, 0)->claimed);
	sim_set_fe_state(&s, XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_copies_a_flipped_frame_to_the_display)
{
	static grant_ref_t grefs[SIM_MAX_PAGES];
	struct xendispl_evt evt;
	struct fake_output_state *o;
	uint32_t w = 64, h = 32;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0x10, w, h, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 0x10, 0x20, w, h, DRM_FORMAT_XRGB8888), 0);
	/* The guest draws: pixel i holds i, across page boundaries. */
	for (uint32_t i = 0; i < w * h; i++) {
		uint32_t *page = sim_page(&s, grefs[i * 4 / ZD_PAGE_SIZE]);

		page[i % (ZD_PAGE_SIZE / 4)] = i;
	}
	CHECK_EQ_INT(sim_set_config(&s, 0, 0x20, w, h, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x20), 0);
	o = fake_display_output(s.display, 0);
	CHECK(o->flip_pending);
	CHECK(!sim_event(&s, 0, &evt)); /* no event before the display flipped */
	CHECK(fake_display_complete_flip(s.display, 0));
	sim_pump(&s);
	CHECK(sim_event(&s, 0, &evt));
	CHECK_EQ_INT(evt.type, XENDISPL_EVT_PG_FLIP);
	CHECK(evt.op.pg_flip.fb_cookie == 0x20);
	CHECK_EQ_INT(o->width, w);
	for (uint32_t i = 0; i < w * h; i++)
		CHECK_EQ_INT(((uint32_t *)o->frame)[i], i);
	CHECK_EQ_INT(sim_stop(&s), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
}

TEST(backend_bad_request_gets_status_and_connection_goes_on)
{
	struct xendispl_req req = {.operation = 0x7f};
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), -XEN_EOPNOTSUPP);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0, 8, 8, 32, NULL), -XEN_EINVAL); /* cookie 0 */
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 24, NULL), -XEN_EINVAL); /* bpp */
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), -XEN_EEXIST);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 3, 8, 8, DRM_FORMAT_XRGB8888), -XEN_ENOENT);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 9, 8, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 8, 8, DRM_FORMAT_RGB565), -XEN_EINVAL);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 3), -XEN_ENOENT);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_ring_overflow_closes_only_that_device)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	/* A producer index far ahead of anything the ring can hold. */
	s.conns[0].ring.sring->req_prod += 1000;
	fx_evtchn_notify_from_peer(s.conns[0].req_port);
	sim_pump(&s);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_device_recreated_between_two_looks_starts_over)
{
	char path[160];
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK(fx_gnt_live_mappings() > 0);
	/* Toolstack: detach and attach again before the daemon looks. */
	fx_xs_rm(0, s.be_path);
	snprintf(path, sizeof(path), "%s/frontend", s.be_path);
	fx_xs_write(0, path, s.fe_path);
	snprintf(path, sizeof(path), "%s/online", s.be_path);
	fx_xs_write(0, path, "1");
	snprintf(path, sizeof(path), "%s/state", s.be_path);
	fx_xs_write(0, path, "1");
	snprintf(path, sizeof(path), "%s/state", s.fe_path);
	fx_xs_write(SIM_FE_DOMID, path, "1");
	sim_pump(&s);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	snprintf(path, sizeof(path), "%s/versions", s.be_path);
	CHECK_STR_EQ(fx_xs_read(path), "1,2");
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(!fx_evtchn_is_bound(s.conns[0].req_port));
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_request_budget_leaves_the_rest_for_the_next_round)
{
	struct xendispl_req req = {.operation = 0x7f};
	struct xendispl_resp resp;
	unsigned int n = 0, size;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	size = RING_SIZE(&s.conns[0].ring);
	CHECK(size > ZD_REQ_BUDGET);
	for (unsigned int i = 0; i < size; i++) {
		req.id = (uint16_t)i;
		sim_push(&s, 0, &req);
	}
	fx_evtchn_notify_from_peer(s.conns[0].req_port);
	zd_backend_evtchn_event(s.be); /* one callback: one budget */
	while (sim_response(&s, 0, &resp))
		n++;
	CHECK_EQ_INT(n, ZD_REQ_BUDGET);
	CHECK(sim_conn(&s, 0).more);
	sim_pump(&s); /* the loop's deferred round serves the rest */
	while (sim_response(&s, 0, &resp))
		n++;
	CHECK_EQ_INT(n, size);
	CHECK(!sim_conn(&s, 0).more);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(backend_requests_queued_before_connect_are_all_answered)
{
	struct xendispl_req req = {.operation = 0x7f};
	struct xendispl_resp resp;
	unsigned int n = 0, queued;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	queued = ZD_REQ_BUDGET + 5;
	for (unsigned int i = 0; i < queued; i++)
		sim_push(&s, 0, &req);
	/* No kick: the backend finds them when it connects. */
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	while (sim_response(&s, 0, &resp))
		n++;
	CHECK_EQ_INT(n, queued);
	CHECK_EQ_INT(sim_stop(&s), 0);
}
