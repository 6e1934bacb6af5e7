// SPDX-License-Identifier: MIT
/*
 * Minimal PNG writer (see png.h). The format, from the PNG specification and
 * RFC 1950/1951:
 *   signature, IHDR, one or more IDAT, IEND; each chunk is
 *   length (big-endian) | type | data | CRC-32 of type and data.
 *   The IDAT data, concatenated, is a zlib stream: a 2-byte header, deflate
 *   blocks, the Adler-32 of the uncompressed bytes (big-endian).
 *   The uncompressed bytes are the rows, each prefixed by its filter type
 *   (0: none).
 * A stored deflate block is: 1 byte BFINAL (bit 0) + BTYPE 00, then LEN and
 * its one's complement NLEN (16-bit little-endian), then LEN raw bytes, at
 * most 65535. This writer emits one IDAT chunk per stored block, so it never
 * holds more than one block in memory.
 */
#include "png.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STORED_MAX 65535u

uint32_t zd_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	static int ready;
	const uint8_t *p = buf;

	if (!ready) {
		/* Reflected polynomial 0xedb88320, one entry per byte value. */
		for (uint32_t n = 0; n < 256; n++) {
			uint32_t c = n;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[n] = c;
		}
		ready = 1;
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t zd_adler32(uint32_t adler, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t a = adler & 0xffff, b = adler >> 16;

	while (len) {
		/* 5552 bytes is the most that cannot overflow b before the modulo. */
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

struct chunk {
	FILE *f;
	uint32_t crc;
	int failed;
};

static void put_raw(struct chunk *c, const void *buf, size_t len)
{
	if (!c->failed && len && fwrite(buf, 1, len, c->f) != len)
		c->failed = 1;
}

static void put_be32_raw(struct chunk *c, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put_raw(c, b, 4);
}

/* Chunk data: written and added to the chunk's CRC. */
static void put(struct chunk *c, const void *buf, size_t len)
{
	c->crc = zd_crc32(c->crc, buf, len);
	put_raw(c, buf, len);
}

static void put_be32(struct chunk *c, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(c, b, 4);
}

static void chunk_begin(struct chunk *c, const char *type, uint32_t len)
{
	put_be32_raw(c, len);
	c->crc = 0;
	put(c, type, 4);
}

static void chunk_end(struct chunk *c)
{
	put_be32_raw(c, c->crc);
}

/* Copy the next n bytes of the filtered image stream into dst; *row and *pos
 * (offset in the row, 0 = the filter byte) say where the stream stands. */
static void next_bytes(const uint8_t *rgb, size_t stride, size_t rowlen, unsigned int *row,
		       size_t *pos, uint8_t *dst, size_t n)
{
	while (n) {
		size_t k;

		if (*pos == 0) {
			*dst++ = 0; /* filter type: none */
			n--;
			*pos = 1;
		} else {
			k = rowlen - *pos;
			if (k > n)
				k = n;
			memcpy(dst, rgb + (size_t)*row * stride + (*pos - 1), k);
			dst += k;
			n -= k;
			*pos += k;
		}
		if (*pos == rowlen) {
			(*row)++;
			*pos = 0;
		}
	}
}

int zd_png_write(FILE *f, const uint8_t *rgb, size_t stride, unsigned int width,
		 unsigned int height)
{
	static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	/* CMF 0x78: deflate, 32 KiB window; FLG 0x01 makes CMF*256+FLG a
	 * multiple of 31, no preset dictionary. */
	static const uint8_t zlib_header[2] = {0x78, 0x01};
	struct chunk c = {.f = f};
	size_t rowlen = (size_t)width * 3 + 1;
	uint64_t total, done = 0;
	uint32_t adler = 1;
	unsigned int row = 0;
	size_t pos = 0;
	uint8_t *blk;

	if (!width || !height || width > 0x7fffffffu / 3 || height > 0x7fffffffu) {
		errno = EINVAL;
		return -1;
	}
	blk = malloc(STORED_MAX);
	if (!blk)
		return -1;
	total = (uint64_t)height * rowlen;

	put_raw(&c, signature, sizeof(signature));
	chunk_begin(&c, "IHDR", 13);
	put_be32(&c, width);
	put_be32(&c, height);
	/* bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace */
	put(&c, (const uint8_t[]){8, 2, 0, 0, 0}, 5);
	chunk_end(&c);

	while (done < total) {
		size_t n = total - done < STORED_MAX ? (size_t)(total - done) : STORED_MAX;
		int first = done == 0, last = done + n == total;
		uint8_t hdr[5] = {(uint8_t)last, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)~n,
				  (uint8_t)(~n >> 8)};

		next_bytes(rgb, stride, rowlen, &row, &pos, blk, n);
		adler = zd_adler32(adler, blk, n);
		chunk_begin(&c, "IDAT", (uint32_t)((first ? 2 : 0) + 5 + n + (last ? 4 : 0)));
		if (first)
			put(&c, zlib_header, 2);
		put(&c, hdr, 5);
		put(&c, blk, n);
		if (last)
			put_be32(&c, adler);
		chunk_end(&c);
		done += n;
	}
	free(blk);

	chunk_begin(&c, "IEND", 0);
	chunk_end(&c);
	if (c.failed || fflush(f) != 0) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

int zd_png_write_file(const char *path, const uint8_t *rgb, size_t stride, unsigned int width,
		      unsigned int height)
{
	FILE *f = fopen(path, "wb");
	int ret, saved;

	if (!f)
		return -1;
	ret = zd_png_write(f, rgb, stride, width, height);
	saved = errno;
	if (fclose(f) != 0 && ret == 0) {
		ret = -1;
		saved = errno;
	}
	errno = saved;
	return ret;
}
