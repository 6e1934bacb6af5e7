// SPDX-License-Identifier: GPL-2.0
/*
 * kms-mode.c: a display mode of exactly the size a guest asks for.
 *
 * The connector's own modes come first (a real monitor only takes those);
 * drivers that accept any timing (vkms, virtual outputs) get a mode computed
 * with VESA CVT's reduced-blanking formula (version 1) at 60 Hz.
 */
#include "kms-priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"

/* CVT reduced blanking v1 constants. */
#define RB_H_BLANK 160		 /* pixels */
#define RB_H_SYNC 32		 /* pixels */
#define RB_H_FRONT 48		 /* pixels */
#define RB_V_FRONT 3		 /* lines */
#define RB_MIN_V_BACK 6		 /* lines */
#define RB_MIN_V_BLANK_NS 460000 /* 460 us */
#define CVT_CLOCK_STEP_KHZ 250

/* CVT codes the aspect ratio in the vertical sync width. */
static uint32_t cvt_vsync_lines(uint32_t w, uint32_t h)
{
	uint64_t w3 = (uint64_t)w * 3, w4 = (uint64_t)w * 4, w9 = (uint64_t)w * 9;
	uint64_t w10 = (uint64_t)w * 10;

	if (w3 == (uint64_t)h * 4)
		return 4; /* 4:3 */
	if (w9 == (uint64_t)h * 16)
		return 5; /* 16:9 */
	if (w10 == (uint64_t)h * 16)
		return 6; /* 16:10 */
	if (w4 == (uint64_t)h * 5 || w9 == (uint64_t)h * 15)
		return 7; /* 5:4, 15:9 */
	return 10;	  /* any other aspect ratio */
}

int kms_mode_cvt_rb(uint32_t width, uint32_t height, uint32_t hz, drmModeModeInfo *mode)
{
	uint64_t frame_ns, line_ns, clock_khz;
	uint32_t vsync, vblank, min_vblank, htotal, vtotal;

	if (!width || !height || !hz || hz > 1000)
		return -EINVAL;
	frame_ns = 1000000000ull / hz;
	if (frame_ns <= RB_MIN_V_BLANK_NS)
		return -ERANGE;
	vsync = cvt_vsync_lines(width, height);
	/*
	 * Estimate the line period from the frame time left after the minimum
	 * vertical blank, then make the blank that many whole lines (rounded
	 * up), but never shorter than front porch + sync + minimum back porch.
	 */
	line_ns = (frame_ns - RB_MIN_V_BLANK_NS) / height;
	if (!line_ns)
		return -ERANGE;
	vblank = (uint32_t)(RB_MIN_V_BLANK_NS / line_ns) + 1;
	min_vblank = RB_V_FRONT + vsync + RB_MIN_V_BACK;
	if (vblank < min_vblank)
		vblank = min_vblank;
	htotal = width + RB_H_BLANK;
	vtotal = height + vblank;
	/* drmModeModeInfo has 16-bit timings. */
	if (htotal > UINT16_MAX || vtotal > UINT16_MAX)
		return -ERANGE;
	/*
	 * Pixel clock, rounded down to CVT's 0.25 MHz step unless that costs
	 * tiny modes more than 1/60 of their refresh rate.
	 */
	clock_khz = (uint64_t)htotal * vtotal * hz / 1000;
	if ((clock_khz - clock_khz % CVT_CLOCK_STEP_KHZ) * 60 >= clock_khz * 59)
		clock_khz -= clock_khz % CVT_CLOCK_STEP_KHZ;
	if (!clock_khz || clock_khz > INT32_MAX)
		return -ERANGE;

	memset(mode, 0, sizeof(*mode));
	mode->clock = (uint32_t)clock_khz;
	mode->hdisplay = (uint16_t)width;
	mode->hsync_start = (uint16_t)(width + RB_H_FRONT);
	mode->hsync_end = (uint16_t)(width + RB_H_FRONT + RB_H_SYNC);
	mode->htotal = (uint16_t)htotal;
	mode->vdisplay = (uint16_t)height;
	mode->vsync_start = (uint16_t)(height + RB_V_FRONT);
	mode->vsync_end = (uint16_t)(height + RB_V_FRONT + vsync);
	mode->vtotal = (uint16_t)vtotal;
	mode->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	mode->type = DRM_MODE_TYPE_USERDEF;
	mode->vrefresh = (uint32_t)((clock_khz * 1000 + (uint64_t)htotal * vtotal / 2) /
				    ((uint64_t)htotal * vtotal));
	snprintf(mode->name, sizeof(mode->name), "%ux%u", width, height);
	return 0;
}

int kms_mode_pick(const drmModeConnector *conn, uint32_t width, uint32_t height,
		  drmModeModeInfo *mode, bool *generated)
{
	const drmModeModeInfo *best = NULL;
	uint32_t want_hz = 60;

	for (int i = 0; conn && i < conn->count_modes; i++)
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			want_hz = conn->modes[i].vrefresh;
			break;
		}
	/* Same size, progressive; the refresh closest to the preferred one. */
	for (int i = 0; conn && i < conn->count_modes; i++) {
		const drmModeModeInfo *m = &conn->modes[i];
		uint32_t d, best_d;

		if (m->hdisplay != width || m->vdisplay != height ||
		    (m->flags & (DRM_MODE_FLAG_INTERLACE | DRM_MODE_FLAG_DBLSCAN)))
			continue;
		if (!best) {
			best = m;
			continue;
		}
		d = m->vrefresh > want_hz ? m->vrefresh - want_hz : want_hz - m->vrefresh;
		best_d = best->vrefresh > want_hz ? best->vrefresh - want_hz
						  : want_hz - best->vrefresh;
		if (d < best_d)
			best = m;
	}
	if (best) {
		*mode = *best;
		*generated = false;
		return 0;
	}
	*generated = true;
	return kms_mode_cvt_rb(width, height, 60, mode);
}

/* ---- modesets: the mode and its blob ----------------------------------------- */

bool kms_size_ok(struct zd_output *o, uint32_t width, uint32_t height)
{
	const struct kms_dev *k = o->dev;

	if (width && height && width >= k->min_w && width <= k->max_w && height >= k->min_h &&
	    height <= k->max_h)
		return true;
	kms_warn_rl(o, "%s: mode %ux%u outside %ux%u..%ux%u", o->name, width, height, k->min_w,
		    k->min_h, k->max_w, k->max_h);
	return false;
}

/*
 * Wait for the flip in flight, pick the mode and make its blob (a new one
 * only when the mode changes). Undo with kms_mode_abort, or kms_mode_install once
 * the modeset is on the screen.
 */
int kms_mode_prepare(struct zd_output *o, uint32_t width, uint32_t height,
		     struct kms_mode_change *m)
{
	struct kms_dev *k = o->dev;
	drmModeConnector *conn;
	int r;

	r = kms_wait_flip(o, KMS_FLIP_WAIT_MS);
	if (r) {
		zd_err(o->prefix, "%s: the flip in flight did not complete: %s", o->name,
		       strerror(-r));
		return r;
	}
	errno = 0;
	conn = drmModeGetConnectorCurrent(k->fd, o->conn_id);
	if (!conn) {
		r = errno ? -errno : -ENOMEM;
		zd_err(o->prefix, "%s: connector: %s", o->name, strerror(-r));
		return r;
	}
	r = kms_mode_pick(conn, width, height, &m->mode, &m->generated);
	drmModeFreeConnector(conn);
	if (r) {
		kms_warn_rl(o, "%s: no mode for %ux%u: %s", o->name, width, height, strerror(-r));
		return r;
	}
	m->new_blob = !o->mode_blob || memcmp(&m->mode, &o->mode, sizeof(m->mode));
	m->blob = o->mode_blob;
	if (m->new_blob) {
		r = drmModeCreatePropertyBlob(k->fd, &m->mode, sizeof(m->mode), &m->blob);
		if (r) {
			zd_err(o->prefix, "%s: mode blob: %s", o->name, strerror(-r));
			return r;
		}
	}
	return 0;
}

void kms_mode_abort(struct zd_output *o, struct kms_mode_change *m)
{
	if (m->new_blob)
		drmModeDestroyPropertyBlob(o->dev->fd, m->blob);
}

/* The commit was blocking: nothing shows the old blob now. */
void kms_mode_install(struct zd_output *o, struct kms_mode_change *m, uint32_t x, uint32_t y)
{
	if (m->new_blob) {
		if (o->mode_blob)
			drmModeDestroyPropertyBlob(o->dev->fd, o->mode_blob);
		o->mode_blob = m->blob;
		o->mode = m->mode;
	}
	o->active = true;
	o->x = x;
	o->y = y;
}
