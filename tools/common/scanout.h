/* SPDX-License-Identifier: MIT */
/*
 * Reading what a CRTC scans out, without being DRM master: the CRTC's
 * framebuffer is looked up with GETFB2 (GETFB on old kernels), which hands
 * a root caller a GEM handle to it; MAP_DUMB + mmap then give its pixels.
 * That works while another process (a client, the zdispl backend) holds
 * DRM master, which writeback connectors would not allow.
 */
#ifndef ZDISPL_CAPTURE_SCANOUT_H
#define ZDISPL_CAPTURE_SCANOUT_H

#include <stddef.h>
#include <stdint.h>

#include "drmcard.h"
#include "pixfmt.h"

struct zd_scanout {
	char card[ZD_CARD_PATH_MAX];
	char connector[64]; /* "" when none was asked for or found */
	uint32_t crtc_id, fb_id;
	uint32_t x, y, width, height; /* the visible area within the framebuffer */
	uint32_t fb_width, fb_height, pitch;
	const struct zd_pixfmt *fmt;
	uint8_t *rgb; /* width x height packed R, G, B */
};

/*
 * Capture the visible area of the CRTC that drives `connector` (a name or an
 * index; NULL: the first CRTC that is on) on `card` (NULL: the first card
 * where it is found). Returns 0, or -1 after a message on stderr.
 */
int zd_scanout_capture(const char *card, const char *connector, struct zd_scanout *out);
void zd_scanout_free(struct zd_scanout *out);

#endif
