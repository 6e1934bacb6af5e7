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

/*
 * Called from the loop (never from inside a zd_* call) when a flip reached
 * the screen, once per successful zd_output_flip(). It may flip again or
 * release the output, but must not close the display. Never called after
 * zd_output_release().
 */
typedef void (*zd_flip_done_fn)(void *data, uint64_t token);

/* A frame in guest memory (copy path). */
struct zd_image {
	const uint8_t *pixels; /* first pixel (data_ofs applied) */
	uint32_t width, height, pitch, fourcc;
};

/*
 * Open the given DRM devices (paths NULL or npaths 0: every /dev/dri/cardN
 * that is an atomic KMS device with connectors), become DRM master on each
 * and poll them from loop. Every connector is an output, named as the
 * kernel names it ("Virtual-1", "HDMI-A-1"); with several devices
 * zd_output_name() says "cardN:Virtual-1". Errors: -ENODEV no usable
 * device; -EOPNOTSUPP a given device has no atomic modesetting; -EBUSY or
 * -EACCES (from DRM_IOCTL_SET_MASTER) another process is DRM master; open(2)'s
 * errors for a given path.
 */
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
/* Disable, free its scanout buffers and give back. Safe on NULL. */
void zd_output_release(struct zd_output *o);
const char *zd_output_name(const struct zd_output *o);

/*
 * Set the output's mode to width x height (the connector's mode of that
 * size, else a generated 60 Hz CVT-RB one) and show img copied with its
 * top-left pixel at (x, y), clipped to the mode, black elsewhere.
 * Synchronous: when it returns the picture is on the screen. A flip in
 * flight is waited for first (at most 1 s; its fn still comes, from the
 * loop). *bytes_copied (may be NULL) grows by the octets copied from img.
 * Errors: -EINVAL not claimed, size outside the device's limits, or a bad
 * image (unknown fourcc, pitch < width * cpp, no pixels); -EOPNOTSUPP the
 * plane cannot scan out the format (ARGB8888 falls back to XRGB8888);
 * -ERANGE no mode can describe the size; -ETIMEDOUT the flip in flight
 * never completed; otherwise the kernel's -errno from the modeset.
 */
int zd_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			 uint32_t y, const struct zd_image *img, uint64_t *bytes_copied);
/* CRTC and plane off; 0 if already off. -EINVAL if not claimed. */
int zd_output_disable(struct zd_output *o);

/*
 * Show img at the configured place on the next vblank; fn(data, token) is
 * called once the display has flipped. img is copied before this returns.
 * -EBUSY from a successful flip until its fn has been called; -EINVAL
 * when the output is not configured (or disabled) or img is bad;
 * -EOPNOTSUPP as for set_config. A flip in a new format recreates the
 * scanout buffers and blocks for one frame.
 */
int zd_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
		   uint64_t *bytes_copied);

#endif /* ZD_DISPLAY_H */
