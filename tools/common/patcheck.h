/* SPDX-License-Identifier: MIT */
/*
 * Compare a captured picture with the test pattern (pattern.h).
 *
 * Both sides are compared as 24-bit RGB. The captured pixels are what
 * zd_pixfmt_unpack() made of the scanned-out framebuffer; the expected ones
 * are the pattern's colours after a trip through the format the client drew
 * in (zd_pixfmt_quantise). Hence:
 *  - XRGB8888/ARGB8888: exact on all 24 colour bits; the X (or A) byte is
 *    not compared.
 *  - RGB565: exact on the 5/6/5 bits the client stored. The pattern's 8-bit
 *    channels are truncated to 5/6/5, and both sides are widened by bit
 *    replication; as that widening is one-to-one, equal 24-bit values mean
 *    equal 16-bit pixels.
 * A path that converts the client's format into another scanout format
 * compares equal only if it converts the same way (truncation to narrow,
 * bit replication to widen).
 */
#ifndef ZDISPL_PATCHECK_H
#define ZDISPL_PATCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "pixfmt.h"

struct zd_patcheck {
	uint64_t pixels;	       /* compared */
	uint64_t mismatches;	       /* pixels that differ */
	unsigned int first_x, first_y; /* first mismatch, row-major order */
	uint32_t got, expected;	       /* its colours, 0xRRGGBB */
};

/* rgb: packed R, G, B bytes, stride bytes per row, width x height; the
 * pattern is taken at that same size. */
void zd_patcheck_compare(const uint8_t *rgb, size_t stride, unsigned int width, unsigned int height,
			 uint32_t frame, const struct zd_pixfmt *drawn_fmt,
			 struct zd_patcheck *res);

#endif
