// SPDX-License-Identifier: MIT
/* The lab's test pattern (see pattern.h for the layout and why). */
#include "pattern.h"

const uint32_t zd_pattern_bars[8] = {
	0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000,
};

#define FRAME_BAND_GREY 0x404040u
#define CODE_BITS 16u

unsigned int zd_pattern_frame_band(unsigned int height)
{
	return (unsigned int)((uint64_t)height * 3 / 4);
}

unsigned int zd_pattern_same_rows(unsigned int height, unsigned int y)
{
	if (y < height / 2)
		return height / 2;
	if (y < zd_pattern_frame_band(height))
		return y + 1;
	return height;
}

/* x * num / den without overflow for any 32-bit x. */
static unsigned int scale(unsigned int x, unsigned int num, unsigned int den)
{
	return (unsigned int)((uint64_t)x * num / den);
}

static void bars_row(unsigned int width, uint32_t *rgb)
{
	for (unsigned int x = 0; x < width; x++)
		rgb[x] = zd_pattern_bars[scale(x, 8, width)];
}

static void gradient_row(unsigned int width, unsigned int height, unsigned int y, uint32_t *rgb)
{
	unsigned int y0 = height / 2, band = zd_pattern_frame_band(height) - y0;
	uint32_t g = scale(y - y0, 256, band);

	for (unsigned int x = 0; x < width; x++) {
		uint32_t r = scale(x, 256, width), b = (x ^ y) & 0xff;

		rgb[x] = r << 16 | g << 8 | b;
	}
}

/* A colour per frame: three co-prime multipliers so that each channel
 * cycles differently and neighbouring frames never look alike. */
static uint32_t block_colour(uint32_t frame)
{
	uint32_t r = (frame * 37u + 0x20) & 0xff, g = (frame * 101u + 0x80) & 0xff,
		 b = (frame * 197u + 0xe0) & 0xff;

	return r << 16 | g << 8 | b;
}

static void frame_row(unsigned int width, uint32_t frame, uint32_t *rgb)
{
	unsigned int half = width / 2;
	unsigned int bw = width / 16 ? width / 16 : 1;
	unsigned int step = width / 64 ? width / 64 : 1;
	unsigned int span = width - half >= bw ? width - half - bw + 1 : 1;
	unsigned int bx = half + (unsigned int)((uint64_t)frame * step % span);
	uint32_t colour = block_colour(frame);

	for (unsigned int x = 0; x < half; x++) {
		unsigned int cell = scale(x, 2 * CODE_BITS, width);

		rgb[x] = (frame >> (CODE_BITS - 1 - cell)) & 1 ? 0xffffff : 0x000000;
	}
	for (unsigned int x = half; x < width; x++)
		rgb[x] = x >= bx && x - bx < bw ? colour : FRAME_BAND_GREY;
}

void zd_pattern_row(unsigned int width, unsigned int height, uint32_t frame, unsigned int y,
		    uint32_t *rgb)
{
	if (y < height / 2)
		bars_row(width, rgb);
	else if (y < zd_pattern_frame_band(height))
		gradient_row(width, height, y, rgb);
	else
		frame_row(width, frame, rgb);
}

int zd_pattern_decode_frame(const uint8_t *rgb, size_t stride, unsigned int width,
			    unsigned int height, uint32_t *frame)
{
	/* With width >= 64 each cell is at least 2 pixels wide, so the sample
	 * x = (2k+1)*width/64 lies inside cell k despite integer rounding. */
	if (width < 64 || height < 4)
		return -1;
	unsigned int y = (zd_pattern_frame_band(height) + height) / 2;
	uint32_t v = 0;

	for (unsigned int k = 0; k < CODE_BITS; k++) {
		unsigned int x = scale(2 * k + 1, width, 4 * CODE_BITS);
		const uint8_t *px = rgb + (size_t)y * stride + (size_t)x * 3;

		v = v << 1 | (px[1] >= 0x80);
	}
	*frame = v;
	return 0;
}
