// SPDX-License-Identifier: MIT
/* Dumb buffer framebuffers (see dumb.h). */
#include "dumb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../common/pattern.h"

int zd_dumb_create(int fd, uint32_t width, uint32_t height, const struct zd_pixfmt *fmt,
		   struct zd_dumb *buf)
{
	struct drm_mode_create_dumb create = { .width = width, .height = height, .bpp = fmt->bpp };
	struct drm_mode_map_dumb map = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	void *p;

	memset(buf, 0, sizeof(*buf));
	buf->fd = fd;
	buf->fmt = fmt;
	buf->width = width;
	buf->height = height;
	buf->drawn_frame = -1;

	buf->row = malloc(sizeof(*buf->row) * (width ? width : 1));
	buf->packed = malloc((size_t)(width ? width : 1) * (fmt->bpp / 8));
	if (!buf->row || !buf->packed) {
		fprintf(stderr, "error: out of memory\n");
		return -1;
	}
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		fprintf(stderr, "error: DRM_IOCTL_MODE_CREATE_DUMB %ux%u bpp %u: %s\n", width, height,
			fmt->bpp, strerror(errno));
		goto fail;
	}
	buf->handle = create.handle;
	/* The driver chooses the pitch (alignment); rows are addressed with it,
	 * never with width * bytes per pixel. */
	buf->pitch = create.pitch;
	buf->size = create.size;

	handles[0] = buf->handle;
	pitches[0] = buf->pitch;
	if (drmModeAddFB2(fd, width, height, fmt->fourcc, handles, pitches, offsets, &buf->fb_id, 0)) {
		fprintf(stderr, "error: drmModeAddFB2 %ux%u %s: %s\n", width, height, fmt->name,
			strerror(errno));
		goto fail;
	}

	map.handle = buf->handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0) {
		fprintf(stderr, "error: DRM_IOCTL_MODE_MAP_DUMB: %s\n", strerror(errno));
		goto fail;
	}
	p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (p == MAP_FAILED) {
		fprintf(stderr, "error: mmap of a %llu-byte dumb buffer: %s\n",
			(unsigned long long)buf->size, strerror(errno));
		goto fail;
	}
	buf->map = p;
	return 0;

fail:
	zd_dumb_destroy(buf);
	return -1;
}

void zd_dumb_destroy(struct zd_dumb *buf)
{
	if (buf->map)
		munmap(buf->map, buf->size);
	/* Removing a framebuffer that is on screen turns the CRTC off, which is
	 * what should happen when the client goes away. */
	if (buf->fb_id)
		drmModeRmFB(buf->fd, buf->fb_id);
	if (buf->handle) {
		struct drm_mode_destroy_dumb d = { .handle = buf->handle };

		drmIoctl(buf->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	free(buf->row);
	free(buf->packed);
	buf->row = NULL;
	buf->packed = NULL;
	buf->map = NULL;
	buf->fb_id = 0;
	buf->handle = 0;
}

void zd_dumb_draw(struct zd_dumb *buf, uint32_t frame)
{
	/* Drawing is on the flip loop's critical path: the next flip is queued
	 * only once its frame is drawn, and under TCG a full 1024x768 frame
	 * costs about 50 ms, three refresh periods. So the static rows are
	 * drawn once per buffer, and each run of identical rows is computed
	 * once and copied (from a private row: the mapping may be uncached). */
	unsigned int y = buf->drawn_frame < 0 ? 0 : zd_pattern_frame_band(buf->height);
	size_t len = (size_t)buf->width * (buf->fmt->bpp / 8);

	while (y < buf->height) {
		unsigned int end = zd_pattern_same_rows(buf->height, y);

		zd_pattern_row(buf->width, buf->height, frame, y, buf->row);
		zd_pixfmt_pack_row(buf->fmt, buf->row, buf->width, buf->packed);
		for (; y < end; y++)
			memcpy(buf->map + (size_t)y * buf->pitch, buf->packed, len);
	}
	buf->drawn_frame = frame;
}
