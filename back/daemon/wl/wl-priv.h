/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wl-priv.h: what wl-display.c (the connection, its globals, the windows)
 * and wl-frame.c (buffers and flips) share.
 *
 * Lifetimes. A window lives from claim to release, or until the user
 * closes it: then the output runs headless (its flips complete at once)
 * until the next set_config opens a new window. When the compositor goes
 * away every output runs headless for good. Events never call the core's
 * flip callback directly: a frame callback only marks its flip done and
 * defers the call to the loop, so the core is never re-entered from
 * inside an op (a roundtrip dispatches events). A flip is done when its
 * frame callback has come and the compositor has released the guest's
 * buffer it replaced, if it held one: what a KMS page-flip event means.
 */
#ifndef ZD_WL_PRIV_H
#define ZD_WL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-client.h>

#include "../base/log.h"
#include "wl.h"

#define WL_LOG "wayland" /* the prefix of what concerns the compositor, not one guest */
#define ZWL_MAX_OUTPUTS 64
#define ZWL_MAX_FORMATS 64
#define ZWL_SHM_BUFFERS 3
/*
 * A compositor owes no frame callback to a window it does not show
 * (hidden, minimised, its output off): a flip not done in this long
 * completes anyway, so the guest goes on, at this pace.
 */
#define ZWL_FLIP_TIMEOUT_MS 1000

/*
 * A format the compositor takes as a dma-buf. Our buffers are linear, and
 * we say so (DRM_FORMAT_MOD_LINEAR) wherever the compositor takes that: a
 * compositor gives a KMS plane only buffers with an explicit modifier
 * (Weston 10 never scans out one with an implicit one). Version 3 of
 * linux-dmabuf lets a client offer a pair the compositor did not list (4
 * makes it a protocol error); one that lists a format only with the
 * implicit modifier gets linear first, and the implicit one once it has
 * refused linear for that format.
 */
struct zwl_dmabuf_format {
	uint32_t fourcc;
	uint8_t mods;
};

enum {
	ZWL_MOD_IMPLICIT = 1u << 0,	  /* listed with DRM_FORMAT_MOD_INVALID */
	ZWL_MOD_LINEAR = 1u << 1,	  /* listed with DRM_FORMAT_MOD_LINEAR */
	ZWL_MOD_LINEAR_REFUSED = 1u << 2, /* unlisted linear failed where implicit worked */
};

struct zd_display {
	struct zd_loop *loop;
	struct wl_display *wl;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct zd_source *src;
	bool lost;	 /* the connection is gone: every output is headless */
	bool fullscreen; /* windows ask to be fullscreen (--fullscreen) */
	/* Formats the compositor imports as dma-bufs, and with which modifiers. */
	struct zwl_dmabuf_format dmabuf_formats[ZWL_MAX_FORMATS];
	unsigned int ndmabuf_formats;
	bool shm_rgb565;
	unsigned int next_id, noutputs;
	struct zd_output *outputs;
};

struct zwl_shmbuf {
	struct wl_buffer *buf;
	void *pixels;
	size_t size;
	uint32_t width, height, stride, fourcc;
	bool busy; /* attached and not yet released by the compositor */
};

struct zd_output {
	struct zd_display *d;
	struct zd_output *next;
	char name[24]; /* "wayland-N" */
	char title[256];
	const char *log_prefix;
	struct zd_ratelimit *rl, own_rl;
	zd_flip_done_fn fn;
	void *data;

	struct wl_surface *surface;
	struct xdg_surface *xsurface;
	struct xdg_toplevel *toplevel;
	bool configured; /* the first configure came and was acked */
	bool closed;	 /* the user closed the window: headless until set_config */

	bool on; /* configured with a size, showing something */
	uint32_t width, height, x, y;

	struct wl_callback *frame;
	bool flip_pending;   /* a flip's completion is still to be reported */
	bool flip_completed; /* ... and it has happened: the loop reports it */
	bool due;	     /* reported by the run of completions under way */
	bool stalled;	     /* flips complete on ZWL_FLIP_TIMEOUT_MS, not the compositor */
	uint64_t token;
	uint64_t flip_since_us; /* when the pending flip was committed (the loop's clock) */

	struct zwl_shmbuf shm[ZWL_SHM_BUFFERS];
	struct zd_dmafb *shown; /* the dma-buf buffer attached last, if any */
	/*
	 * The guest's buffer a flip replaced, while the compositor still
	 * holds it: the flip completes once it is released as well, since
	 * the guest may draw into it again as soon as it hears of the flip.
	 */
	struct zd_dmafb *retiring;
};

struct zd_dmafb {
	struct zd_output *o;
	struct wl_buffer *buf;
	uint32_t width, height;
	bool busy; /* attached and not yet released by the compositor */
};

/* wl-display.c */
bool zwl_headless(const struct zd_output *o);
int zwl_window_open(struct zd_output *o);
void zwl_window_close(struct zd_output *o);
void zwl_flush(struct zd_display *d);
/* The fourcc's four characters, for logs ("?" for any unprintable one). */
void zwl_fourcc_str(uint32_t f, char s[5]);

/* wl-frame.c: the ops of showing (display.h has their rules) */
int zwl_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x, uint32_t y,
		   const struct zd_image *img, uint64_t *bytes_copied);
int zwl_disable(struct zd_output *o);
int zwl_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
	     uint64_t *bytes_copied);
int zwl_import(struct zd_output *o, int fd, const struct zd_fb_layout *l, struct zd_dmafb **out);
int zwl_import_dumb(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
		    struct zd_dmafb **out);
bool zwl_dmafb_drop(struct zd_dmafb *fb);
int zwl_set_config_dmafb(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			 uint32_t y, struct zd_dmafb *fb, uint32_t w, uint32_t h);
int zwl_flip_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h,
		   uint64_t token);
int zwl_dumb_create(struct zd_output *o, uint32_t npages, struct zd_dumb **out);
int zwl_dumb_fd(const struct zd_dumb *b);
void zwl_dumb_destroy(struct zd_dumb *b);
void zwl_shm_free(struct zd_output *o);
/* Attach buf (NULL: nothing new) and commit; with a token, a flip. */
int zwl_present(struct zd_output *o, struct wl_buffer *buf, bool flip, uint64_t token);
/* A flip of a headless output: reported from the loop. */
int zwl_complete_later(struct zd_output *o, uint64_t token);

#endif /* ZD_WL_PRIV_H */
