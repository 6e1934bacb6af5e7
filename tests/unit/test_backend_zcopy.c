// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend_zcopy.c: the zero-copy path through a simulated frontend,
 * the fake seam (tests/fakexen/dmabuf.c) and the fake display: which path
 * each buffer and output takes and why, that zero-copy frames copy
 * nothing and show the guest's pixels, the copy fallback of one refusing
 * output, and that teardown leaves nothing exported in the right order.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "display.h"
#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "status.h"
#include "test.h"

static const char *const one_vga[] = {"640x480"};
static const char *const two_vga[] = {"640x480", "640x480"};

static grant_ref_t grefs[SIM_MAX_PAGES];

/* A daemon with the helper present (or as given), connected. */
static void up_zc(struct sim *s, unsigned int nconns, unsigned int outputs, enum zd_zcopy_mode mode)
{
	struct sim_opts o = {.outputs = outputs, .zcopy = mode};

	fx_zcopy_present(true, false, false);
	CHECK_EQ_INT(sim_start_opts(s, nconns, nconns == 1 ? one_vga : two_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(s), 0);
}

static struct fx_zcopy_stats stats(void)
{
	struct fx_zcopy_stats st;

	fx_zcopy_stats(&st);
	return st;
}

/*
 * Nothing exported or granted, no display holds a framebuffer, and the
 * daemon maps maps pages (its rings, while connected).
 */
static void check_nothing_left(struct sim *s, unsigned int maps)
{
	struct fx_zcopy_stats st = stats();

	CHECK_EQ_INT(st.exports_alive, 0);
	CHECK_EQ_INT(st.pages_mapped, 0);
	CHECK_EQ_INT(st.exports_unwaited, 0);
	CHECK_EQ_INT(st.imports_alive, 0);
	CHECK_EQ_INT(st.allocs_alive, 0);
	CHECK_EQ_INT(st.grants_alive, 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), maps);
	for (unsigned int i = 0; s->display && i < FAKE_OUTPUTS; i++) {
		struct fake_output_state *o = fake_display_output(s->display, i);

		if (o)
			CHECK_EQ_INT(o->dmafbs, 0);
	}
}

/* The guest draws pixel i = base + i into a w x h 32 bpp frame at ofs. */
static void draw(struct sim *s, uint32_t ofs, uint32_t w, uint32_t h, uint32_t base)
{
	for (uint32_t i = 0; i < w * h; i++) {
		uint32_t at = ofs + i * 4;
		uint8_t *page = sim_page(s, grefs[at / ZD_PAGE_SIZE]);

		memcpy(page + at % ZD_PAGE_SIZE, &(uint32_t){base + i}, 4);
	}
}

static void check_frame(struct fake_output_state *o, uint32_t w, uint32_t h, uint32_t base)
{
	CHECK_EQ_INT(o->width, w);
	CHECK_EQ_INT(o->height, h);
	for (uint32_t i = 0; i < w * h; i++)
		CHECK_EQ_INT(((uint32_t *)o->frame)[i], base + i);
}

static char *snapshot(struct sim *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	zd_status_write(s->be, f);
	fclose(f);
	return buf;
}

static void expect_flip_event(struct sim *s, unsigned int ci, uint64_t fb)
{
	struct xendispl_evt evt;

	CHECK(sim_event(s, ci, &evt));
	CHECK_EQ_INT(evt.type, XENDISPL_EVT_PG_FLIP);
	CHECK_EQ_INT(evt.op.pg_flip.fb_cookie, fb);
}

TEST(zc_frontend_buffer_is_exported_and_shown_without_a_copy)
{
	struct fake_output_state *o;
	uint32_t w = 64, h = 32;
	struct sim s;
	char *snap;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, w, h, 32, grefs), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_ZERO_COPY);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "zero-copy via helper");
	/* The daemon maps its two ring pages and not one page of the frame. */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(stats().exports_alive, 1);
	CHECK_EQ_INT(stats().pages_mapped, 2);

	CHECK_EQ_INT(sim_fb_attach(&s, 1, 0x10, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 0x11, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(o->imports, 2);
	CHECK_EQ_INT(o->last_layout.pitch, w * 4);
	CHECK_EQ_INT(o->last_layout.offset, 0);
	draw(&s, 0, w, h, 0x100);
	CHECK_EQ_INT(sim_set_config(&s, 0, 0x10, w, h, 32), 0);
	CHECK(o->zero_copy);
	CHECK_EQ_INT(o->zc_set_configs, 1);
	check_frame(o, w, h, 0x100);

	draw(&s, 0, w, h, 0x5000);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0);
	CHECK(o->flip_pending);
	CHECK_EQ_INT(o->zc_flips, 1);
	CHECK(fake_display_complete_flip(s.display, 0));
	sim_pump(&s);
	expect_flip_event(&s, 0, 0x11);
	CHECK(o->zero_copy);
	check_frame(o, w, h, 0x5000);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);

	snap = snapshot(&s);
	CHECK(strstr(snap, "zcopy=helper") != NULL);
	CHECK(strstr(snap, "bytes-copied=0 ") != NULL);
	CHECK(strstr(snap, "path=zero-copy why=\"zero-copy via helper\"") != NULL);
	free(snap);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_framebuffer_keeps_the_frames_offset_and_pitch)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};
	struct xendispl_dbuf_create_req *q = &req.op.dbuf_create;
	struct fake_output_state *o;
	uint32_t w = 16, h = 16, ofs = 4000; /* straddles two pages */
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	q->dbuf_cookie = 1;
	q->width = w;
	q->height = h;
	q->bpp = 32;
	q->data_ofs = ofs;
	q->buffer_sz = ofs + w * h * 4;
	q->gref_directory = sim_buffer(&s, q->buffer_sz, grefs);
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), 0);
	draw(&s, ofs, w, h, 0xabc00000u);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, w, h, DRM_FORMAT_ARGB8888), 0);
	CHECK_EQ_INT(o->last_layout.offset, ofs);
	CHECK_EQ_INT(o->last_layout.pitch, w * 4);
	CHECK_EQ_INT(o->last_layout.fourcc, DRM_FORMAT_ARGB8888);
	CHECK_EQ_INT(o->last_layout.size, 2 * ZD_PAGE_SIZE);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, w, h, 32), 0);
	CHECK(o->zero_copy);
	check_frame(o, w, h, 0xabc00000u);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* A frontend's PRIME import: DBUF_CREATE at 0x0, 0 bpp (Linux does so). */
static struct xendispl_req geometryless(struct sim *s, uint64_t cookie, uint32_t size, uint32_t ofs)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};
	struct xendispl_dbuf_create_req *q = &req.op.dbuf_create;

	q->dbuf_cookie = cookie;
	q->data_ofs = ofs;
	q->buffer_sz = size;
	q->gref_directory = sim_buffer(s, size, grefs);
	return req;
}

TEST(zc_buffer_without_geometry_takes_its_framebuffers)
{
	struct fake_output_state *o;
	uint32_t w = 32, h = 16;
	struct xendispl_req req;
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	req = geometryless(&s, 1, w * h * 4, 0);
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), 0);
	/* Rows of exactly width * cpp; a framebuffer too big for it is refused. */
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, w, h + 1, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(o->last_layout.pitch, w * 4);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, w * 2, h, DRM_FORMAT_RGB565), 0);
	CHECK_EQ_INT(o->last_layout.pitch, w * 2 * 2);
	draw(&s, 0, w, h, 0x77000000u);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, w, h, 32), 0);
	CHECK(o->zero_copy);
	check_frame(o, w, h, 0x77000000u);
	/* Partly given geometry, or backend allocation without any, is refused. */
	req = geometryless(&s, 4, ZD_PAGE_SIZE, 0);
	req.op.dbuf_create.bpp = 32;
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), -XEN_EINVAL);
	req = geometryless(&s, 5, ZD_PAGE_SIZE, ZD_PAGE_SIZE);
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), -XEN_EINVAL);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_a_refusing_display_gets_copies_only_there)
{
	struct fake_output_state *o0, *o1;
	uint32_t w = 64, h = 64; /* 4 pages */
	struct sim s;
	char *snap;

	up_zc(&s, 2, 2, ZD_ZCOPY_AUTO);
	o0 = fake_display_output(s.display, 0);
	o1 = fake_display_output(s.display, 1);
	o1->import_err = EINVAL;
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, w, h, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 0x10, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(o0->dmafbs, 1);
	CHECK_EQ_INT(o1->dmafbs, 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_PARTIAL);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why,
		     "display refused the import: Invalid argument (output Fake-2); "
		     "zero-copy on the other outputs");
	/* Nothing to copy yet: nothing mapped yet. */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4);

	draw(&s, 0, w, h, 7);
	CHECK_EQ_INT(sim_set_config(&s, 0, 0x10, w, h, 32), 0);
	CHECK_EQ_INT(sim_set_config(&s, 1, 0x10, w, h, 32), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4 + 4); /* mapped once, for output 2 */
	CHECK(o0->zero_copy);
	CHECK(!o1->zero_copy);
	check_frame(o0, w, h, 7);
	check_frame(o1, w, h, 7);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 0);
	CHECK_EQ_INT(sim_conn(&s, 1).bytes_copied, w * h * 4);

	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(sim_page_flip(&s, 0, 0x10), 0);
		CHECK_EQ_INT(sim_page_flip(&s, 1, 0x10), 0);
		CHECK(fake_display_complete_flip(s.display, 0));
		CHECK(fake_display_complete_flip(s.display, 1));
		sim_pump(&s);
	}
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 0);
	CHECK_EQ_INT(sim_conn(&s, 1).bytes_copied, 4 * w * h * 4);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4 + 4);
	snap = snapshot(&s);
	CHECK(strstr(snap, "output=Fake-1 configured=1 flips=3 bytes-copied=0 ") != NULL);
	CHECK(strstr(snap, "path=partial why=\"display refused the import: ") != NULL);
	free(snap);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_a_refused_commit_falls_back_to_copying)
{
	struct fake_output_state *o;
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 32, 32, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 32, 32, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 32, 32, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(o->dmafbs, 2);
	/* E.g. a primary plane that must cover the whole CRTC. */
	o->commit_err = EINVAL;
	draw(&s, 0, 32, 32, 1);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 32, 32, 32), 0);
	CHECK(o->enabled);
	CHECK(!o->zero_copy);
	check_frame(o, 32, 32, 1);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 32 * 32 * 4);
	CHECK_EQ_INT(o->dmafbs, 1); /* fb 2's went; fb 3's is untried */
	CHECK(strstr(sim_dbuf(&s, 0).why, "display refused the framebuffer: Invalid argument") !=
	      NULL);
	/* Each fb falls back on its own, once; flips go on. */
	CHECK_EQ_INT(sim_page_flip(&s, 0, 3), 0);
	CHECK_EQ_INT(o->dmafbs, 0);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 2 * 32 * 32 * 4);
	CHECK(fake_display_complete_flip(s.display, 0));
	sim_pump(&s);
	expect_flip_event(&s, 0, 3);
	CHECK_EQ_INT(o->drops, 2);
	CHECK_EQ_INT(o->offs_for_drop, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_destroy_drops_from_the_display_before_waiting)
{
	struct fake_output_state *o;
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	sim_pump(&s);
	/* The frontend turns the display off, then lets its buffer go. */
	CHECK_EQ_INT(sim_set_config(&s, 0, 0, 0, 0, 0), 0);
	CHECK_EQ_INT(fx_gnt_revoke(SIM_FE_DOMID, grefs[0]), -EBUSY);
	CHECK_EQ_INT(sim_fb_detach(&s, 2), 0);
	CHECK_EQ_INT(o->dmafbs, 0);
	CHECK_EQ_INT(o->offs_for_drop, 0);
	CHECK_EQ_INT(stats().waits, 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	/*
	 * One wait, and it found the dma-buf released: the display had let
	 * go and the fd was closed before it. The pages are the guest's again.
	 */
	CHECK_EQ_INT(stats().waits, 1);
	CHECK_EQ_INT(stats().waits_timed_out, 0);
	check_nothing_left(&s, 2);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(fx_gnt_revoke(SIM_FE_DOMID, grefs[i]), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_detaching_the_framebuffer_on_screen_turns_the_output_off)
{
	struct fake_output_state *o;
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 64, 64, 32), 0);
	/* Not on the screen: goes quietly. */
	CHECK_EQ_INT(sim_fb_detach(&s, 3), 0);
	CHECK(o->enabled);
	CHECK(sim_conn(&s, 0).configured);
	CHECK_EQ_INT(sim_fb_detach(&s, 2), 0);
	CHECK(!o->enabled);
	CHECK_EQ_INT(o->offs_for_drop, 1);
	CHECK(!sim_conn(&s, 0).configured);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	CHECK_EQ_INT(stats().waits_timed_out, 0);
	check_nothing_left(&s, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

enum ending { FE_CLOSE, VANISH, SIGTERM };

/* Frontend death with frames on the screen and flips in flight. */
static void death_with_buffers_displayed(enum ending how)
{
	struct sim s;

	up_zc(&s, 2, 2, ZD_ZCOPY_AUTO);
	fake_display_output(s.display, 1)->import_err = EINVAL; /* one copies */
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 2, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 10, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 11, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 10, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_set_config(&s, 1, 10, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 11), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 10), 0); /* queued */
	CHECK_EQ_INT(sim_page_flip(&s, 1, 11), 0);
	CHECK_EQ_INT(stats().exports_alive, 2);
	CHECK(fx_gnt_live_mappings() > 4);

	switch (how) {
	case FE_CLOSE:
		sim_set_fe_state(&s, XenbusStateClosing);
		CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
		check_nothing_left(&s, 0);
		sim_set_fe_state(&s, XenbusStateClosed);
		sim_remove_device(&s, true);
		break;
	case VANISH:
		sim_remove_device(&s, true);
		break;
	case SIGTERM:
		sim_free_backend(&s);
		break;
	}
	CHECK_NULL(sim_device(&s));
	/* Released before the waits: none of them timed out. */
	CHECK_EQ_INT(stats().waits, 2);
	CHECK_EQ_INT(stats().waits_timed_out, 0);
	check_nothing_left(&s, 0);
	for (unsigned int i = 0; i < 2; i++)
		CHECK(!fake_display_output(s.display, i)->claimed);
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	CHECK_EQ_INT(fx_gnt_revoke(SIM_FE_DOMID, grefs[0]), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_frontend_closes_with_buffers_displayed)
{
	death_with_buffers_displayed(FE_CLOSE);
}

TEST(zc_frontend_vanishes_with_buffers_displayed)
{
	death_with_buffers_displayed(VANISH);
}

TEST(zc_daemon_exits_with_buffers_displayed)
{
	death_with_buffers_displayed(SIGTERM);
}

TEST(zc_off_copies_and_says_so)
{
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_OFF);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_COPY);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "zero-copy disabled (--zcopy=off)");
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 4); /* mapped at once, as always */
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(fake_display_output(s.display, 0)->imports, 0);
	CHECK_EQ_INT(stats().exports_total, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_gntdev_in_a_pv_domain_copies_frontend_buffers)
{
	struct sim_opts opts = {.outputs = 1};
	struct sim s;

	fx_zcopy_present(false, true, true);
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &opts), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_COPY);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "gntdev cannot export dma-bufs in a PV domain");
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_failed_export_copies)
{
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(fx_fail(FX_ZC_EXPORT, ENOSPC, 0), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_COPY);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "grant->dma-buf export failed: No space left on device");
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 4);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 64, 64, 32), 0);
	CHECK(!fake_display_output(s.display, 0)->zero_copy);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_unmappable_grants_are_refused)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};
	struct xendispl_dbuf_create_req *q = &req.op.dbuf_create;
	grant_ref_t dir;
	struct sim s;

	up_zc(&s, 1, 1, ZD_ZCOPY_AUTO);
	dir = sim_buffer(&s, 2 * ZD_PAGE_SIZE, grefs);
	((grant_ref_t *)sim_page(&s, dir))[2] = 5000; /* data page 1: never granted */
	q->dbuf_cookie = 1;
	q->width = 32;
	q->height = 64;
	q->bpp = 32;
	q->buffer_sz = 2 * ZD_PAGE_SIZE;
	q->gref_directory = dir;
	/* The export cannot map it, and neither can the copy path. */
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), -XEN_EFAULT);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_ENOENT);
	check_nothing_left(&s, 2);
	CHECK_EQ_INT(fx_gnt_revoke(SIM_FE_DOMID, grefs[0]), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_headless_connector_needs_no_import)
{
	struct sim s;

	up_zc(&s, 1, 0, ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 8, 8, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	expect_flip_event(&s, 0, 2);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

/* ---- be-alloc ---- */

#define MAX_DIRS 4

/* A frontend with be-alloc 1, connected, the helper present (or gntdev). */
static void up_be_alloc_with(struct sim *s, unsigned int outputs, bool helper)
{
	struct sim_opts o = {.outputs = outputs, .be_alloc = true};

	fx_zcopy_present(helper, !helper, false);
	CHECK_EQ_INT(sim_start_opts(s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(s), 0);
	CHECK(sim_devinfo(s).be_alloc);
}

static void up_be_alloc(struct sim *s, unsigned int outputs)
{
	up_be_alloc_with(s, outputs, true);
}

/* The directory a be-alloc frontend grants: writable pages, chained, grefs 0. */
static grant_ref_t be_dir(struct sim *s, uint32_t npages, grant_ref_t dirs[MAX_DIRS])
{
	uint32_t n = zd_dir_pages(npages);

	CHECK(n <= MAX_DIRS);
	for (uint32_t i = 0; i < n; i++)
		dirs[i] = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, false);
	for (uint32_t i = 0; i < n; i++)
		((grant_ref_t *)sim_page(s, dirs[i]))[0] = i + 1 < n ? dirs[i + 1] : 0;
	return dirs[0];
}

/* Data page k's ref, as the backend wrote it into the directory. */
static grant_ref_t dir_ref(struct sim *s, const grant_ref_t dirs[MAX_DIRS], uint32_t k)
{
	const grant_ref_t *pd = sim_page(s, dirs[k / ZD_GREFS_PER_DIR_PAGE]);

	return pd[1 + k % ZD_GREFS_PER_DIR_PAGE];
}

static int32_t be_alloc_req(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, grant_ref_t dir)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};
	struct xendispl_dbuf_create_req *q = &req.op.dbuf_create;

	q->dbuf_cookie = cookie;
	q->width = w;
	q->height = h;
	q->bpp = 32;
	q->buffer_sz = w * h * 4;
	q->flags = XENDISPL_DBUF_FLG_REQ_ALLOC;
	q->gref_directory = dir;
	return sim_request(s, 0, &req, NULL);
}

/* The frontend draws pixel i = base + i into the w x h be-alloc buffer's pages. */
static void draw_granted(const grant_ref_t *refs, uint32_t w, uint32_t h, uint32_t base)
{
	for (uint32_t i = 0; i < w * h; i++)
		((uint32_t *)fx_gnt_page(0, refs[i / 1024]))[i % 1024] = base + i;
}

/* The helper allocates: its pages, granted, in the directory; no dumb buffer. */
TEST(zc_be_alloc_grants_the_helpers_pages_through_the_directory)
{
	grant_ref_t dirs[MAX_DIRS], refs[4];
	struct fake_output_state *o;
	struct sim s;

	up_be_alloc(&s, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_ZERO_COPY);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "zero-copy via helper (backend-allocated)");
	CHECK(sim_dbuf(&s, 0).allocated);
	CHECK_EQ_INT(fake_display_dumbs(s.display), 0);
	CHECK_EQ_INT(stats().allocs_alive, 1);
	CHECK_EQ_INT(stats().imports_alive, 0);
	CHECK_EQ_INT(stats().grants_alive, 4);
	/* Each ref in the directory is a page we granted to the frontend. */
	for (uint32_t k = 0; k < 4; k++) {
		refs[k] = dir_ref(&s, dirs, k);
		CHECK_EQ_INT(refs[k], sim_dbuf(&s, 0).grefs[k]);
		CHECK_NOT_NULL(fx_gnt_page(0, refs[k]));
	}
	draw_granted(refs, 64, 64, 0x500);
	/* Nothing of it is mapped by the daemon. */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);

	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(o->dmafbs, 1);
	CHECK_EQ_INT(o->last_layout.pitch, 64 * 4);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 64, 64, 32), 0);
	CHECK(o->zero_copy);
	check_frame(o, 64, 64, 0x500);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	sim_pump(&s);
	expect_flip_event(&s, 0, 2);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 0);

	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_EBUSY);
	CHECK_EQ_INT(sim_fb_detach(&s, 2), 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	for (uint32_t k = 0; k < 4; k++)
		CHECK_NULL(fx_gnt_page(0, refs[k]));
	check_nothing_left(&s, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_be_alloc_fills_a_directory_of_two_pages)
{
	grant_ref_t dirs[MAX_DIRS];
	uint32_t n = 1100; /* 1024 x 1100 at 32 bpp: one page per row */
	struct sim s;

	up_be_alloc(&s, 1);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 1024, n, be_dir(&s, n, dirs)), 0);
	CHECK_EQ_INT(stats().grants_alive, n);
	for (uint32_t k = 0; k < n; k++)
		CHECK_EQ_INT(dir_ref(&s, dirs, k), sim_dbuf(&s, 0).grefs[k]);
	/* The next pointers are the frontend's, untouched. */
	CHECK_EQ_INT(((grant_ref_t *)sim_page(&s, dirs[0]))[0], dirs[1]);
	CHECK_EQ_INT(((grant_ref_t *)sim_page(&s, dirs[1]))[0], 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	check_nothing_left(&s, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(zc_be_alloc_with_a_bad_directory_grants_nothing)
{
	grant_ref_t dirs[MAX_DIRS], dir;
	struct sim s;

	up_be_alloc(&s, 1);
	dir = be_dir(&s, 2000, dirs);
	((grant_ref_t *)sim_page(&s, dir))[0] = 0; /* the chain ends a page early */
	CHECK_EQ_INT(be_alloc_req(&s, 1, 1024, 2000, dir), -XEN_EINVAL);
	/* A read-only directory page cannot take the refs. */
	dir = (grant_ref_t)fx_gnt_grant(s.fe_domid, 0, true);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, dir), -XEN_EFAULT);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_ENOENT);
	CHECK_EQ_INT(fake_display_dumbs(s.display), 0);
	check_nothing_left(&s, 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* be-alloc needs the helper, or gntdev and an output to allocate on. */
static int32_t be_alloc_under_facility(bool helper, bool gntdev, unsigned int outputs)
{
	struct sim_opts o = {.outputs = outputs, .be_alloc = true};
	grant_ref_t dirs[MAX_DIRS];
	struct sim s;
	int32_t r;

	fx_reset();
	fx_zcopy_present(helper, gntdev, false);
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	r = be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs));
	sim_remove_device(&s, true);
	check_nothing_left(&s, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
	return r;
}

TEST(zc_be_alloc_needs_a_facility_and_for_gntdev_an_output)
{
	struct sim_opts o = {.outputs = 1, .be_alloc = true};
	grant_ref_t dirs[MAX_DIRS];
	struct sim s;

	CHECK_EQ_INT(be_alloc_under_facility(true, false, 0), 0); /* the helper needs no output */
	CHECK_EQ_INT(be_alloc_under_facility(false, false, 1), -XEN_EOPNOTSUPP);
	CHECK_EQ_INT(be_alloc_under_facility(false, true, 0), -XEN_EOPNOTSUPP);
	CHECK_EQ_INT(be_alloc_under_facility(false, true, 1), 0);

	/* gntdev in a PV domain imports: be-alloc works there. */
	fx_reset();
	fx_zcopy_present(false, true, true);
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), 0);
	CHECK_STR_EQ(sim_dbuf(&s, 0).why, "zero-copy via gntdev (backend-allocated)");
	CHECK_EQ_INT(sim_stop(&s), 0);
	check_nothing_left(&s, 0);
}

TEST(zc_be_alloc_copies_from_the_allocation_where_refused)
{
	grant_ref_t dirs[MAX_DIRS];
	struct fake_output_state *o;
	struct sim s;

	up_be_alloc(&s, 1);
	o = fake_display_output(s.display, 0);
	o->import_err = EOPNOTSUPP;
	CHECK_EQ_INT(be_alloc_req(&s, 1, 16, 16, be_dir(&s, 1, dirs)), 0);
	draw_granted(sim_dbuf(&s, 0).grefs, 16, 16, 0x300);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 16, 16, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_COPY);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 16, 16, 32), 0);
	CHECK(!o->zero_copy);
	check_frame(o, 16, 16, 0x300);
	/* A later frame in the same pages is what the next flip copies. */
	draw_granted(sim_dbuf(&s, 0).grefs, 16, 16, 0x700);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), 0);
	check_frame(o, 16, 16, 0x700);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 2 * 16 * 16 * 4);
	CHECK(sim_dbuf(&s, 0).map_is_mmap);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	sim_free_backend(&s);
	check_nothing_left(&s, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* gntdev's way: the display's dumb buffer, granted, copied where refused. */
TEST(zc_be_alloc_copies_from_the_dumb_buffer_where_refused)
{
	grant_ref_t dirs[MAX_DIRS];
	struct fake_output_state *o;
	struct sim s;

	up_be_alloc_with(&s, 1, false);
	o = fake_display_output(s.display, 0);
	o->import_err = EOPNOTSUPP;
	CHECK_EQ_INT(be_alloc_req(&s, 1, 16, 16, be_dir(&s, 1, dirs)), 0);
	/* What the frontend drew, in the display's buffer. */
	for (uint32_t i = 0; i < 16 * 16; i++)
		CHECK_EQ_INT(pwrite(sim_dbuf(&s, 0).dmabuf_fd, &(uint32_t){0x300 + i}, 4, i * 4),
			     4);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 16, 16, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_dbuf(&s, 0).path, ZD_PATH_COPY);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 16, 16, 32), 0);
	CHECK(!o->zero_copy);
	check_frame(o, 16, 16, 0x300);
	CHECK_EQ_INT(sim_conn(&s, 0).bytes_copied, 16 * 16 * 4);
	CHECK(sim_dbuf(&s, 0).map_is_mmap);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	sim_free_backend(&s);
	CHECK_EQ_INT(fake_display_dumbs(s.display), 0);
	check_nothing_left(&s, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* Frontend death with a backend-allocated frame on the screen. */
TEST(zc_be_alloc_frontend_death_leaves_nothing_granted)
{
	grant_ref_t dirs[MAX_DIRS];
	struct sim s;

	up_be_alloc(&s, 1);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), 0);
	CHECK_EQ_INT(be_alloc_req(&s, 2, 64, 64, be_dir(&s, 4, dirs)), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 10, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 11, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 10, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 11), 0);
	CHECK_EQ_INT(stats().grants_alive, 8);
	sim_remove_device(&s, true);
	CHECK_NULL(sim_device(&s));
	CHECK_EQ_INT(fake_display_dumbs(s.display), 0);
	check_nothing_left(&s, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * be-alloc is in the guest's own directory: a guest the toolstack gave
 * be-alloc 0 writes 1 and starts over. The daemon took the value when the
 * device appeared, and allocates nothing.
 */
TEST(zc_be_alloc_a_guest_cannot_switch_it_on)
{
	grant_ref_t dirs[MAX_DIRS];
	struct sim s;

	fx_zcopy_present(true, false, false);
	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK(!sim_devinfo(&s).be_alloc);
	sim_fe_write(&s, XENDISPL_FIELD_BE_ALLOC, "1");
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK(!sim_devinfo(&s).be_alloc);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), -XEN_EINVAL);
	CHECK_EQ_INT(stats().allocs_total, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* The daemon's --be-alloc policy over what the toolstack asks. */
static bool be_alloc_under(const char *policy, const char *domain_name)
{
	struct sim_opts o = {.outputs = 1, .be_alloc = true, .be_alloc_policy = policy};
	grant_ref_t dirs[MAX_DIRS];
	char path[64];
	bool on;
	struct sim s;

	fx_reset();
	fx_zcopy_present(true, false, false);
	if (domain_name) {
		snprintf(path, sizeof(path), "/local/domain/%u/name", SIM_FE_DOMID);
		fx_xs_write(0, path, domain_name);
	}
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	on = sim_devinfo(&s).be_alloc;
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), on ? 0 : -XEN_EINVAL);
	CHECK_EQ_INT(stats().allocs_total, on ? 1 : 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
	return on;
}

TEST(zc_be_alloc_policy)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", SIM_FE_DOMID);
	CHECK(be_alloc_under(NULL, NULL));
	CHECK(be_alloc_under("toolstack", NULL));
	CHECK(!be_alloc_under("off", NULL));
	CHECK(be_alloc_under(id, NULL));
	CHECK(!be_alloc_under("999", NULL));
	CHECK(be_alloc_under("999,desktop", "desktop"));
	CHECK(!be_alloc_under("999,desktop", "desktop2"));
	CHECK(!be_alloc_under("desktop", NULL)); /* no name node: ids only */
}

/*
 * Grants the frontend still maps after DBUF_DESTROY stay granted: they
 * count against the device's be-alloc pages until it goes.
 */
TEST(zc_be_alloc_deferred_grants_count_against_the_limit)
{
	struct sim_opts o = {.outputs = 1,
			     .be_alloc = true,
			     .limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, 0, 8}};
	grant_ref_t dirs[MAX_DIRS], held;
	struct sim s;

	fx_zcopy_present(true, false, false);
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(be_alloc_req(&s, 1, 64, 64, be_dir(&s, 4, dirs)), 0); /* 4 pages */
	CHECK_EQ_INT(be_alloc_req(&s, 2, 64, 64, be_dir(&s, 4, dirs)), 0); /* 8: the limit */
	CHECK_EQ_INT(be_alloc_req(&s, 3, 16, 16, be_dir(&s, 1, dirs)), -XEN_ENOSPC);
	held = sim_dbuf(&s, 0).grefs[0];
	CHECK_EQ_INT(fx_gnt_peer_hold(0, held, true), 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, sim_dbuf(&s, 0).cookie), 0);
	/* 4 live + 1 deferred: 3 more pages fit, 4 do not. */
	CHECK_EQ_INT(be_alloc_req(&s, 4, 64, 64, be_dir(&s, 4, dirs)), -XEN_ENOSPC);
	CHECK_EQ_INT(be_alloc_req(&s, 5, 16, 48, be_dir(&s, 3, dirs)), 0);
	CHECK_EQ_INT(fx_gnt_peer_hold(0, held, false), 0);
	sim_remove_device(&s, true);
	check_nothing_left(&s, 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}
