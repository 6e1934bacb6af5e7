/* SPDX-License-Identifier: MIT */
/*
 * The lab's deterministic test pattern: the colour of every pixel is a pure
 * function of (width, height, frame number); the pixel format only decides
 * how that colour is stored (pixfmt.h). zdispl-pattern draws it and
 * zdispl-capture checks a captured scanout against it, so this file is the
 * reference for "the display path transported the picture unchanged".
 *
 * Layout, top to bottom (integer arithmetic, so any size is defined):
 *
 *   rows [0, h/2)        8 vertical colour bars, bar i covering the x with
 *                        x*8/w == i: white, yellow, cyan, green, magenta,
 *                        red, blue, black. Swapped or dropped channels show
 *                        here (yellow <-> cyan for an R/B swap).
 *   rows [h/2, 3h/4)     a gradient: R = x*256/w, G = (y-h/2)*256/band
 *                        height, B = (x XOR y) & 0xff. Every byte value
 *                        occurs, and the XOR texture breaks on any pitch,
 *                        offset or stride error.
 *   rows [3h/4, h)       the frame band, the only rows that depend on the
 *                        frame number:
 *                        - left half: 16 cells, cell k covering the x with
 *                          x*32/w == k, white when bit (15-k) of the frame
 *                          number is set, else black: the low 16 bits of the
 *                          frame number in binary, most significant first;
 *                        - right half: grey 0x404040 with a block w/16 wide
 *                          (at least 1) that moves by max(1, w/64) pixels per
 *                          frame and changes colour every frame.
 *
 * So consecutive frames always differ, and the number of the frame on screen
 * can be read back from a capture (zd_pattern_decode_frame).
 */
#ifndef ZDISPL_PATTERN_H
#define ZDISPL_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Colours of the bars, left to right (0xRRGGBB). */
extern const uint32_t zd_pattern_bars[8];

/* Row y (0 <= y < height) of frame `frame`, as width 0xRRGGBB values. */
void zd_pattern_row(unsigned int width, unsigned int height, uint32_t frame, unsigned int y,
		    uint32_t *rgb);

/* First row of the frame band: rows before it are the same in every frame,
 * which lets a client redraw only [zd_pattern_frame_band(h), h) when it
 * reuses a buffer that already holds another frame of the same size. */
unsigned int zd_pattern_frame_band(unsigned int height);

/* The end of the run of identical rows that starts at row y: rows
 * [y, result) equal row y in every frame (all bar rows are alike, and so
 * are all frame band rows; gradient rows are each different). A client can
 * compute row y once and copy it. */
unsigned int zd_pattern_same_rows(unsigned int height, unsigned int y);

/*
 * Read the frame number (its low 16 bits) back from an image of the pattern:
 * rgb is packed R, G, B bytes, stride bytes per row. Samples the centre of
 * each cell of the frame band's code; a cell is 1 when its green is >= 0x80.
 * Returns 0, or -1 when the image is too small to hold a readable code
 * (width < 64 or height < 4).
 */
int zd_pattern_decode_frame(const uint8_t *rgb, size_t stride, unsigned int width,
			    unsigned int height, uint32_t *frame);

#endif
