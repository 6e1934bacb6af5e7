// SPDX-License-Identifier: MIT
/* Captured picture vs. test pattern, pixel by pixel (see patcheck.h). */
#include "patcheck.h"

#include <stdlib.h>
#include <string.h>

#include "pattern.h"

void zd_patcheck_compare(const uint8_t *rgb, size_t stride, unsigned int width, unsigned int height,
			 uint32_t frame, const struct zd_pixfmt *drawn_fmt, struct zd_patcheck *res)
{
	uint32_t *row = calloc(width ? width : 1, sizeof(*row));

	memset(res, 0, sizeof(*res));
	if (!row) {
		/* Counted as all wrong rather than silently "matching". */
		res->mismatches = (uint64_t)width * height;
		return;
	}
	for (unsigned int y = 0; y < height; y++) {
		const uint8_t *px = rgb + (size_t)y * stride;

		zd_pattern_row(width, height, frame, y, row);
		for (unsigned int x = 0; x < width; x++, px += 3) {
			uint32_t got = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
			uint32_t want = zd_pixfmt_quantise(drawn_fmt, row[x]);

			res->pixels++;
			if (got == want)
				continue;
			if (res->mismatches++ == 0) {
				res->first_x = x;
				res->first_y = y;
				res->got = got;
				res->expected = want;
			}
		}
	}
	free(row);
}
