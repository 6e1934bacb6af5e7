/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h: the pixel formats zdispl shows (DRM fourccs, as displif's
 * FB_ATTACH carries them): XRGB8888, ARGB8888 and RGB565.
 */
#ifndef ZD_FORMAT_H
#define ZD_FORMAT_H

#include <stdint.h>

/* Bytes per pixel of a format we accept, or 0 for any other. */
uint32_t zd_format_cpp(uint32_t fourcc);

#endif /* ZD_FORMAT_H */
