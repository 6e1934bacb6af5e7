/* SPDX-License-Identifier: GPL-2.0 */
/*
 * display.h: the KMS side. A display is every KMS device the daemon drives;
 * an output is one KMS connector with a CRTC and its primary plane, claimed
 * by one displif connector.
 *
 * The daemon's core only uses this interface; kms.c implements it with
 * libdrm (atomic modesetting), the unit tests link a fake instead.
 */
#ifndef ZD_DISPLAY_H
#define ZD_DISPLAY_H

#include <stdint.h>

#include "loop.h"

struct zd_display;
struct zd_output;

/* Called from the loop when a flip reached the screen. */
typedef void (*zd_flip_done_fn)(void *data, uint64_t token);

/* A frame in guest memory (copy path). */
struct zd_image {
	const uint8_t *pixels; /* first pixel (data_ofs applied) */
	uint32_t width, height, pitch, fourcc;
};

/* Open the given DRM devices (paths NULL: every KMS device found). */
int zd_display_open(struct zd_loop *loop, const char *const *paths, unsigned int npaths,
		    struct zd_display **out);
void zd_display_close(struct zd_display *d);

/*
 * Claim a free output: the KMS connector named name (e.g. "Virtual-1", or
 * "card1:Virtual-1"), or if name is NULL or matches none, the next free one
 * in order. -ENODEV when none is free.
 */
int zd_output_claim(struct zd_display *d, const char *name, const char *log_prefix,
		    zd_flip_done_fn fn, void *data, struct zd_output **out);
/* Disable and give back. */
void zd_output_release(struct zd_output *o);
const char *zd_output_name(const struct zd_output *o);

/*
 * Set the output's mode to width x height and show the (x, y, w, h) part of
 * the virtual screen from img (copied), black elsewhere. Synchronous.
 */
int zd_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			 uint32_t y, const struct zd_image *img, uint64_t *bytes_copied);
int zd_output_disable(struct zd_output *o);

/*
 * Show img at the configured place on the next vblank; fn(data, token) is
 * called once the display has flipped. -EBUSY while a flip is in flight.
 */
int zd_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
		   uint64_t *bytes_copied);

#endif /* ZD_DISPLAY_H */
