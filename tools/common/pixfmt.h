/* SPDX-License-Identifier: MIT */
/*
 * Pixel formats shared by zdispl-pattern and zdispl-capture: the DRM fourccs
 * the lab's display path carries, their names on the command line, and the
 * conversion between them and 24-bit RGB.
 *
 * DRM formats are little-endian in memory whatever the CPU; pack/unpack work
 * byte by byte so the code means the same on any host.
 */
#ifndef ZDISPL_PIXFMT_H
#define ZDISPL_PIXFMT_H

#include <stddef.h>
#include <stdint.h>

struct zd_pixfmt {
	uint32_t fourcc;    /* DRM_FORMAT_* */
	const char *name;   /* the fourcc as text: "XR24" */
	unsigned int bpp;   /* bits per pixel of the single plane */
	unsigned int depth; /* colour depth, for legacy drmModeAddFB/GetFB */
};

/* The supported formats, or NULL. Names compare case-sensitively, the way
 * DRM spells fourccs (XR24, AR24, RG16). */
const struct zd_pixfmt *zd_pixfmt_by_name(const char *name);
const struct zd_pixfmt *zd_pixfmt_by_fourcc(uint32_t fourcc);
/* Guess from a legacy framebuffer's bpp/depth (drmModeGetFB has no fourcc). */
const struct zd_pixfmt *zd_pixfmt_by_bpp_depth(unsigned int bpp, unsigned int depth);
/* "XR24, AR24, RG16", for --help and error messages. */
const char *zd_pixfmt_list(void);

/* Store 0xRRGGBB as one pixel of fmt at dst. RGB565 keeps the top 5/6/5 bits
 * (truncation); the X/A byte of XRGB8888/ARGB8888 is written as 0xff, so an
 * XR24 buffer read as AR24 is still opaque. */
void zd_pixfmt_pack(const struct zd_pixfmt *fmt, uint32_t rgb, uint8_t *dst);

/* Read one pixel of fmt at src as 0xRRGGBB, ignoring X/A. RGB565 widens each
 * channel by bit replication (r8 = r5 << 3 | r5 >> 2), so full white stays
 * 0xffffff and black 0x000000. */
uint32_t zd_pixfmt_unpack(const struct zd_pixfmt *fmt, const uint8_t *src);

/* What 0xRRGGBB looks like after a trip through fmt: pack, then unpack.
 * Identity for the 8-bit formats; RGB565 quantises. */
uint32_t zd_pixfmt_quantise(const struct zd_pixfmt *fmt, uint32_t rgb);

/* Pack a row of 0xRRGGBB values into dst (width pixels). */
void zd_pixfmt_pack_row(const struct zd_pixfmt *fmt, const uint32_t *rgb, unsigned int width,
			uint8_t *dst);

#endif
