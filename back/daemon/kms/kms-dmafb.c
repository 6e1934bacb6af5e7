// SPDX-License-Identifier: GPL-2.0
/*
 * kms-dmafb.c: display.h's zero-copy entry points. A frame the guest drew
 * is shown from its own memory: a dma-buf becomes a framebuffer of the
 * output's device (kms-prime.c does the PRIME and ADDFB2 work), and
 * set_config and flips commit it to the output's plane like kms.c does
 * with its scanout buffers.
 */
#include "kms-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "../base/log.h"

/* The layout must describe pixels inside the buffer before KMS is asked. */
static int check_layout(const struct zd_fb_layout *l)
{
	uint32_t cpp = l ? zd_format_cpp(l->fourcc) : 0;
	uint64_t end;

	if (!cpp || !l->width || !l->height || l->width > ZD_MAX_DIMENSION ||
	    l->height > ZD_MAX_DIMENSION || (uint64_t)l->width * cpp > l->pitch)
		return -EINVAL;
	end = l->offset + (uint64_t)l->pitch * (l->height - 1) + (uint64_t)l->width * cpp;
	return end <= l->size ? 0 : -EINVAL;
}

/* A framebuffer on handle (one counted reference, ours from now on). */
static int dmafb_new(struct zd_output *o, uint32_t handle, const struct zd_fb_layout *l,
		     uint32_t fourcc, struct zd_dmafb **out)
{
	struct zd_dmafb *fb = calloc(1, sizeof(*fb));
	int r = fb ? kms_prime_fb(o->dev, handle, l, fourcc, &fb->fb_id) : -ENOMEM;

	if (r) {
		free(fb);
		kms_handle_unref(o->dev, handle);
		return r;
	}
	fb->o = o;
	fb->handle = handle;
	fb->width = l->width;
	fb->height = l->height;
	zd_dbg(o->prefix, "%s: dma-buf framebuffer %u (%ux%u, pitch %u, offset %u)", o->name,
	       fb->fb_id, l->width, l->height, l->pitch, l->offset);
	*out = fb;
	return 0;
}

/* Checks shared by both imports; the scanout format in *fourcc. */
static int import_check(struct zd_output *o, const struct zd_fb_layout *l, uint32_t *fourcc)
{
	if (!o || !o->claimed || check_layout(l))
		return -EINVAL;
	return kms_scanbuf_format(o, l->fourcc, fourcc);
}

int kms_output_import(struct zd_output *o, int fd, const struct zd_fb_layout *l,
		      struct zd_dmafb **out)
{
	uint32_t fourcc, handle;
	int r = import_check(o, l, &fourcc);

	if (!r)
		r = kms_prime_import(o->dev, fd, &handle);
	if (r)
		return r;
	return dmafb_new(o, handle, l, fourcc, out);
}

int kms_output_import_dumb(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
			   struct zd_dmafb **out)
{
	uint32_t fourcc, handle = b ? b->handle : 0;
	int r = b ? import_check(o, l, &fourcc) : -EINVAL;

	if (r)
		return r;
	if (o->dev == b->dev)
		r = kms_handle_ref(o->dev, handle);
	else
		r = kms_prime_import(o->dev, b->fd, &handle);
	if (r)
		return r;
	return dmafb_new(o, handle, l, fourcc, out);
}

bool kms_dmafb_drop(struct zd_dmafb *fb)
{
	struct zd_output *o;
	bool in_use, off = false;
	int r;

	if (!fb)
		return false;
	o = fb->o;
	if (o->claimed && o->flip_pending && o->pending_dma && o->pending_dmafb == fb) {
		r = kms_wait_flip(o, KMS_FLIP_WAIT_MS);
		if (r)
			zd_err(o->prefix,
			       "%s: the flip to a dropped framebuffer did not complete: %s",
			       o->name, strerror(-r));
	}
	/* In the state committed last: a flip in flight has replaced what is shown. */
	in_use = o->claimed &&
		 (o->flip_pending ? o->pending_dma && o->pending_dmafb == fb : o->shown == fb);
	if (in_use) {
		/* RMFB of a framebuffer in use would turn the CRTC off anyway. */
		off = o->active;
		kms_output_off(o);
		if (off)
			kms_info_rl(o, "%s: disabled: the framebuffer on the screen goes", o->name);
	}
	if (o->pending_dmafb == fb)
		o->pending_dmafb = NULL;
	if (o->shown == fb)
		o->shown = NULL;
	drmModeRmFB(o->dev->fd, fb->fb_id);
	kms_handle_unref(o->dev, fb->handle);
	free(fb);
	return off;
}

/* The plane shows the top-left w x h of fb at (x, y) of a mw x mh mode, clipped. */
static int dmafb_plane(const struct zd_dmafb *fb, uint32_t w, uint32_t h, uint32_t x, uint32_t y,
		       uint32_t mw, uint32_t mh, struct kms_plane_cfg *p)
{
	if (!w || !h || w > fb->width || h > fb->height || x >= mw || y >= mh)
		return -EINVAL;
	*p = (struct kms_plane_cfg){
		.fb_id = fb->fb_id,
		.src_w = w < mw - x ? w : mw - x,
		.src_h = h < mh - y ? h : mh - y,
		.crtc_x = (int32_t)x,
		.crtc_y = (int32_t)y,
	};
	p->crtc_w = p->src_w;
	p->crtc_h = p->src_h;
	return 0;
}

int kms_output_set_config_dmafb(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
				uint32_t y, struct zd_dmafb *fb, uint32_t w, uint32_t h)
{
	struct kms_plane_cfg pc;
	struct kms_mode_change m;
	int r;

	if (!o || !o->claimed || !fb || fb->o != o || !kms_size_ok(o, width, height))
		return -EINVAL;
	r = kms_mode_prepare(o, width, height, &m);
	if (r)
		return r;
	r = dmafb_plane(fb, w, h, x, y, m.mode.hdisplay, m.mode.vdisplay, &pc);
	if (!r)
		r = kms_commit_modeset(o, m.blob, &pc);
	if (r) {
		kms_warn_rl(o, "%s: zero-copy modeset %ux%u: %s", o->name, width, height,
			    strerror(-r));
		kms_mode_abort(o, &m);
		return r;
	}
	kms_mode_install(o, &m, x, y);
	o->shown = fb;
	kms_dbg_rl(o, "%s: %ux%u@%u (%s), zero-copy framebuffer %ux%u at %u,%u", o->name, width,
		   height, m.mode.vrefresh, m.generated ? "generated CVT-RB" : "connector's mode",
		   pc.src_w, pc.src_h, x, y);
	return 0;
}

int kms_output_flip_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h,
			  uint64_t token)
{
	struct kms_plane_cfg pc;
	int r;

	if (!o || !o->claimed || !o->active || !fb || fb->o != o)
		return -EINVAL;
	if (o->flip_pending || o->done)
		return -EBUSY;
	r = dmafb_plane(fb, w, h, o->x, o->y, o->mode.hdisplay, o->mode.vdisplay, &pc);
	if (r)
		return r;
	r = kms_commit_plane(o, &pc, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT);
	if (r) {
		if (r != -EBUSY)
			kms_warn_rl(o, "%s: zero-copy flip: %s", o->name, strerror(-r));
		return r;
	}
	zd_dbg(o->prefix, "%s: zero-copy flip committed (framebuffer %u)", o->name, fb->fb_id);
	o->flip_pending = true;
	o->flip_notify = true;
	o->pending_dma = true;
	o->pending_dmafb = fb;
	o->flip_token = token;
	return 0;
}

int kms_output_dumb_create(struct zd_output *o, uint32_t npages, struct zd_dumb **out)
{
	struct zd_dumb *b;
	int r;

	if (!o || !o->claimed || !npages)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	r = kms_dumb_create(o->dev, npages, &b->handle, &b->fd);
	if (r) {
		kms_warn_rl(o, "%s: dumb buffer of %u pages: %s", o->name, npages, strerror(-r));
		free(b);
		return r;
	}
	b->dev = o->dev;
	b->npages = npages;
	*out = b;
	return 0;
}

int kms_dumb_fd(const struct zd_dumb *b)
{
	return b ? b->fd : -1;
}

void kms_dumb_destroy(struct zd_dumb *b)
{
	if (!b)
		return;
	close(b->fd);
	kms_handle_unref(b->dev, b->handle);
	free(b);
}
