// SPDX-License-Identifier: GPL-2.0
/*
 * wl-frame.c: what a window shows. Copied frames go into wl_shm buffers of
 * the window's size (black around the guest's image); display buffers are
 * zwp_linux_dmabuf_v1 buffers made once per framebuffer from its dma-buf
 * and attached as they are. A flip attaches, asks for a frame callback
 * and commits; the callback completes it, through the loop.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/format.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "wl-priv.h"
#include "xdg-shell-client-protocol.h"

/* ---- completions ----------------------------------------------------------- */

/*
 * Report the flips completed before this call; one that a callback starts
 * and completes at once waits for the next round, so a headless guest that
 * flips without pause still lets the loop run.
 */
static void run_completions(void *data)
{
	struct zd_display *d = data;
	struct zd_output *o;

	for (o = d->outputs; o; o = o->next)
		o->due = o->flip_pending && o->flip_completed;
	for (;;) {
		for (o = d->outputs; o && !o->due; o = o->next)
			;
		if (!o)
			return;
		o->due = o->flip_pending = o->flip_completed = false;
		o->fn(o->data, o->token); /* may flip again, or release o */
	}
}

int zwl_complete_later(struct zd_output *o, uint64_t token)
{
	o->token = token;
	o->flip_pending = true;
	o->flip_completed = true;
	return zd_loop_defer(o->d->loop, run_completions, o->d);
}

/*
 * A flip is done once its frame callback came and the guest's buffer it
 * replaced is back from the compositor (see struct zd_output).
 */
static void flip_check(struct zd_output *o)
{
	if (!o->flip_pending || o->flip_completed || o->frame || o->retiring)
		return;
	o->flip_completed = true;
	if (zd_loop_defer(o->d->loop, run_completions, o->d))
		zd_err(o->log_prefix, "%s: flip completion lost: out of memory", o->name);
}

static void frame_done(void *data, struct wl_callback *cb, uint32_t ms)
{
	struct zd_output *o = data;

	(void)ms;
	wl_callback_destroy(cb);
	o->frame = NULL;
	if (o->stalled) {
		o->stalled = false;
		zd_log_rl(o->rl, ZD_LOG_INFO, o->log_prefix,
			  "%s: the compositor shows the window again: flips at its pace", o->name);
	}
	flip_check(o);
}

/* Flips the compositor has not done in ZWL_FLIP_TIMEOUT_MS complete now. */
static void flip_watchdog(void *data)
{
	struct zd_display *d = data;
	uint64_t now = zd_loop_now_us(d->loop), due, next = UINT64_MAX;

	for (struct zd_output *o = d->outputs; o; o = o->next) {
		if (!o->flip_pending || o->flip_completed)
			continue;
		due = o->flip_since_us + ZWL_FLIP_TIMEOUT_MS * 1000ull;
		if (now < due) {
			next = due - now < next ? due - now : next;
			continue;
		}
		if (!o->stalled) {
			o->stalled = true;
			zd_log_rl(o->rl, ZD_LOG_INFO, o->log_prefix,
				  "%s: the compositor has not %s in %u ms (is the window hidden?): "
				  "flips complete after that long until it does",
				  o->name,
				  o->frame ? "shown the guest's last flip"
					   : "released the buffer the last flip replaced",
				  ZWL_FLIP_TIMEOUT_MS);
		}
		if (o->frame)
			wl_callback_destroy(o->frame);
		o->frame = NULL;
		o->retiring = NULL;
		flip_check(o);
	}
	if (next != UINT64_MAX &&
	    zd_loop_defer_in(d->loop, (unsigned int)((next + 999) / 1000), flip_watchdog, d))
		zd_err(WL_LOG, "flip timeouts lost: out of memory");
}

static const struct wl_callback_listener frame_listener = {.done = frame_done};

int zwl_present(struct zd_output *o, struct wl_buffer *buf, bool flip, uint64_t token)
{
	struct zd_dmafb *prev = o->shown;

	if (flip && o->flip_pending)
		return -EBUSY;
	if (zwl_headless(o))
		return flip ? zwl_complete_later(o, token) : 0;
	wl_surface_attach(o->surface, buf, 0, 0);
	if (buf)
		wl_surface_damage_buffer(o->surface, 0, 0, INT32_MAX, INT32_MAX);
	if (flip) {
		if (o->frame)
			wl_callback_destroy(o->frame);
		o->frame = wl_surface_frame(o->surface);
		wl_callback_add_listener(o->frame, &frame_listener, o);
		o->token = token;
		o->flip_pending = true;
		o->flip_completed = false;
		o->retiring = prev && prev->buf != buf && prev->busy ? prev : NULL;
		o->flip_since_us = zd_loop_now_us(o->d->loop);
		if (zd_loop_defer_in(o->d->loop, ZWL_FLIP_TIMEOUT_MS, flip_watchdog, o->d))
			zd_err(o->log_prefix, "%s: flip timeout lost: out of memory", o->name);
	}
	wl_surface_commit(o->surface);
	zwl_flush(o->d);
	return 0;
}

/* ---- wl_shm buffers (the copy path) ---------------------------------------- */

static void shm_release(void *data, struct wl_buffer *buf)
{
	struct zwl_shmbuf *b = data;

	(void)buf;
	b->busy = false;
}

static const struct wl_buffer_listener shm_buffer_listener = {.release = shm_release};

static void shmbuf_free(struct zwl_shmbuf *b)
{
	if (b->buf)
		wl_buffer_destroy(b->buf);
	if (b->pixels)
		munmap(b->pixels, b->size);
	*b = (struct zwl_shmbuf){0};
}

void zwl_shm_free(struct zd_output *o)
{
	for (int i = 0; i < ZWL_SHM_BUFFERS; i++)
		shmbuf_free(&o->shm[i]);
}

static int shm_format(const struct zd_output *o, uint32_t fourcc, uint32_t *wl_format)
{
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
		*wl_format = WL_SHM_FORMAT_XRGB8888;
		return 0;
	case DRM_FORMAT_ARGB8888:
		*wl_format = WL_SHM_FORMAT_ARGB8888;
		return 0;
	case DRM_FORMAT_RGB565:
		*wl_format = WL_SHM_FORMAT_RGB565;
		return o->d->shm_rgb565 ? 0 : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

static int shmbuf_make(struct zd_output *o, struct zwl_shmbuf *b, uint32_t w, uint32_t h,
		       uint32_t fourcc)
{
	uint32_t cpp = zd_format_cpp(fourcc), wl_format;
	struct wl_shm_pool *pool;
	int fd, r;

	r = shm_format(o, fourcc, &wl_format);
	if (r)
		return r;
	b->width = w;
	b->height = h;
	b->fourcc = fourcc;
	b->stride = w * cpp;
	b->size = (size_t)b->stride * h;
	fd = memfd_create("zdispl-wl", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)b->size) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	b->pixels = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->pixels == MAP_FAILED) {
		r = -errno;
		b->pixels = NULL;
		close(fd);
		return r;
	}
	pool = wl_shm_create_pool(o->d->shm, fd, (int32_t)b->size);
	b->buf = wl_shm_pool_create_buffer(pool, 0, (int32_t)w, (int32_t)h, (int32_t)b->stride,
					   wl_format);
	wl_shm_pool_destroy(pool);
	close(fd);
	if (!b->buf) {
		shmbuf_free(b);
		return -ENOMEM;
	}
	wl_buffer_add_listener(b->buf, &shm_buffer_listener, b);
	return 0;
}

/* A free shm buffer of the window's size in fourcc (made if need be). */
static int shmbuf_get(struct zd_output *o, uint32_t fourcc, struct zwl_shmbuf **out)
{
	struct zwl_shmbuf *free_b = NULL;

	for (int i = 0; i < ZWL_SHM_BUFFERS; i++) {
		struct zwl_shmbuf *b = &o->shm[i];

		if (b->busy)
			continue;
		if (b->buf &&
		    (b->width != o->width || b->height != o->height || b->fourcc != fourcc))
			shmbuf_free(b);
		if (b->buf) {
			*out = b;
			return 0;
		}
		if (!free_b)
			free_b = b;
	}
	if (!free_b)
		return -EBUSY; /* the compositor holds them all */
	*out = free_b;
	return shmbuf_make(o, free_b, o->width, o->height, fourcc);
}

/* img at (x, y) of the window, clipped, black around it. */
static uint64_t shm_fill(struct zwl_shmbuf *b, uint32_t x, uint32_t y, const struct zd_image *img)
{
	uint32_t cpp = zd_format_cpp(b->fourcc), w, h;
	uint64_t n = 0;

	memset(b->pixels, 0, b->size);
	if (!img || x >= b->width || y >= b->height)
		return 0;
	w = img->width < b->width - x ? img->width : b->width - x;
	h = img->height < b->height - y ? img->height : b->height - y;
	for (uint32_t row = 0; row < h; row++) {
		memcpy((uint8_t *)b->pixels + (size_t)(y + row) * b->stride + (size_t)x * cpp,
		       img->pixels + (size_t)row * img->pitch, (size_t)w * cpp);
		n += (uint64_t)w * cpp;
	}
	return n;
}

static bool image_ok(const struct zd_image *img)
{
	uint32_t cpp = img ? zd_format_cpp(img->fourcc) : 0;

	return img && cpp && img->pixels && img->pitch >= (uint64_t)img->width * cpp;
}

static int show_image(struct zd_output *o, const struct zd_image *img, bool flip, uint64_t token,
		      uint64_t *bytes_copied)
{
	struct zwl_shmbuf *b;
	uint64_t n;
	int r;

	if (zwl_headless(o))
		return zwl_present(o, NULL, flip, token);
	r = shmbuf_get(o, img->fourcc, &b);
	if (r)
		return r;
	n = shm_fill(b, o->x, o->y, img);
	r = zwl_present(o, b->buf, flip, token);
	if (r)
		return r;
	b->busy = true;
	o->shown = NULL;
	if (bytes_copied)
		*bytes_copied += n;
	return 0;
}

static void set_size(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x, uint32_t y)
{
	if (o->toplevel && (o->width != width || o->height != height)) {
		/* The guest's mode is the window's size: no resizing. */
		xdg_toplevel_set_min_size(o->toplevel, (int32_t)width, (int32_t)height);
		xdg_toplevel_set_max_size(o->toplevel, (int32_t)width, (int32_t)height);
	}
	o->width = width;
	o->height = height;
	o->x = x;
	o->y = y;
	o->on = true;
}

/* A closed window comes back with the guest's next mode set. */
static int reopen(struct zd_output *o)
{
	int r;

	if (!o->closed || o->d->lost)
		return 0;
	r = zwl_window_open(o);
	if (r)
		return r;
	o->width = o->height = 0; /* its size is set anew */
	return 0;
}

int zwl_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x, uint32_t y,
		   const struct zd_image *img, uint64_t *bytes_copied)
{
	int r;

	if (!width || !height || width > 8192 || height > 8192 || !image_ok(img))
		return -EINVAL;
	if (shm_format(o, img->fourcc, &(uint32_t){0}))
		return -EOPNOTSUPP;
	r = reopen(o);
	if (r)
		return r;
	set_size(o, width, height, x, y);
	return show_image(o, img, false, 0, bytes_copied);
}

int zwl_disable(struct zd_output *o)
{
	struct zwl_shmbuf *b;
	int r;

	if (!o->on || zwl_headless(o)) {
		o->on = false;
		return 0;
	}
	/* Black: an xdg toplevel without a buffer would be unmapped. */
	r = shmbuf_get(o, DRM_FORMAT_XRGB8888, &b);
	if (r)
		return r;
	shm_fill(b, 0, 0, NULL);
	r = zwl_present(o, b->buf, false, 0);
	if (!r)
		b->busy = true;
	o->shown = NULL;
	o->on = false;
	return r;
}

int zwl_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
	     uint64_t *bytes_copied)
{
	if (!o->on || !image_ok(img))
		return -EINVAL;
	if (shm_format(o, img->fourcc, &(uint32_t){0}))
		return -EOPNOTSUPP;
	if (o->flip_pending)
		return -EBUSY;
	return show_image(o, img, true, token, bytes_copied);
}

/* ---- dma-buf buffers (zero-copy) -------------------------------------------- */

struct import_wait {
	struct wl_buffer *buf;
	bool done;
};

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *p, struct wl_buffer *buf)
{
	struct import_wait *w = data;

	(void)p;
	w->buf = buf;
	w->done = true;
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
	struct import_wait *w = data;

	(void)p;
	w->done = true;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static struct zwl_dmabuf_format *dmabuf_format(struct zd_display *d, uint32_t fourcc)
{
	for (unsigned int i = 0; i < d->ndmabuf_formats; i++)
		if (d->dmabuf_formats[i].fourcc == fourcc)
			return &d->dmabuf_formats[i];
	return NULL;
}

/* The compositor is done with the guest's buffer: the guest may draw into it. */
static void dmabuf_release(void *data, struct wl_buffer *buf)
{
	struct zd_dmafb *fb = data;
	struct zd_output *o = fb->o;

	(void)buf;
	fb->busy = false;
	if (o->retiring == fb) {
		o->retiring = NULL;
		flip_check(o);
	}
}

static const struct wl_buffer_listener dmabuf_buffer_listener = {.release = dmabuf_release};

/* One wl_buffer of fd with modifier mod; -EINVAL if the compositor refused it. */
static int dmabuf_create(struct zd_display *d, int fd, const struct zd_fb_layout *l, uint64_t mod,
			 struct wl_buffer **out)
{
	struct zwp_linux_buffer_params_v1 *params;
	struct import_wait w = {0};

	params = zwp_linux_dmabuf_v1_create_params(d->dmabuf);
	if (!params)
		return -ENOMEM;
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &w);
	zwp_linux_buffer_params_v1_add(params, fd, 0, l->offset, l->pitch, (uint32_t)(mod >> 32),
				       (uint32_t)mod);
	zwp_linux_buffer_params_v1_create(params, (int32_t)l->width, (int32_t)l->height, l->fourcc,
					  0);
	/* The compositor imports it now and says whether it could. */
	for (int i = 0; i < 10 && !w.done && !d->lost; i++)
		if (wl_display_roundtrip(d->wl) < 0)
			break;
	zwp_linux_buffer_params_v1_destroy(params);
	if (!w.buf)
		return w.done ? -EINVAL : -ETIMEDOUT;
	*out = w.buf;
	return 0;
}

/* Linear where the compositor takes it (see struct zwl_dmabuf_format). */
static int dmabuf_create_linear(struct zd_display *d, struct zwl_dmabuf_format *f, int fd,
				const struct zd_fb_layout *l, struct wl_buffer **out)
{
	char s[5];
	int r;

	if ((f->mods & ZWL_MOD_LINEAR) || !(f->mods & ZWL_MOD_IMPLICIT))
		return dmabuf_create(d, fd, l, DRM_FORMAT_MOD_LINEAR, out);
	if (f->mods & ZWL_MOD_LINEAR_REFUSED)
		return dmabuf_create(d, fd, l, DRM_FORMAT_MOD_INVALID, out);
	r = dmabuf_create(d, fd, l, DRM_FORMAT_MOD_LINEAR, out);
	if (r != -EINVAL)
		return r;
	r = dmabuf_create(d, fd, l, DRM_FORMAT_MOD_INVALID, out);
	if (!r) {
		f->mods |= ZWL_MOD_LINEAR_REFUSED;
		zwl_fourcc_str(f->fourcc, s);
		zd_info(WL_LOG,
			"the compositor refuses %s dma-bufs with an explicit linear modifier; "
			"they go with the implicit one, which it may not scan out directly",
			s);
	}
	return r;
}

int zwl_import(struct zd_output *o, int fd, const struct zd_fb_layout *l, struct zd_dmafb **out)
{
	struct zd_display *d = o->d;
	struct zwl_dmabuf_format *f;
	uint32_t cpp = zd_format_cpp(l->fourcc);
	struct wl_buffer *buf = NULL;
	struct zd_dmafb *fb;
	int r;

	if (!cpp || !l->width || !l->height || l->pitch < (uint64_t)l->width * cpp ||
	    (uint64_t)l->offset + (uint64_t)l->pitch * l->height > l->size)
		return -EINVAL;
	f = d->dmabuf ? dmabuf_format(d, l->fourcc) : NULL;
	if (d->lost || !f)
		return -EOPNOTSUPP; /* the compositor does not take it: wl_shm */
	r = dmabuf_create_linear(d, f, fd, l, &buf);
	if (r)
		return r;
	fb = calloc(1, sizeof(*fb));
	if (!fb) {
		wl_buffer_destroy(buf);
		return -ENOMEM;
	}
	wl_buffer_add_listener(buf, &dmabuf_buffer_listener, fb);
	fb->o = o;
	fb->buf = buf;
	fb->width = l->width;
	fb->height = l->height;
	*out = fb;
	return 0;
}

int zwl_import_dumb(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
		    struct zd_dmafb **out)
{
	(void)o, (void)b, (void)l, (void)out;
	return -EOPNOTSUPP; /* no dumb buffers here (see zwl_dumb_create) */
}

bool zwl_dmafb_drop(struct zd_dmafb *fb)
{
	struct zd_output *o;
	bool off = false, retiring;

	if (!fb)
		return false;
	o = fb->o;
	if (o->shown == fb) {
		/* The compositor may read it until something else is shown. */
		off = zwl_disable(o) == 0;
		if (off)
			zd_dbg(o->log_prefix, "%s: its shown buffer went away: black", o->name);
		o->shown = NULL; /* even if black could not be shown */
	}
	/* A flip waiting for its release: that will never come now. */
	retiring = o->retiring == fb;
	if (retiring)
		o->retiring = NULL;
	wl_buffer_destroy(fb->buf);
	zwl_flush(o->d);
	free(fb);
	if (retiring)
		flip_check(o);
	return off;
}

static int show_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h, bool flip,
		      uint64_t token)
{
	int r;

	if (fb->o != o || w > fb->width || h > fb->height)
		return -EINVAL;
	/* The whole window from one buffer: anything else is copied. */
	if (o->x || o->y || w != o->width || h != o->height || fb->width != w || fb->height != h)
		return -EOPNOTSUPP;
	r = zwl_present(o, fb->buf, flip, token);
	if (!r && !zwl_headless(o)) {
		o->shown = fb;
		fb->busy = true;
	}
	return r;
}

int zwl_set_config_dmafb(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			 uint32_t y, struct zd_dmafb *fb, uint32_t w, uint32_t h)
{
	int r;

	if (!width || !height || width > 8192 || height > 8192 || !fb)
		return -EINVAL;
	r = reopen(o);
	if (r)
		return r;
	set_size(o, width, height, x, y);
	r = show_dmafb(o, fb, w, h, false, 0);
	if (r)
		o->on = false;
	return r;
}

int zwl_flip_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h, uint64_t token)
{
	if (!o->on || !fb)
		return -EINVAL;
	if (o->flip_pending)
		return -EBUSY;
	return show_dmafb(o, fb, w, h, true, token);
}

/* be-alloc needs the helper here: the compositor's memory is not ours to grant. */
int zwl_dumb_create(struct zd_output *o, uint32_t npages, struct zd_dumb **out)
{
	(void)o, (void)npages, (void)out;
	return -EOPNOTSUPP;
}

int zwl_dumb_fd(const struct zd_dumb *b)
{
	(void)b;
	return -1;
}

void zwl_dumb_destroy(struct zd_dumb *b)
{
	(void)b;
}
