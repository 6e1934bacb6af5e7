/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edid.h: a valid EDID 1.4 base block for a virtual connector, answered to
 * XENDISPL_OP_GET_EDID.
 *
 * The block describes a digital display whose preferred (and only
 * detailed) timing is width x height at 60 Hz with CVT reduced-blanking
 * timings, a monitor name descriptor, and a range-limits descriptor, and
 * which lists the established 60 Hz modes 640x480, 800x600 and 1024x768
 * that fit in width x height, as further modes a guest may choose. The
 * physical size is derived from 96 DPI so that frontends compute sane DPI.
 */
#ifndef ZD_EDID_H
#define ZD_EDID_H

#include <stddef.h>
#include <stdint.h>

#define ZD_EDID_SIZE 128

/*
 * Fill out[ZD_EDID_SIZE]. name (may be NULL: "zdispl") goes into the monitor
 * name descriptor, truncated to 13 characters, characters outside printable
 * ASCII replaced by '?'.
 * Returns ZD_EDID_SIZE, or -EINVAL (out untouched) if out is NULL, width or
 * height is 0, or the mode cannot be expressed in a detailed timing
 * descriptor: width or height above 4095 (12-bit fields), a pixel clock
 * above 655.35 MHz (16 bits in 10 kHz units; e.g. 4095x4095), or one that
 * CVT's 0.25 MHz rounding takes to 0 (frames of fewer than 4167 pixels,
 * blanking included, e.g. 1x1). The active width is exactly width:
 * CVT's 8-pixel cell rounding is not applied to it.
 */
int zd_edid_build(uint8_t *out, uint32_t width, uint32_t height, const char *name);

#endif /* ZD_EDID_H */
