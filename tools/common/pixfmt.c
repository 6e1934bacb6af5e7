// SPDX-License-Identifier: MIT
/* Pixel format table and RGB conversion (see pixfmt.h). */
#include "pixfmt.h"

#include <drm_fourcc.h>
#include <string.h>

static const struct zd_pixfmt formats[] = {
	{DRM_FORMAT_XRGB8888, "XR24", 32, 24},
	{DRM_FORMAT_ARGB8888, "AR24", 32, 32},
	{DRM_FORMAT_RGB565, "RG16", 16, 16},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct zd_pixfmt *zd_pixfmt_by_name(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

const struct zd_pixfmt *zd_pixfmt_by_fourcc(uint32_t fourcc)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	return NULL;
}

const struct zd_pixfmt *zd_pixfmt_by_bpp_depth(unsigned int bpp, unsigned int depth)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].bpp == bpp && formats[i].depth == depth)
			return &formats[i];
	return NULL;
}

const char *zd_pixfmt_list(void)
{
	return "XR24, AR24, RG16";
}

void zd_pixfmt_pack(const struct zd_pixfmt *fmt, uint32_t rgb, uint8_t *dst)
{
	uint8_t r = (uint8_t)(rgb >> 16), g = (uint8_t)(rgb >> 8), b = (uint8_t)rgb;

	if (fmt->bpp == 16) {
		uint16_t v = (uint16_t)((r >> 3) << 11 | (g >> 2) << 5 | (b >> 3));

		dst[0] = (uint8_t)v;
		dst[1] = (uint8_t)(v >> 8);
		return;
	}
	/* [31:0] A/X:R:G:B little-endian: bytes B, G, R, A/X. */
	dst[0] = b;
	dst[1] = g;
	dst[2] = r;
	dst[3] = 0xff;
}

uint32_t zd_pixfmt_unpack(const struct zd_pixfmt *fmt, const uint8_t *src)
{
	if (fmt->bpp == 16) {
		unsigned int v = (unsigned int)src[0] | (unsigned int)src[1] << 8;
		unsigned int r5 = v >> 11, g6 = (v >> 5) & 0x3f, b5 = v & 0x1f;
		uint32_t r = r5 << 3 | r5 >> 2, g = g6 << 2 | g6 >> 4, b = b5 << 3 | b5 >> 2;

		return r << 16 | g << 8 | b;
	}
	return (uint32_t)src[2] << 16 | (uint32_t)src[1] << 8 | src[0];
}

uint32_t zd_pixfmt_quantise(const struct zd_pixfmt *fmt, uint32_t rgb)
{
	uint8_t px[4];

	zd_pixfmt_pack(fmt, rgb, px);
	return zd_pixfmt_unpack(fmt, px);
}

void zd_pixfmt_pack_row(const struct zd_pixfmt *fmt, const uint32_t *rgb, unsigned int width,
			uint8_t *dst)
{
	unsigned int step = fmt->bpp / 8;

	for (unsigned int x = 0; x < width; x++, dst += step)
		zd_pixfmt_pack(fmt, rgb[x], dst);
}
