// SPDX-License-Identifier: GPL-2.0
/*
 * test_png.c: the lab's PNG files (tools/common/png.c), written and read
 * back: a pattern frame survives the trip pixel-exact, and a damaged or
 * foreign file is refused rather than misread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/common/patcheck.h"
#include "../tools/common/pattern.h"
#include "../tools/common/png.h"
#include "test.h"

/* Pattern frame `frame` at w x h as packed RGB (the caller frees it). */
static uint8_t *pattern_rgb(unsigned int w, unsigned int h, uint32_t frame)
{
	uint8_t *rgb = malloc((size_t)w * h * 3);
	uint32_t *row = malloc(w * sizeof(*row));

	CHECK(rgb && row);
	for (unsigned int y = 0; y < h; y++) {
		zd_pattern_row(w, h, frame, y, row);
		for (unsigned int x = 0; x < w; x++) {
			uint8_t *p = rgb + ((size_t)y * w + x) * 3;

			p[0] = (uint8_t)(row[x] >> 16);
			p[1] = (uint8_t)(row[x] >> 8);
			p[2] = (uint8_t)row[x];
		}
	}
	free(row);
	return rgb;
}

static void temp_path(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/zd-png-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
}

/* Flip one octet of the file at off. */
static void damage(const char *path, long off)
{
	FILE *f = fopen(path, "r+b");
	int c;

	CHECK_NOT_NULL(f);
	CHECK_EQ_INT(fseek(f, off, SEEK_SET), 0);
	c = fgetc(f);
	CHECK_EQ_INT(fseek(f, off, SEEK_SET), 0);
	fputc(c ^ 0x40, f);
	fclose(f);
}

TEST(png_pattern_frame_written_and_read_back_pixel_exact)
{
	/* 300 x 240: more than one stored block of 64 KiB. */
	const unsigned int w = 300, h = 240;
	uint8_t *rgb = pattern_rgb(w, h, 7), *back = NULL;
	unsigned int bw = 0, bh = 0;
	struct zd_patcheck res;
	char path[64];

	temp_path(path, sizeof(path));
	CHECK_EQ_INT(zd_png_write_file(path, rgb, (size_t)w * 3, w, h), 0);
	CHECK_EQ_INT(zd_png_read_file(path, &back, &bw, &bh), 0);
	CHECK_EQ_INT(bw, w);
	CHECK_EQ_INT(bh, h);
	CHECK(memcmp(back, rgb, (size_t)w * h * 3) == 0);
	zd_patcheck_compare(back, (size_t)w * 3, w, h, 7, zd_pixfmt_by_name("XR24"), &res);
	CHECK_EQ_INT(res.mismatches, 0);
	zd_patcheck_compare(back, (size_t)w * 3, w, h, 6, zd_pixfmt_by_name("XR24"), &res);
	CHECK(res.mismatches > 0);
	free(back);
	free(rgb);
	unlink(path);
}

TEST(png_damaged_or_foreign_files_are_refused)
{
	static const long offsets[] = {
		0,  /* the signature */
		16, /* IHDR's width: its CRC no longer holds */
		45, /* a pixel in the first IDAT: its CRC */
		-6, /* the IEND chunk's CRC (from the end) */
	};
	const unsigned int w = 40, h = 30;
	uint8_t *rgb = pattern_rgb(w, h, 1), *back;
	unsigned int bw, bh;
	char path[64];
	long size;
	FILE *f;

	temp_path(path, sizeof(path));
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		CHECK_EQ_INT(zd_png_write_file(path, rgb, (size_t)w * 3, w, h), 0);
		f = fopen(path, "rb");
		CHECK_NOT_NULL(f);
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fclose(f);
		damage(path, offsets[i] < 0 ? size + offsets[i] : offsets[i]);
		back = (uint8_t *)1;
		errno = 0;
		CHECK_EQ_INT(zd_png_read_file(path, &back, &bw, &bh), -1);
		CHECK_EQ_INT(errno, EINVAL);
		CHECK_NULL(back);
	}
	/* Cut short. */
	CHECK_EQ_INT(zd_png_write_file(path, rgb, (size_t)w * 3, w, h), 0);
	CHECK_EQ_INT(truncate(path, 60), 0);
	CHECK_EQ_INT(zd_png_read_file(path, &back, &bw, &bh), -1);
	CHECK_EQ_INT(errno, EINVAL);
	unlink(path);
	CHECK_EQ_INT(zd_png_read_file(path, &back, &bw, &bh), -1);
	CHECK_EQ_INT(errno, ENOENT);
	free(rgb);
}
