// SPDX-License-Identifier: MIT
/* Dumb buffer framebuffers (see dumb.h). */
#include "dumb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../common/pattern.h"

/* Import alloc's dumb buffer into the display card: buf->handle. */
static int prime_to_display(struct zd_dumb *buf)
{
	int dmabuf;

	if (drmPrimeHandleToFD(buf->alloc_fd, buf->alloc_handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		fprintf(stderr, "error: PRIME export from the allocating card: %s\n",
			strerror(errno));
		return -1;
	}
	if (drmPrimeFDToHandle(buf->fd, dmabuf, &buf->handle)) {
		fprintf(stderr, "error: PRIME import into the display card: %s\n", strerror(errno));
		close(dmabuf);
		return -1;
	}
	close(dmabuf);
	return 0;
}

int zd_dumb_create(int fd, int alloc_fd, uint32_t width, uint32_t height,
		   const struct zd_pixfmt *fmt, struct zd_dumb *buf)
{
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = fmt->bpp};
	struct drm_mode_map_dumb map = {0};
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};
	void *p;

	memset(buf, 0, sizeof(*buf));
	buf->fd = fd;
	buf->alloc_fd = alloc_fd < 0 ? fd : alloc_fd;
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
	if (drmIoctl(buf->alloc_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		fprintf(stderr, "error: DRM_IOCTL_MODE_CREATE_DUMB %ux%u bpp %u: %s\n", width,
			height, fmt->bpp, strerror(errno));
		goto fail;
	}
	if (buf->alloc_fd == fd) {
		buf->handle = create.handle;
	} else {
		buf->alloc_handle = create.handle;
		if (prime_to_display(buf) < 0)
			goto fail;
	}
	/* The driver chooses the pitch (alignment); rows are addressed with it,
	 * never with width * bytes per pixel. */
	buf->pitch = create.pitch;
	buf->size = create.size;

	handles[0] = buf->handle;
	pitches[0] = buf->pitch;
	if (drmModeAddFB2(fd, width, height, fmt->fourcc, handles, pitches, offsets, &buf->fb_id,
			  0)) {
		fprintf(stderr, "error: drmModeAddFB2 %ux%u %s: %s\n", width, height, fmt->name,
			strerror(errno));
		goto fail;
	}

	/* Drawn through the allocating card's mapping. */
	map.handle = buf->alloc_fd == fd ? buf->handle : buf->alloc_handle;
	if (drmIoctl(buf->alloc_fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0) {
		fprintf(stderr, "error: DRM_IOCTL_MODE_MAP_DUMB: %s\n", strerror(errno));
		goto fail;
	}
	p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, buf->alloc_fd,
		 (off_t)map.offset);
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
	if (buf->handle && buf->alloc_fd != buf->fd) {
		struct drm_gem_close c = {.handle = buf->handle};

		drmIoctl(buf->fd, DRM_IOCTL_GEM_CLOSE, &c);
	} else if (buf->handle) {
		struct drm_mode_destroy_dumb d = {.handle = buf->handle};

		drmIoctl(buf->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	if (buf->alloc_handle) {
		struct drm_mode_destroy_dumb d = {.handle = buf->alloc_handle};

		drmIoctl(buf->alloc_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	free(buf->row);
	free(buf->packed);
	buf->row = NULL;
	buf->packed = NULL;
	buf->map = NULL;
	buf->fb_id = 0;
	buf->handle = 0;
	buf->alloc_handle = 0;
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
