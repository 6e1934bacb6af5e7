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

/* Big-endian 32-bit at p. */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The whole file, at most max octets, or NULL with errno. */
static uint8_t *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			if (cap > max + 1)
				cap = max + 1;
			nb = *len < cap ? realloc(buf, cap) : NULL;
			if (!nb) {
				free(buf);
				fclose(f);
				errno = *len > max ? EFBIG : ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n && *len <= max);
	if (ferror(f) || *len > max) {
		free(buf);
		fclose(f);
		errno = *len > max ? EFBIG : EIO;
		return NULL;
	}
	fclose(f);
	return buf;
}

/*
 * The zlib stream of stored blocks in z (zlen octets) into out (exactly
 * outlen octets); 0 or -1.
 */
static int inflate_stored(const uint8_t *z, size_t zlen, uint8_t *out, size_t outlen)
{
	size_t pos = 2, done = 0;
	int last = 0;

	if (zlen < 2 || (z[0] & 0x0f) != 8 || ((z[0] << 8) | z[1]) % 31 || z[1] & 0x20)
		return -1;
	while (!last) {
		uint32_t n;

		if (zlen - pos < 5 || (z[pos] & 0x06) != 0) /* BTYPE 00 only */
			return -1;
		last = z[pos] & 1;
		n = z[pos + 1] | (uint32_t)z[pos + 2] << 8;
		if ((n ^ (z[pos + 3] | (uint32_t)z[pos + 4] << 8)) != 0xffff)
			return -1;
		pos += 5;
		if (zlen - pos < n || outlen - done < n)
			return -1;
		memcpy(out + done, z + pos, n);
		pos += n;
		done += n;
	}
	if (done != outlen || zlen - pos != 4 || be32(z + pos) != zd_adler32(1, out, outlen))
		return -1;
	return 0;
}

int zd_png_read_file(const char *path, uint8_t **rgb, unsigned int *width, unsigned int *height)
{
	static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t len, pos = 8, zlen = 0, rowlen;
	uint8_t *file, *z = NULL, *raw = NULL;
	uint32_t w = 0, h = 0;
	int ok = 0;

	*rgb = NULL;
	file = slurp(path, ZD_PNG_READ_MAX, &len);
	if (!file)
		return -1;
	if (len < 8 || memcmp(file, signature, 8))
		goto bad;
	z = malloc(len);
	if (!z)
		goto out;
	/* Chunks: IHDR first, IDATs gathered, IEND last; every CRC checked. */
	while (len - pos >= 12) {
		uint32_t n = be32(file + pos);
		const uint8_t *type = file + pos + 4, *data = type + 4;

		if (n > len - pos - 12 || zd_crc32(0, type, n + 4) != be32(data + n))
			goto bad;
		if (!memcmp(type, "IHDR", 4)) {
			if (pos != 8 || n != 13 ||
			    memcmp(data + 8, (const uint8_t[]){8, 2, 0, 0, 0}, 5))
				goto bad;
			w = be32(data);
			h = be32(data + 4);
		} else if (!memcmp(type, "IDAT", 4)) {
			memcpy(z + zlen, data, n);
			zlen += n;
		} else if (!memcmp(type, "IEND", 4)) {
			ok = pos + 12 + n == len;
			break;
		} else if (!(type[0] & 0x20)) { /* an unknown critical chunk */
			goto bad;
		}
		pos += 12 + n;
	}
	if (!ok || !w || !h || w > ZD_PNG_READ_MAX / 3 || (uint64_t)h * (w * 3u + 1) > len)
		goto bad;
	rowlen = (size_t)w * 3 + 1;
	raw = malloc(rowlen * h);
	*rgb = malloc((size_t)w * 3 * h);
	if (!raw || !*rgb)
		goto out;
	if (inflate_stored(z, zlen, raw, rowlen * h))
		goto bad;
	for (uint32_t y = 0; y < h; y++) {
		if (raw[y * rowlen] != 0) /* filter type none only */
			goto bad;
		memcpy(*rgb + (size_t)y * w * 3, raw + y * rowlen + 1, rowlen - 1);
	}
	*width = w;
	*height = h;
	free(raw);
	free(z);
	free(file);
	return 0;
bad:
	errno = EINVAL;
out:
	free(*rgb);
	*rgb = NULL;
	free(raw);
	free(z);
	free(file);
	return -1;
}
