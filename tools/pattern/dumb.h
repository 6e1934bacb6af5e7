/* SPDX-License-Identifier: MIT */
/*
 * Dumb buffers as scanout framebuffers: create, map, wrap in a DRM
 * framebuffer, draw the test pattern into, destroy.
 */
#ifndef ZDISPL_PATTERN_DUMB_H
#define ZDISPL_PATTERN_DUMB_H

#include <stdint.h>

#include "../common/pixfmt.h"

struct zd_dumb {
	int fd;		       /* the display's card */
	uint32_t handle;       /* GEM handle on fd, 0 when not created */
	int alloc_fd;	       /* card the memory comes from: fd, or another (PRIME) */
	uint32_t alloc_handle; /* the dumb buffer on alloc_fd when that is not fd */
	uint32_t fb_id;	       /* DRM framebuffer, 0 when not added */
	uint32_t width, height, pitch;
	uint64_t size;
	uint8_t *map; /* NULL when not mapped */
	const struct zd_pixfmt *fmt;
	int64_t drawn_frame; /* frame the buffer holds, -1: none yet */
	uint32_t *row;	     /* one row of 0xRRGGBB, for drawing */
	uint8_t *packed;     /* the same row in the buffer's format */
};

/*
 * A dumb buffer as a framebuffer of the display card fd. With alloc_fd >= 0
 * and not fd, the dumb buffer is made on alloc_fd and reaches fd through
 * PRIME (export from alloc_fd, import into fd): the display shows memory
 * another driver allocated. Returns 0, or -1 after a message on stderr
 * (the buffer is then cleaned up).
 */
int zd_dumb_create(int fd, int alloc_fd, uint32_t width, uint32_t height,
		   const struct zd_pixfmt *fmt, struct zd_dumb *buf);
void zd_dumb_destroy(struct zd_dumb *buf);

/* Draw frame `frame` of the pattern. Rows that no frame changes are skipped
 * when the buffer already holds a frame. */
void zd_dumb_draw(struct zd_dumb *buf, uint32_t frame);

#endif
