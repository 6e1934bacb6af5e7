/* SPDX-License-Identifier: MIT */
/*
 * A minimal PNG writer for lab captures: 8-bit RGB, no interlace, and the
 * zlib stream made of stored (uncompressed) deflate blocks; and a reader
 * of such files, to check what another tool saved. Files are a bit
 * larger than width*height*3, but there is no compressor to trust and no
 * library to depend on, and any PNG reader opens them.
 */
#ifndef ZDISPL_PNG_H
#define ZDISPL_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* CRC-32 (ISO 3309, as PNG and gzip use), continued from crc; start at 0. */
uint32_t zd_crc32(uint32_t crc, const void *buf, size_t len);
/* Adler-32 (RFC 1950), continued from adler; start at 1. */
uint32_t zd_adler32(uint32_t adler, const void *buf, size_t len);

/* Write width x height packed R, G, B bytes (stride bytes per row) as a PNG
 * to f. Returns 0, or -1 with errno set (EINVAL for an empty or too large
 * image, else the stdio error). */
int zd_png_write(FILE *f, const uint8_t *rgb, size_t stride, unsigned int width,
		 unsigned int height);

/* The same into a file at path (created or truncated). */
int zd_png_write_file(const char *path, const uint8_t *rgb, size_t stride, unsigned int width,
		      unsigned int height);

/*
 * Read a PNG of the kind zd_png_write() makes (8-bit RGB, no interlace,
 * stored deflate blocks, filter type none) from path, at most
 * ZD_PNG_READ_MAX octets: *rgb (the caller frees it) gets width x height
 * packed R, G, B octets. Every CRC and the Adler-32 are checked. Returns 0,
 * or -1 with errno: EINVAL for a PNG of another kind or a damaged one,
 * EFBIG for a larger file, else the error of reading it.
 */
#define ZD_PNG_READ_MAX (256u << 20)
int zd_png_read_file(const char *path, uint8_t **rgb, unsigned int *width, unsigned int *height);

#endif
