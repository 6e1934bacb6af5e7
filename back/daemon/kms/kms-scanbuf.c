// SPDX-License-Identifier: GPL-2.0
/*
 * kms-scanbuf.c: the copy path's scanout buffers. Each is a dumb buffer of
 * the mode's size (CREATE_DUMB), a framebuffer on it (ADDFB2) and a CPU
 * mapping (MAP_DUMB + mmap). A frame from guest memory is copied row by row
 * into it; the area around the image is cleared to black only when the
 * image's rectangle changes.
 *
 * libdrm's drmModeCreateDumbBuffer/MapDumbBuffer/DestroyDumbBuffer, AddFB2
 * and RmFB return -errno.
 */
#include "kms-priv.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int kms_scanbuf_create(int fd, uint32_t width, uint32_t height, uint32_t fourcc,
		       struct kms_scanbuf *s)
{
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};
	uint32_t cpp = zd_format_cpp(fourcc);
	uint64_t offset;
	void *map;
	int r;

	memset(s, 0, sizeof(*s));
	if (!cpp)
		return -EINVAL;
	r = drmModeCreateDumbBuffer(fd, width, height, cpp * 8, 0, &s->handle, &s->pitch, &s->size);
	if (r)
		goto err;
	if (s->pitch < width * cpp || s->size < (uint64_t)s->pitch * height) {
		r = -EIO; /* a driver that lies about its own buffer */
		goto err_dumb;
	}
	handles[0] = s->handle;
	pitches[0] = s->pitch;
	r = drmModeAddFB2(fd, width, height, fourcc, handles, pitches, offsets, &s->fb_id, 0);
	if (r)
		goto err_dumb;
	r = drmModeMapDumbBuffer(fd, s->handle, &offset);
	if (r)
		goto err_fb;
	map = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (map == MAP_FAILED) {
		r = -errno;
		goto err_fb;
	}
	s->map = map;
	s->width = width;
	s->height = height;
	s->fourcc = fourcc;
	s->cpp = cpp;
	return 0;

err_fb:
	drmModeRmFB(fd, s->fb_id);
err_dumb:
	drmModeDestroyDumbBuffer(fd, s->handle);
err:
	memset(s, 0, sizeof(*s));
	return r;
}

void kms_scanbuf_destroy(int fd, struct kms_scanbuf *s)
{
	if (s->map)
		munmap(s->map, s->size);
	/*
	 * RmFB of a framebuffer still on a plane would turn that plane off:
	 * callers only destroy buffers a committed state no longer shows.
	 */
	if (s->fb_id)
		drmModeRmFB(fd, s->fb_id);
	if (s->handle)
		drmModeDestroyDumbBuffer(fd, s->handle);
	memset(s, 0, sizeof(*s));
}

/* Black outside the rectangle (x, y, w, h); w or h 0 clears everything. */
static void clear_around(struct kms_scanbuf *s, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	size_t row = (size_t)s->width * s->cpp, left = (size_t)x * s->cpp;
	size_t right = (size_t)(x + w) * s->cpp;

	for (uint32_t r = 0; r < s->height; r++) {
		uint8_t *p = s->map + (size_t)r * s->pitch;

		if (!w || !h || r < y || r >= y + h) {
			memset(p, 0, row);
			continue;
		}
		memset(p, 0, left);
		memset(p + right, 0, row - right);
	}
}

uint64_t kms_scanbuf_draw(struct kms_scanbuf *s, uint32_t x, uint32_t y, const struct zd_image *img)
{
	uint32_t w = 0, h = 0;
	size_t len;

	/* Clip the image to the buffer: (x, y) may be anywhere. */
	if (x < s->width && y < s->height) {
		w = img->width < s->width - x ? img->width : s->width - x;
		h = img->height < s->height - y ? img->height : s->height - y;
	}
	if (!w || !h)
		x = y = w = h = 0;
	if (!s->drawn_valid || s->drawn_x != x || s->drawn_y != y || s->drawn_w != w ||
	    s->drawn_h != h) {
		clear_around(s, x, y, w, h);
		s->drawn_valid = true;
		s->drawn_x = x;
		s->drawn_y = y;
		s->drawn_w = w;
		s->drawn_h = h;
	}
	/*
	 * Rows 0..h-1 of at most width pixels: with pitch >= width * cpp
	 * (checked by the caller) the last octet read is below
	 * pixels + pitch * height.
	 */
	len = (size_t)w * s->cpp;
	for (uint32_t r = 0; r < h; r++)
		memcpy(s->map + (size_t)(y + r) * s->pitch + (size_t)x * s->cpp,
		       img->pixels + (size_t)r * img->pitch, len);
	return (uint64_t)len * h;
}

void kms_scanbuf_plane_cfg(const struct kms_scanbuf *s, struct kms_plane_cfg *p)
{
	*p = (struct kms_plane_cfg){
		.fb_id = s->fb_id,
		.src_w = s->width,
		.src_h = s->height,
		.crtc_w = s->width,
		.crtc_h = s->height,
	};
}
