// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend_requests.c: every displif request the daemon core serves,
 * through a simulated frontend, with the exact status of success and of
 * each failure, and what reaches the (fake) display and the event ring.
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
static const char *const two_conns[] = {"640x480", "800x600"};

static grant_ref_t grefs[SIM_MAX_PAGES];

static void up(struct sim *s, unsigned int nconns, const char *const *res, unsigned int outputs)
{
	CHECK_EQ_INT(sim_start(s, nconns, res, outputs), 0);
	CHECK_EQ_INT(sim_fe_connect(s), 0);
}

/* DBUF_CREATE with every field given. */
static int32_t dbuf_req(struct sim *s, unsigned int ci, uint64_t cookie, uint32_t w, uint32_t h,
			uint32_t bpp, uint32_t size, uint32_t data_ofs, uint32_t flags,
			grant_ref_t dir)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};

	req.op.dbuf_create.dbuf_cookie = cookie;
	req.op.dbuf_create.width = w;
	req.op.dbuf_create.height = h;
	req.op.dbuf_create.bpp = bpp;
	req.op.dbuf_create.buffer_sz = size;
	req.op.dbuf_create.data_ofs = data_ofs;
	req.op.dbuf_create.flags = flags;
	req.op.dbuf_create.gref_directory = dir;
	return sim_request(s, ci, &req, NULL);
}

/* A well-formed buffer of size bytes with fresh pages, checked on its own. */
static int32_t dbuf_sized(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			  uint32_t size, uint32_t data_ofs)
{
	return dbuf_req(s, 0, cookie, w, h, bpp, size, data_ofs, 0, sim_buffer(s, size, grefs));
}

static int32_t set_config_at(struct sim *s, unsigned int ci, uint64_t fb, uint32_t x, uint32_t y,
			     uint32_t w, uint32_t h, uint32_t bpp)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_SET_CONFIG};

	req.op.set_config.fb_cookie = fb;
	req.op.set_config.x = x;
	req.op.set_config.y = y;
	req.op.set_config.width = w;
	req.op.set_config.height = h;
	req.op.set_config.bpp = bpp;
	return sim_request(s, ci, &req, NULL);
}

static unsigned int count_events(struct sim *s, unsigned int ci)
{
	struct xendispl_evt evt;
	unsigned int n = 0;

	while (sim_event(s, ci, &evt))
		n++;
	return n;
}

/* Pop one event and check it is the flip of fb. */
static void expect_flip_event(struct sim *s, unsigned int ci, uint64_t fb)
{
	struct xendispl_evt evt;

	CHECK(sim_event(s, ci, &evt));
	CHECK_EQ_INT(evt.type, XENDISPL_EVT_PG_FLIP);
	CHECK_EQ_INT(evt.op.pg_flip.fb_cookie, fb);
}

/* Byte address of buffer byte ofs, through the frontend's view of its pages. */
static uint8_t *buf_byte(struct sim *s, uint32_t ofs)
{
	return (uint8_t *)sim_page(s, grefs[ofs / ZD_PAGE_SIZE]) + ofs % ZD_PAGE_SIZE;
}

/* ---- DBUF_CREATE ---- */

TEST(req_dbuf_create_multi_page_directory)
{
	static const char *const tall[] = {"1024x1100"};
	struct fake_output_state *o;
	uint32_t w = 1024, h = 1100; /* 1100 pages: a directory of two pages */
	struct sim s;

	up(&s, 1, tall, 1);
	CHECK_EQ_INT(zd_dir_pages(zd_data_pages(w * h * 4)), 2);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, w, h, 32, grefs), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 1100);
	/* Row y is page y: its first pixel says which page the backend read. */
	for (uint32_t y = 0; y < h; y++)
		*(uint32_t *)sim_page(&s, grefs[y]) = 0x1000000u + y;
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, w, h, 32), 0);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(o->width, w);
	CHECK_EQ_INT(o->height, h);
	for (uint32_t y = 0; y < h; y++)
		CHECK_EQ_INT(((uint32_t *)o->frame)[y * w], 0x1000000u + y);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_dbuf_create_honours_data_ofs)
{
	struct fake_output_state *o;
	uint32_t w = 16, h = 16, ofs = 4000; /* the frame straddles two pages */
	uint32_t size = ofs + w * h * 4;
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(dbuf_sized(&s, 1, w, h, 32, size, ofs), 0);
	for (uint32_t i = 0; i < ofs; i++)
		*buf_byte(&s, i) = 0xee; /* what must not be shown */
	for (uint32_t i = 0; i < w * h; i++) {
		uint32_t px = 0xabc00000u + i;

		for (uint32_t b = 0; b < 4; b++)
			*buf_byte(&s, ofs + i * 4 + b) = (uint8_t)(px >> (8 * b));
	}
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, w, h, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, w, h, 32), 0);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(((uint32_t *)o->frame)[0], 0xabc00000u);
	for (uint32_t i = 0; i < w * h; i++)
		CHECK_EQ_INT(((uint32_t *)o->frame)[i], 0xabc00000u + i);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_dbuf_create_rejects_bad_fields)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(dbuf_sized(&s, 0, 8, 8, 32, 256, 0), -XEN_EINVAL);	     /* cookie 0 */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 0, 8, 32, 256, 0), -XEN_EINVAL);	     /* width 0 */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 0, 32, 256, 0), -XEN_EINVAL);	     /* height 0 */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8193, 1, 32, 32772, 0), -XEN_EINVAL); /* width > max */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 1, 8193, 32, 32772, 0), -XEN_EINVAL); /* height > max */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 24, 256, 0), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 8, 256, 0), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 0, 256, 0), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 0, 0, 0, 0), -XEN_EINVAL); /* buffer_sz 0 */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 32, 255, 0), -XEN_EINVAL);	     /* too small */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 32, 256, 1), -XEN_EINVAL);	     /* ofs pushes out */
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 256, 0, 2, sim_buffer(&s, 256, grefs)),
		     -XEN_EINVAL); /* unknown flag */
	/* Backend allocation asked of a frontend that did not negotiate it. */
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 256, 0, XENDISPL_DBUF_FLG_REQ_ALLOC,
			      sim_buffer(&s, 256, grefs)),
		     -XEN_EINVAL);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 32, 256, 0), 0);
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 32, 256, 0), -XEN_EEXIST);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 3);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* be-alloc needs a grant->dma-buf facility; none is present here. */
TEST(req_dbuf_create_be_alloc_needs_a_seam)
{
	struct sim_opts o = {.outputs = 1, .be_alloc = true};
	struct sim s;

	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK(sim_devinfo(&s).be_alloc);
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 256, 0, XENDISPL_DBUF_FLG_REQ_ALLOC, 0),
		     -XEN_EOPNOTSUPP);
	/* Frontend-allocated buffers still work. */
	CHECK_EQ_INT(dbuf_sized(&s, 1, 8, 8, 32, 256, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_dbuf_create_bad_directory)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 256, 0, 0, 0), -XEN_EINVAL);
	CHECK_EQ_INT(dbuf_req(&s, 0, 1, 8, 8, 32, 256, 0, 0, 5000), -XEN_EFAULT);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_ENOENT);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- DBUF_DESTROY ---- */

TEST(req_dbuf_destroy)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_ENOENT);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, NULL), 0); /* 4 pages */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 4);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_EBUSY);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 4);
	CHECK_EQ_INT(sim_fb_detach(&s, 2), 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_ENOENT);
	/* The cookie is free again. */
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- FB_ATTACH / FB_DETACH ---- */

TEST(req_fb_attach_formats_match_bpp)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 32, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 16, 8, 8, 16, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 1, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 2, 8, 8, DRM_FORMAT_ARGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 16, 3, 8, 8, DRM_FORMAT_RGB565), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 4, 8, 8, DRM_FORMAT_RGB565), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 16, 4, 8, 8, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 16, 4, 8, 8, DRM_FORMAT_ARGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 4, 8, 8, DRM_FORMAT_RGB888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 4, 8, 8, DRM_FORMAT_XBGR8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 32, 4, 8, 8, 0), -XEN_EINVAL);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_fb_attach_sizes)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 32, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 65, 32, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 33, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 0, 32, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 0, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 0xffffffffu, 0xffffffffu, DRM_FORMAT_XRGB8888),
		     -XEN_EINVAL);
	/* Smaller than its buffer is fine (and so is exactly its size). */
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 10, 7, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 64, 32, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_fb_attach_cookies)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 2, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 3, 10, 8, 8, DRM_FORMAT_XRGB8888), -XEN_ENOENT);
	CHECK_EQ_INT(sim_fb_attach(&s, 0, 10, 8, 8, DRM_FORMAT_XRGB8888), -XEN_ENOENT);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 0, 8, 8, DRM_FORMAT_XRGB8888), -XEN_EINVAL);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 10, 8, 8, DRM_FORMAT_XRGB8888), 0);
	/* fb cookies are unique per frontend, whatever the buffer. */
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 10, 8, 8, DRM_FORMAT_XRGB8888), -XEN_EEXIST);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 10, 8, 8, DRM_FORMAT_XRGB8888), -XEN_EEXIST);
	/* An fb cookie may equal a dbuf cookie: different name spaces. */
	CHECK_EQ_INT(sim_fb_attach(&s, 2, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 2, UINT64_MAX, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_fb_detach)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_fb_detach(&s, 5), -XEN_ENOENT);
	CHECK_EQ_INT(sim_fb_detach(&s, 0), -XEN_ENOENT);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 5, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 6, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_detach(&s, 5), 0);
	CHECK_EQ_INT(sim_fb_detach(&s, 5), -XEN_ENOENT);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_EBUSY); /* fb 6 still there */
	CHECK_EQ_INT(sim_fb_detach(&s, 6), 0);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- SET_CONFIG ---- */

TEST(req_set_config_and_reset)
{
	struct fake_output_state *o;
	struct sim s;

	up(&s, 1, one_vga, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 320, 200, 32, grefs), 0);
	*(uint32_t *)sim_page(&s, grefs[0]) = 0x00c0ffee;
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 320, 200, DRM_FORMAT_XRGB8888), 0);
	CHECK(!o->enabled);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 10, 20, 320, 200, 32), 0);
	CHECK(o->enabled);
	CHECK_EQ_INT(o->mode_w, 640);
	CHECK_EQ_INT(o->mode_h, 480);
	CHECK_EQ_INT(o->x, 10);
	CHECK_EQ_INT(o->y, 20);
	CHECK_EQ_INT(o->width, 320);
	CHECK_EQ_INT(((uint32_t *)o->frame)[0], 0x00c0ffee);
	CHECK(sim_conn(&s, 0).configured);

	/* All zeros: reset. The display goes off and flips are refused. */
	CHECK_EQ_INT(set_config_at(&s, 0, 0, 0, 0, 0, 0, 0), 0);
	CHECK(!o->enabled);
	CHECK(!sim_conn(&s, 0).configured);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), -XEN_EINVAL);
	/* Cookie 0 with anything else set is no reset but an unknown fb. */
	CHECK_EQ_INT(set_config_at(&s, 0, 0, 0, 0, 0, 0, 32), -XEN_ENOENT);
	/* And back on. */
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 320, 200, 32), 0);
	CHECK(o->enabled);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_set_config_rejects_bad_rectangles)
{
	struct fake_output_state *o;
	struct sim s;

	up(&s, 1, one_vga, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 640, 480, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 640, 480, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 3, 100, 100, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(set_config_at(&s, 0, 9, 0, 0, 640, 480, 32), -XEN_ENOENT);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 1, 0, 640, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 1, 640, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 641, 0, 0, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0xffffffffu, 0, 2, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 2, 0, 0xffffffffu, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0xffffffffu, 640, 2, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 2, 640, 0xffffffffu, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 0, 480, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 640, 0, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 3, 0, 0, 101, 100, 32), -XEN_EINVAL); /* > fb */
	CHECK_EQ_INT(set_config_at(&s, 0, 3, 0, 0, 100, 101, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 640, 480, 16), -XEN_EINVAL); /* bpp */
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 640, 480, 24), -XEN_EINVAL);
	CHECK(!o->enabled);
	/* The edges themselves are inside. */
	CHECK_EQ_INT(set_config_at(&s, 0, 3, 540, 380, 100, 100, 32), 0);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 640, 480, 32), 0);
	CHECK(o->enabled);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_set_config_16bpp)
{
	struct fake_output_state *o;
	struct sim s;

	up(&s, 1, one_vga, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 16, grefs), 0);
	*(uint16_t *)sim_page(&s, grefs[0]) = 0xf800;
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_RGB565), 0);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 64, 64, 32), -XEN_EINVAL);
	CHECK_EQ_INT(set_config_at(&s, 0, 2, 0, 0, 64, 64, 16), 0);
	CHECK_EQ_INT(o->fourcc, DRM_FORMAT_RGB565);
	CHECK_EQ_INT(((uint16_t *)o->frame)[0], 0xf800);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- PG_FLIP ---- */

/* Connected, one 64x64 buffer with fbs 0x10 and 0x11 (and 0x12), configured. */
static void flip_setup(struct sim *s, unsigned int outputs)
{
	up(s, 1, one_vga, outputs);
	CHECK_EQ_INT(sim_dbuf_create(s, 1, 64, 64, 32, grefs), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 0x10, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 0x11, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 0x12, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(s, 0, 0x10, 64, 64, 32), 0);
}

TEST(req_pg_flip_unconfigured_and_unknown)
{
	struct sim s;

	up(&s, 1, one_vga, 1);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), -XEN_EINVAL); /* not configured */
	CHECK_EQ_INT(sim_page_flip(&s, 0, 3), -XEN_ENOENT);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0), -XEN_ENOENT);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 8, 8, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 3), -XEN_ENOENT);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_event_only_after_display_completion)
{
	struct fake_output_state *o;
	struct sim s;

	flip_setup(&s, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0);
	CHECK(o->flip_pending);
	CHECK_EQ_INT(o->token, 0x11);
	sim_pump(&s);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x11);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_conn(&s, 0).flips, 1);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_queued_behind_busy_flip)
{
	struct fake_output_state *o;
	struct sim s;

	flip_setup(&s, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x12), 0); /* waits, answered at once */
	CHECK_EQ_INT(o->flips_started, 1);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x11);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	/* The queued flip went to the display as soon as it was free. */
	CHECK_EQ_INT(o->flips_started, 2);
	CHECK(o->flip_pending);
	CHECK_EQ_INT(o->token, 0x12);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x12);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_superseded_flip_still_gets_its_event)
{
	struct fake_output_state *o;
	struct sim s;

	flip_setup(&s, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0); /* on its way */
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x12), 0); /* queued */
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x10), 0); /* replaces 0x12 */
	expect_flip_event(&s, 0, 0x12);		     /* never shown, but answered */
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x11);
	CHECK_EQ_INT(o->token, 0x10);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x10);
	CHECK_EQ_INT(o->flips_started, 2);
	CHECK_EQ_INT(sim_conn(&s, 0).flips, 3);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_queued_fb_detached_meanwhile)
{
	struct fake_output_state *o;
	struct sim s;

	flip_setup(&s, 1);
	o = fake_display_output(s.display, 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x12), 0);
	CHECK_EQ_INT(sim_fb_detach(&s, 0x12), 0);
	CHECK(fake_display_complete_flip(s.display, 0));
	expect_flip_event(&s, 0, 0x11);
	expect_flip_event(&s, 0, 0x12); /* answered without showing it */
	CHECK_EQ_INT(o->flips_started, 1);
	CHECK(!o->flip_pending);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_headless_completes_at_once)
{
	struct sim s;

	flip_setup(&s, 0);
	CHECK_STR_EQ(sim_conn(&s, 0).output, "none");
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x11), 0);
	expect_flip_event(&s, 0, 0x11);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x12), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 0x10), 0);
	expect_flip_event(&s, 0, 0x12);
	expect_flip_event(&s, 0, 0x10);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_connector_without_output_is_headless)
{
	struct sim s;

	/* Two connectors, one output: connector 1 runs headless. */
	up(&s, 2, two_conns, 1);
	CHECK(strcmp(sim_conn(&s, 0).output, "none"));
	CHECK_STR_EQ(sim_conn(&s, 1).output, "none");
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 1, 2, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 1, 2), 0);
	expect_flip_event(&s, 1, 2);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_pg_flip_events_go_to_the_flipping_connector)
{
	struct sim s;

	up(&s, 2, two_conns, 2);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	/* fbs are the device's: connector 1 uses one attached on connector 0. */
	CHECK_EQ_INT(sim_set_config(&s, 1, 2, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&s, 0, 2), -XEN_EINVAL); /* connector 0 is off */
	CHECK_EQ_INT(sim_page_flip(&s, 1, 2), 0);
	CHECK(fake_display_complete_flip(s.display, 1));
	sim_pump(&s);
	expect_flip_event(&s, 1, 2);
	CHECK_EQ_INT(count_events(&s, 0), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- GET_EDID ---- */

static int32_t get_edid(struct sim *s, unsigned int ci, uint32_t size, grant_ref_t dir,
			uint32_t *edid_sz)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_GET_EDID};
	struct xendispl_resp resp;
	int32_t st;

	req.op.get_edid.buffer_sz = size;
	req.op.get_edid.gref_directory = dir;
	memset(&resp, 0x55, sizeof(resp));
	st = sim_request(s, ci, &req, &resp);
	if (edid_sz)
		*edid_sz = resp.op.get_edid.edid_sz;
	return st;
}

static void check_edid(const uint8_t *e, uint32_t w, uint32_t h)
{
	static const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	unsigned int sum = 0;

	CHECK(!memcmp(e, header, sizeof(header)));
	for (unsigned int i = 0; i < 128; i++)
		sum += e[i];
	CHECK_EQ_INT(sum % 256, 0);
	/* The preferred timing (first descriptor) is the connector's resolution. */
	CHECK_EQ_INT(e[56] | (e[58] >> 4) << 8, w);
	CHECK_EQ_INT(e[59] | (e[61] >> 4) << 8, h);
}

TEST(req_get_edid_writes_a_valid_edid)
{
	uint32_t sz = 0;
	struct sim s;
	grant_ref_t dir;

	up(&s, 2, two_conns, 2);
	dir = sim_buffer(&s, XENDISPL_EDID_MAX_SIZE, grefs);
	CHECK_EQ_INT(get_edid(&s, 0, XENDISPL_EDID_MAX_SIZE, dir, &sz), 0);
	CHECK_EQ_INT(sz, 128);
	check_edid(sim_page(&s, grefs[0]), 640, 480);
	CHECK_EQ_INT(((uint8_t *)sim_page(&s, grefs[0]))[128], 0); /* no more than 128 */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4);
	/* Each connector describes itself. */
	CHECK_EQ_INT(get_edid(&s, 1, XENDISPL_EDID_MAX_SIZE, dir, &sz), 0);
	check_edid(sim_page(&s, grefs[0]), 800, 600);
	/* The smallest buffer that holds one block is enough for us. */
	dir = sim_buffer(&s, 128, grefs);
	CHECK_EQ_INT(get_edid(&s, 0, 128, dir, &sz), 0);
	check_edid(sim_page(&s, grefs[0]), 640, 480);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_get_edid_failures)
{
	uint32_t sz = 0;
	struct sim s;
	grant_ref_t dir;

	up(&s, 1, one_vga, 1);
	dir = sim_buffer(&s, XENDISPL_EDID_MAX_SIZE + ZD_PAGE_SIZE, grefs);
	CHECK_EQ_INT(get_edid(&s, 0, 127, dir, &sz), -XEN_EINVAL);
	CHECK_EQ_INT(get_edid(&s, 0, 0, dir, &sz), -XEN_EINVAL);
	CHECK_EQ_INT(get_edid(&s, 0, XENDISPL_EDID_MAX_SIZE + 1, dir, &sz), -XEN_EINVAL);
	CHECK_EQ_INT(get_edid(&s, 0, 0xffffffffu, dir, &sz), -XEN_EINVAL);
	CHECK_EQ_INT(get_edid(&s, 0, 4096, 0, &sz), -XEN_EINVAL);    /* no directory */
	CHECK_EQ_INT(get_edid(&s, 0, 4096, 5000, &sz), -XEN_EFAULT); /* unmappable */
	/* A directory that goes on past the one page the size needs. */
	dir = sim_buffer(&s, 4096, grefs);
	((grant_ref_t *)sim_page(&s, dir))[0] = dir;
	CHECK_EQ_INT(get_edid(&s, 0, 4096, dir, &sz), -XEN_EINVAL);
	CHECK_EQ_INT(((uint8_t *)sim_page(&s, grefs[0]))[1], 0);
	/* Read-only pages: we must write the EDID, so this is the frontend's fault. */
	dir = sim_buffer_ro(&s, 4096, grefs);
	CHECK_EQ_INT(get_edid(&s, 0, 4096, dir, &sz), -XEN_EFAULT);
	CHECK_EQ_INT(((uint8_t *)sim_page(&s, grefs[0]))[1], 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_get_edid_gref_0_in_directory)
{
	struct sim s;
	grant_ref_t dir;

	up(&s, 1, one_vga, 1);
	dir = sim_buffer(&s, 2 * ZD_PAGE_SIZE, grefs);
	((grant_ref_t *)sim_page(&s, dir))[2] = 0; /* second data gref */
	CHECK_EQ_INT(get_edid(&s, 0, 2 * ZD_PAGE_SIZE, dir, NULL), -XEN_EINVAL);
	CHECK_EQ_INT(((uint8_t *)sim_page(&s, grefs[0]))[1], 0); /* nothing written */
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_get_edid_not_in_protocol_v1)
{
	struct sim s;
	struct sim_opts o = {.outputs = 1, .fe_version = "1"};

	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_devinfo(&s).version, 1);
	CHECK_EQ_INT(get_edid(&s, 0, XENDISPL_EDID_MAX_SIZE,
			      sim_buffer(&s, XENDISPL_EDID_MAX_SIZE, grefs), NULL),
		     -XEN_EOPNOTSUPP);
	CHECK_EQ_INT(((uint8_t *)sim_page(&s, grefs[0]))[1], 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Ring discipline ---- */

TEST(req_buffer_ops_on_connector_1_are_refused)
{
	struct xendispl_req req;
	unsigned long maps;
	struct sim s;

	up(&s, 2, two_conns, 2);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	maps = fx_calls(FX_GNT_MAP);
	CHECK_EQ_INT(dbuf_req(&s, 1, 3, 8, 8, 32, 256, 0, 0, sim_buffer(&s, 256, grefs)),
		     -XEN_EINVAL);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), maps); /* refused before looking further */

	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_FB_ATTACH;
	req.op.fb_attach.dbuf_cookie = 1;
	req.op.fb_attach.fb_cookie = 4;
	req.op.fb_attach.width = 8;
	req.op.fb_attach.height = 8;
	req.op.fb_attach.pixel_format = DRM_FORMAT_XRGB8888;
	CHECK_EQ_INT(sim_request(&s, 1, &req, NULL), -XEN_EINVAL);
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_FB_DETACH;
	req.op.fb_detach.fb_cookie = 2;
	CHECK_EQ_INT(sim_request(&s, 1, &req, NULL), -XEN_EINVAL);
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_DBUF_DESTROY;
	req.op.dbuf_destroy.dbuf_cookie = 1;
	CHECK_EQ_INT(sim_request(&s, 1, &req, NULL), -XEN_EINVAL);
	/* Nothing of that happened: fb 2 and dbuf 1 are still there. */
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), -XEN_EEXIST);
	CHECK_EQ_INT(sim_dbuf_destroy(&s, 1), -XEN_EBUSY);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 4, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_unknown_operations)
{
	static const uint8_t ops[] = {0x00, 0x01, 0x0f, 0x17, 0x80, 0xff};
	struct xendispl_req req;
	struct sim s;

	up(&s, 2, two_conns, 2);
	for (unsigned int i = 0; i < sizeof(ops); i++) {
		for (unsigned int ci = 0; ci < 2; ci++) {
			memset(&req, 0xa5, sizeof(req)); /* junk in every other field */
			req.operation = ops[i];
			CHECK_EQ_INT(sim_request(&s, ci, &req, NULL), -XEN_EOPNOTSUPP);
		}
	}
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(req_response_echoes_id_and_operation)
{
	/* Ids are the frontend's: any value, repeated or not, comes back. */
	static const uint16_t ids[] = {0xffff, 0, 0xffff, 0x1234};
	struct xendispl_req req;
	struct xendispl_resp resp;
	struct sim s;

	up(&s, 1, one_vga, 1);
	for (unsigned int i = 0; i < 4; i++) {
		memset(&req, 0, sizeof(req));
		req.id = ids[i];
		req.operation = i & 1 ? XENDISPL_OP_PG_FLIP : 0x42;
		sim_push(&s, 0, &req);
	}
	sim_kick(&s, 0);
	for (unsigned int i = 0; i < 4; i++) {
		CHECK(sim_response(&s, 0, &resp));
		CHECK_EQ_INT(resp.id, ids[i]);
		CHECK_EQ_INT(resp.operation, i & 1 ? XENDISPL_OP_PG_FLIP : 0x42);
		CHECK_EQ_INT(resp.status, i & 1 ? -XEN_ENOENT : -XEN_EOPNOTSUPP);
	}
	CHECK(!sim_response(&s, 0, &resp));
	CHECK_EQ_INT(sim_stop(&s), 0);
}
