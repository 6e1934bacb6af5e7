// SPDX-License-Identifier: GPL-2.0
/*
 * test_wl.c: the Wayland output (back/daemon/wl) against the fake
 * compositor of fake_compositor.c: windows, flips paced by frame callbacks,
 * which dma-bufs it takes, a window the user closes, a compositor that goes
 * away. Weston in the lab (scenario wayland) is the real one.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/loop.h"
#include "core/display.h"
#include "fake_compositor.h"
#include "test.h"
#include "wl/wl.h"

#define W 64
#define H 48
#define XR24 0x34325258
#define AR24 0x34325241
#define RG16 0x36314752

static const struct zd_display_ops *ops = &zwl_display_ops;

struct rig {
	struct zd_loop *loop;
	struct zd_display *d;
	struct zd_output *o;
	unsigned int done;
	uint64_t token;
	uint64_t now_us; /* the loop's clock, once rig_fake_clock() */
	uint32_t px[W * H];
	struct zd_image img;
};

static void flip_done(void *data, uint64_t token)
{
	struct rig *r = data;

	r->done++;
	r->token = token;
}

static void rig_open(struct rig *r, bool dmabuf, bool fullscreen)
{
	memset(r, 0, sizeof(*r));
	r->img = (struct zd_image){(const uint8_t *)r->px, W, H, W * 4, XR24};
	CHECK_EQ_INT(fc_start(dmabuf), 0);
	CHECK_EQ_INT(zd_loop_new(&r->loop), 0);
	CHECK_EQ_INT(zwl_display_open(r->loop, fullscreen, &r->d), 0);
	CHECK_EQ_INT(ops->claim(r->d, "main", "dom1/vdispl/0/0", NULL, flip_done, r, &r->o), 0);
}

static uint64_t rig_now(void *data)
{
	return ((struct rig *)data)->now_us;
}

/* The loop's clock moves only when the test moves r->now_us. */
static void rig_fake_clock(struct rig *r)
{
	r->now_us = 1000000;
	zd_loop_set_clock(r->loop, rig_now, r);
}

static void rig_close(struct rig *r)
{
	ops->release(r->o);
	zwl_display_close(r->d);
	fc_stop();
	zd_loop_free(r->loop);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until r has seen want flips complete (at most 3 s). */
static bool until_done(struct rig *r, unsigned int want)
{
	uint64_t end = now_ms() + 3000;

	while (r->done < want && now_ms() < end)
		zd_loop_dispatch(r->loop, 50);
	return r->done >= want;
}

/* Run the loop until counter c reaches want (at most 3 s). */
static bool until_count(struct rig *r, enum fc_counter c, unsigned int want)
{
	uint64_t end = now_ms() + 3000;

	while (fc_count(c) != want && now_ms() < end)
		zd_loop_dispatch(r->loop, 50);
	return fc_count(c) == want;
}

static int dmabuf_fd(void)
{
	int fd = memfd_create("zd-test-dmabuf", MFD_CLOEXEC);

	CHECK(fd >= 0);
	CHECK_EQ_INT(ftruncate(fd, W * H * 4), 0);
	return fd;
}

TEST(wl_flips_complete_on_frame_callbacks)
{
	struct rig r;
	uint64_t copied = 0;

	rig_open(&r, true, false);
	CHECK(until_count(&r, FC_TOPLEVELS, 1));
	CHECK_EQ_INT(fc_count(FC_FULLSCREEN), 0);
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, &copied), 0);
	CHECK_EQ_INT(copied, W * H * 4);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 7, &copied), 0);
	/* One flip in flight at a time. */
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 8, NULL), -EBUSY);
	CHECK_EQ_INT(r.done, 0); /* never from inside an op */
	CHECK(until_done(&r, 1));
	CHECK_EQ_INT(r.token, 7);
	CHECK_EQ_INT(copied, 2 * W * H * 4);
	CHECK(until_count(&r, FC_COMMITS_WITH_BUFFER, 2));
	for (unsigned int i = 0; i < 10; i++) {
		CHECK_EQ_INT(ops->flip(r.o, &r.img, 100 + i, NULL), 0);
		CHECK(until_done(&r, 2 + i));
	}
	CHECK_EQ_INT(r.token, 109);
	rig_close(&r);
}

TEST(wl_fullscreen_windows_ask_for_it)
{
	struct rig r;

	rig_open(&r, true, true);
	CHECK(until_count(&r, FC_FULLSCREEN, 1));
	rig_close(&r);
}

TEST(wl_dmabufs_of_listed_formats_are_imported_and_shown)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *fb = NULL, *small = NULL, *bad = NULL;
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb), 0);
	CHECK_EQ_INT(fc_count(FC_DMABUF_CREATED), 1); /* answered before import returns */
	/* Linear, as the buffer is, though XR24 is listed implicit only. */
	CHECK_EQ_INT(fc_count(FC_DMABUF_LINEAR), 1);
	/* Formats it does not list, and layouts outside the buffer: refused. */
	l.fourcc = RG16;
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &bad), -EOPNOTSUPP);
	l.fourcc = XR24;
	l.pitch = W * 4 - 1;
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &bad), -EINVAL);
	l.pitch = W * 4;
	l.offset = 4096;
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &bad), -EINVAL);
	/* The compositor refusing it (the fake fails width 13): linear, then
	 * implicit, and neither is taken. */
	l = (struct zd_fb_layout){13, H, XR24, 0, W * 4, W * H * 4};
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &bad), -EINVAL);
	CHECK_EQ_INT(fc_count(FC_DMABUF_FAILED), 2);
	CHECK_NULL(bad);
	/* That said nothing of the modifier: the next is linear again. */
	l.width = W / 2;
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &small), 0);
	CHECK_EQ_INT(fc_count(FC_DMABUF_LINEAR), 2);
	close(fd); /* the compositor has its own */

	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, fb, W, H), 0);
	CHECK_EQ_INT(ops->flip_dmafb(r.o, fb, W, H, 5), 0);
	CHECK(until_done(&r, 1));
	CHECK_EQ_INT(r.token, 5);
	/* A buffer that covers part of the window only: copied instead. */
	CHECK_EQ_INT(ops->flip_dmafb(r.o, small, W / 2, H, 6), -EOPNOTSUPP);
	CHECK_EQ_INT(ops->dmafb_drop(small), false);
	/* Dropping the one shown turns the window black. */
	CHECK_EQ_INT(ops->dmafb_drop(fb), true);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 9, NULL), -EINVAL); /* off */
	rig_close(&r);
}

TEST(wl_dmabufs_go_implicit_where_the_compositor_refuses_unlisted_linear)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *a = NULL, *b = NULL, *c = NULL;
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	fc_refuse_unlisted(true);
	fd = dmabuf_fd();
	/* XR24: linear is refused, implicit is taken. */
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &a), 0);
	CHECK_EQ_INT(fc_count(FC_DMABUF_FAILED), 1);
	CHECK_EQ_INT(fc_count(FC_DMABUF_CREATED), 1);
	CHECK_EQ_INT(fc_count(FC_DMABUF_LINEAR), 0);
	/* From then on, XR24 goes implicit at once. */
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &b), 0);
	CHECK_EQ_INT(fc_count(FC_DMABUF_FAILED), 1);
	CHECK_EQ_INT(fc_count(FC_DMABUF_CREATED), 2);
	CHECK_EQ_INT(fc_count(FC_DMABUF_LINEAR), 0);
	/* AR24, listed linear: linear. */
	l.fourcc = AR24;
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &c), 0);
	CHECK_EQ_INT(fc_count(FC_DMABUF_LINEAR), 1);
	close(fd);
	ops->dmafb_drop(a);
	ops->dmafb_drop(b);
	ops->dmafb_drop(c);
	rig_close(&r);
}

/*
 * A flip is done when its frame callback came and the compositor gave back
 * the guest's buffer it replaced: the guest draws into that one next.
 */
TEST(wl_a_flip_waits_for_the_buffer_it_replaced)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *a = NULL, *b = NULL, *c = NULL, *e = NULL;
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	fc_set_hold(FC_RELEASE_WHEN_ASKED);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &a), 0);
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &b), 0);
	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, a, W, H), 0);
	CHECK_EQ_INT(ops->flip_dmafb(r.o, b, W, H, 1), 0);
	CHECK(until_count(&r, FC_FRAMES_DONE, 1));
	/* The import's roundtrip reads the frame callback; a is still held. */
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &c), 0);
	zd_loop_dispatch(r.loop, 0);
	CHECK_EQ_INT(r.done, 0);
	CHECK_EQ_INT(ops->flip_dmafb(r.o, a, W, H, 2), -EBUSY);
	fc_release_held();
	CHECK(until_done(&r, 1));
	CHECK_EQ_INT(r.token, 1);
	CHECK_EQ_INT(fc_count(FC_RELEASES), 1);
	/* The same buffer again: nothing to give back. */
	CHECK_EQ_INT(ops->flip_dmafb(r.o, b, W, H, 3), 0);
	CHECK(until_done(&r, 2));
	/* A copied frame replaces b: it waits for b as well. */
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 4, NULL), 0);
	CHECK(until_count(&r, FC_FRAMES_DONE, 3));
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &e), 0);
	zd_loop_dispatch(r.loop, 0);
	CHECK_EQ_INT(r.done, 2);
	fc_release_held();
	CHECK(until_done(&r, 3));
	CHECK_EQ_INT(r.token, 4);
	/* A buffer the guest drops while a flip waits for it: not waited for. */
	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, c, W, H), 0);
	CHECK_EQ_INT(ops->flip_dmafb(r.o, e, W, H, 5), 0);
	CHECK(until_count(&r, FC_FRAMES_DONE, 4));
	CHECK_EQ_INT(ops->dmafb_drop(c), false); /* not the one shown */
	CHECK(until_done(&r, 4));
	CHECK_EQ_INT(r.token, 5);
	close(fd);
	ops->dmafb_drop(a);
	ops->dmafb_drop(b);
	ops->dmafb_drop(e);
	rig_close(&r);
}

TEST(wl_flips_keep_pace_with_a_compositor_that_scans_buffers_out)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *fb[2] = {NULL, NULL};
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	fc_set_hold(FC_RELEASE_ON_REPLACE);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb[0]), 0);
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb[1]), 0);
	close(fd);
	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, fb[0], W, H), 0);
	for (unsigned int i = 0; i < 10; i++) {
		CHECK_EQ_INT(ops->flip_dmafb(r.o, fb[(i + 1) % 2], W, H, 10 + i), 0);
		CHECK(until_done(&r, i + 1));
		/* Each flip gave back the buffer it replaced, and only that one. */
		CHECK_EQ_INT(fc_count(FC_RELEASES), i + 1);
	}
	CHECK_EQ_INT(r.token, 19);
	ops->dmafb_drop(fb[0]);
	ops->dmafb_drop(fb[1]);
	rig_close(&r);
}

/* A window the compositor does not show: its flips complete after 1 s. */
TEST(wl_flips_the_compositor_never_shows_complete_after_a_second)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *a = NULL, *b = NULL, *c = NULL;
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	rig_fake_clock(&r);
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, NULL), 0);
	fc_withhold_frames(true);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 1, NULL), 0);
	CHECK(until_count(&r, FC_COMMITS_WITH_BUFFER, 2));
	r.now_us += 999000;
	zd_loop_dispatch(r.loop, 0);
	CHECK_EQ_INT(r.done, 0);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 2, NULL), -EBUSY);
	r.now_us += 1000;
	CHECK(until_done(&r, 1));
	CHECK_EQ_INT(r.token, 1);
	/* The next one again, timed from its own commit. */
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 2, NULL), 0);
	r.now_us += 999000;
	zd_loop_dispatch(r.loop, 0);
	CHECK_EQ_INT(r.done, 1);
	r.now_us += 1000;
	CHECK(until_done(&r, 2));
	/* Shown again: the compositor's pace, with no time passing. */
	fc_withhold_frames(false);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 3, NULL), 0);
	CHECK(until_done(&r, 3));
	/* A buffer the compositor never gives back: the same second. */
	fc_set_hold(FC_RELEASE_WHEN_ASKED);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &a), 0);
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &b), 0);
	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, a, W, H), 0);
	/* The three held back went with flip 3's commit; this one's is the 4th. */
	CHECK_EQ_INT(ops->flip_dmafb(r.o, b, W, H, 4), 0);
	CHECK(until_count(&r, FC_FRAMES_DONE, 4));
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &c), 0); /* its roundtrip reads it */
	close(fd);
	r.now_us += 999000;
	zd_loop_dispatch(r.loop, 0);
	CHECK_EQ_INT(r.done, 3);
	r.now_us += 1000;
	CHECK(until_done(&r, 4));
	CHECK_EQ_INT(r.token, 4);
	ops->dmafb_drop(a);
	ops->dmafb_drop(b);
	ops->dmafb_drop(c);
	rig_close(&r);
}

TEST(wl_no_linux_dmabuf_means_copies)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *fb = NULL;
	struct zd_dumb *dumb = NULL;
	struct rig r;
	int fd;

	rig_open(&r, false, false);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb), -EOPNOTSUPP);
	CHECK_EQ_INT(ops->dumb_create(r.o, 300, &dumb), -EOPNOTSUPP);
	close(fd);
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, NULL), 0);
	CHECK(until_count(&r, FC_SHM_BUFFERS, 1));
	rig_close(&r);
}

TEST(wl_closed_window_runs_headless_until_the_next_mode_set)
{
	struct rig r;
	unsigned int commits;

	rig_open(&r, true, false);
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, NULL), 0);
	CHECK(until_count(&r, FC_COMMITS_WITH_BUFFER, 1));
	fc_close_window();
	CHECK(until_count(&r, FC_TOPLEVELS_LIVE, 0)); /* we destroyed it */
	commits = fc_count(FC_COMMITS_WITH_BUFFER);
	/* Headless: flips complete from the loop, nothing reaches the compositor. */
	for (unsigned int i = 0; i < 5; i++) {
		CHECK_EQ_INT(ops->flip(r.o, &r.img, 20 + i, NULL), 0);
		CHECK_EQ_INT(r.done, i);
		CHECK(until_done(&r, i + 1));
	}
	CHECK_EQ_INT(fc_count(FC_COMMITS_WITH_BUFFER), commits);
	/* The guest's next mode set opens a new window. */
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, NULL), 0);
	CHECK(until_count(&r, FC_TOPLEVELS, 2));
	CHECK(until_count(&r, FC_COMMITS_WITH_BUFFER, commits + 1));
	rig_close(&r);
}

TEST(wl_a_protocol_error_leaves_flips_completing)
{
	struct zd_fb_layout l = {W, H, XR24, 0, W * 4, W * H * 4};
	struct zd_dmafb *fb[2] = {NULL, NULL}, *late = NULL;
	struct rig r;
	int fd;

	rig_open(&r, true, false);
	fc_set_hold(FC_RELEASE_ON_REPLACE);
	fd = dmabuf_fd();
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb[0]), 0);
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &fb[1]), 0);
	CHECK_EQ_INT(ops->set_config_dmafb(r.o, W, H, 0, 0, fb[0], W, H), 0);
	CHECK_EQ_INT(ops->flip_dmafb(r.o, fb[1], W, H, 1), 0);
	CHECK(until_done(&r, 1));
	fc_post_error();
	/* Whether a read or a write meets the hang-up first, flips go on. */
	for (unsigned int i = 0; i < 6; i++) {
		CHECK_EQ_INT(ops->flip_dmafb(r.o, fb[i % 2], W, H, 2 + i), 0);
		CHECK(until_done(&r, 2 + i));
	}
	CHECK_EQ_INT(r.token, 7);
	/* Nothing more goes to the compositor: the next buffer is copied. */
	CHECK_EQ_INT(ops->import(r.o, fd, &l, &late), -EOPNOTSUPP);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 8, NULL), 0);
	CHECK(until_done(&r, 8));
	close(fd);
	ops->dmafb_drop(fb[0]);
	ops->dmafb_drop(fb[1]);
	rig_close(&r);
}

TEST(wl_lost_compositor_leaves_flips_completing)
{
	struct rig r;

	rig_open(&r, true, false);
	CHECK_EQ_INT(ops->set_config(r.o, W, H, 0, 0, &r.img, NULL), 0);
	CHECK_EQ_INT(ops->flip(r.o, &r.img, 1, NULL), 0);
	CHECK(until_done(&r, 1));
	fc_stop();
	/* The hang-up is seen on the next dispatch; then every flip completes. */
	for (unsigned int i = 0; i < 5; i++) {
		CHECK_EQ_INT(ops->flip(r.o, &r.img, 2 + i, NULL), 0);
		CHECK(until_done(&r, 2 + i));
	}
	CHECK_EQ_INT(r.token, 6);
	rig_close(&r);
}
