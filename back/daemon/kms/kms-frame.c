// SPDX-License-Identifier: GPL-2.0
/*
 * kms-frame.c: the copy path's frames on an output: set_config (a modeset
 * showing a copied image) and flip (the next image into the back buffer,
 * shown on the next vblank). The image's format picks the scanout
 * buffers' format; a change of format or size makes new ones.
 */
#include "kms-priv.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zdispl/displif-use.h>

#include "../base/log.h"

static void fourcc_str(uint32_t f, char s[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);

		s[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	s[4] = 0;
}

/*
 * The image is guest memory: its geometry must describe pixels that lie
 * inside pixels + pitch * height before a single row is read.
 */
static int check_image(const struct zd_image *img)
{
	uint32_t cpp;

	if (!img)
		return -EINVAL;
	cpp = zd_format_cpp(img->fourcc);
	if (!cpp || img->width > ZD_MAX_DIMENSION || img->height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if ((uint64_t)img->width * cpp > img->pitch)
		return -EINVAL;
	if (img->width && img->height && !img->pixels)
		return -EINVAL;
#if SIZE_MAX < UINT64_MAX
	if ((uint64_t)img->pitch * img->height > SIZE_MAX)
		return -EINVAL;
#endif
	return 0;
}

static bool plane_has(const struct zd_output *o, uint32_t fourcc)
{
	for (unsigned int i = 0; i < o->nformats; i++)
		if (o->formats[i] == fourcc)
			return true;
	return false;
}

/* The scanout format for an image format. */
int kms_scanbuf_format(const struct zd_output *o, uint32_t fourcc, uint32_t *out)
{
	if (plane_has(o, fourcc)) {
		*out = fourcc;
		return 0;
	}
	/* Same octets; a primary plane has nothing beneath it to blend with. */
	if (fourcc == DRM_FORMAT_ARGB8888 && plane_has(o, DRM_FORMAT_XRGB8888)) {
		*out = DRM_FORMAT_XRGB8888;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Check img and find its scanout format; logs (rate-limited) what it refuses. */
static int image_format(struct zd_output *o, const struct zd_image *img, uint32_t *fourcc)
{
	char f[5];
	int r = check_image(img);

	if (r) {
		if (img) {
			fourcc_str(img->fourcc, f);
			kms_warn_rl(o, "bad image %ux%u pitch %u format %s", img->width,
				    img->height, img->pitch, f);
		}
		return r;
	}
	r = kms_scanbuf_format(o, img->fourcc, fourcc);
	if (r) {
		fourcc_str(img->fourcc, f);
		kms_warn_rl(o, "%s cannot scan out format %s", o->name, f);
	}
	return r;
}

static int pair_create(struct zd_output *o, uint32_t w, uint32_t h, uint32_t fourcc,
		       struct kms_scanbuf nb[KMS_NBUF])
{
	int r = 0;

	memset(nb, 0, KMS_NBUF * sizeof(*nb));
	for (unsigned int i = 0; i < KMS_NBUF && !r; i++)
		r = kms_scanbuf_create(o->dev->fd, w, h, fourcc, &nb[i]);
	if (r) {
		zd_err(o->prefix, "scanout buffers %ux%u: %s", w, h, strerror(-r));
		for (unsigned int i = 0; i < KMS_NBUF; i++)
			kms_scanbuf_destroy(o->dev->fd, &nb[i]);
	}
	return r;
}

/* Replace the output's buffers; the screen must no longer show the old ones. */
static void pair_install(struct zd_output *o, struct kms_scanbuf nb[KMS_NBUF])
{
	for (unsigned int i = 0; i < KMS_NBUF; i++) {
		kms_scanbuf_destroy(o->dev->fd, &o->buf[i]);
		o->buf[i] = nb[i];
	}
}

static bool pair_fits(const struct zd_output *o, uint32_t w, uint32_t h, uint32_t fourcc)
{
	const struct kms_scanbuf *b = &o->buf[0];

	return b->fb_id && b->width == w && b->height == h && b->fourcc == fourcc;
}

int kms_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			  uint32_t y, const struct zd_image *img, uint64_t *bytes_copied)
{
	struct kms_scanbuf nb[KMS_NBUF] = {0}, *target;
	struct kms_plane_cfg pc;
	struct kms_mode_change m;
	uint32_t fourcc;
	bool new_bufs;
	struct kms_dev *k;
	uint64_t n;
	char f[5];
	int r;

	if (!o || !o->claimed)
		return -EINVAL;
	k = o->dev;
	if (!kms_size_ok(o, width, height))
		return -EINVAL;
	r = image_format(o, img, &fourcc);
	if (r)
		return r;
	/* Both buffers must be off the display's hands before one is redrawn. */
	r = kms_mode_prepare(o, width, height, &m);
	if (r)
		return r;
	new_bufs = !pair_fits(o, width, height, fourcc);
	if (new_bufs) {
		r = pair_create(o, width, height, fourcc, nb);
		if (r)
			goto err_blob;
		target = &nb[0];
	} else {
		target = &o->buf[(o->front + 1) % KMS_NBUF];
	}
	n = kms_scanbuf_draw(target, x, y, img);
	kms_scanbuf_plane_cfg(target, &pc);
	r = kms_commit_modeset(o, m.blob, &pc);
	if (r) {
		zd_err(o->prefix, "%s: modeset %ux%u: %s", o->name, width, height, strerror(-r));
		goto err_bufs;
	}
	/* The commit was blocking: nothing shows the old buffers now. */
	if (new_bufs) {
		pair_install(o, nb);
		o->front = 0;
	} else {
		o->front = (o->front + 1) % KMS_NBUF;
	}
	o->shown = NULL;
	kms_mode_install(o, &m, x, y);
	if (bytes_copied)
		*bytes_copied += n;
	fourcc_str(img->fourcc, f);
	kms_dbg_rl(o, "%s: %ux%u@%u (%s), image %ux%u %s at %u,%u", o->name, width, height,
		   m.mode.vrefresh, m.generated ? "generated CVT-RB" : "connector's mode",
		   img->width, img->height, f, x, y);
	return 0;

err_bufs:
	for (unsigned int i = 0; i < KMS_NBUF; i++)
		kms_scanbuf_destroy(k->fd, &nb[i]);
err_blob:
	kms_mode_abort(o, &m);
	return r;
}

int kms_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
		    uint64_t *bytes_copied)
{
	struct kms_scanbuf nb[KMS_NBUF] = {0}, *target;
	struct kms_plane_cfg pc;
	uint32_t fourcc, flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
	uint32_t w, h;
	unsigned int next;
	bool new_bufs;
	uint64_t n;
	int r;

	if (!o || !o->claimed || !o->active)
		return -EINVAL;
	if (o->flip_pending || o->done)
		return -EBUSY;
	r = image_format(o, img, &fourcc);
	if (r)
		return r;
	/* The mode's size: after zero-copy frames there may be no buffers yet. */
	w = o->mode.hdisplay;
	h = o->mode.vdisplay;
	new_bufs = !pair_fits(o, w, h, fourcc);
	if (new_bufs) {
		/*
		 * A new format needs new buffers; the commit then blocks so
		 * that the old ones are off the plane before they go.
		 */
		r = pair_create(o, w, h, fourcc, nb);
		if (r)
			return r;
		target = &nb[0];
		next = 0;
		flags &= ~(uint32_t)DRM_MODE_ATOMIC_NONBLOCK;
	} else {
		next = (o->front + 1) % KMS_NBUF;
		target = &o->buf[next];
	}
	n = kms_scanbuf_draw(target, o->x, o->y, img);
	kms_scanbuf_plane_cfg(target, &pc);
	r = kms_commit_plane(o, &pc, flags);
	if (r) {
		if (r != -EBUSY)
			kms_warn_rl(o, "%s: flip: %s", o->name, strerror(-r));
		for (unsigned int i = 0; i < KMS_NBUF; i++)
			kms_scanbuf_destroy(o->dev->fd, &nb[i]);
		return r;
	}
	if (new_bufs)
		pair_install(o, nb);
	zd_dbg(o->prefix, "%s: flip committed (buffer %u)", o->name, next);
	o->flip_pending = true;
	o->flip_notify = true;
	o->pending_buf = next;
	o->pending_dma = false;
	o->flip_token = token;
	if (bytes_copied)
		*bytes_copied += n;
	return 0;
}
