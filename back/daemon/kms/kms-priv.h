/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kms-priv.h: what the parts of the KMS display share. Nothing outside
 * kms/ includes it; the daemon's core only sees display.h's ops.
 *
 *   kms.c          devices, DRM events, outputs (claim, off, release) and
 *                  kms_display_ops
 *   kms-frame.c    the copy path's frames: set_config and flip of an image
 *   kms-dmafb.c    the zero-copy ops (dma-buf framebuffers)
 *   kms-mode.c     modesets: picking a connector mode or generating a
 *                  CVT-RB one, and its property blob
 *   kms-commit.c   KMS properties and atomic commits (modeset, plane, off):
 *                  knows framebuffer ids, not where their pixels come from
 *   kms-scanbuf.c  the copy path: dumb scanout buffers and drawing into them
 *   kms-prime.c    zero-copy: dma-bufs imported as framebuffers (PRIME), GEM
 *                  handles counted per device, dumb buffers exported for be-alloc
 *
 * Every function returns 0 or -errno; libdrm's conventions are translated
 * next to each call.
 */
#ifndef ZD_KMS_PRIV_H
#define ZD_KMS_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../core/display.h"
#include "kms.h"
#include "../base/log.h"
#include "../base/loop.h"
#include "../core/format.h"

/* A warning a guest can trigger, rate-limited per output (per claimant). */
/* What a guest makes an output do is logged under its claimant's limiter. */
#define kms_warn_rl(o, ...) zd_log_rl((o)->rl, ZD_LOG_WARN, (o)->prefix, __VA_ARGS__)
#define kms_info_rl(o, ...) zd_log_rl((o)->rl, ZD_LOG_INFO, (o)->prefix, __VA_ARGS__)
/* The details of what the core logs already (connected, display on, off). */
#define kms_dbg_rl(o, ...) zd_log_rl((o)->rl, ZD_LOG_DEBUG, (o)->prefix, __VA_ARGS__)

/* Double buffering: one buffer on screen (or in flight), one to draw into. */
#define KMS_NBUF 2

/* How long set_config waits for a flip in flight to reach the screen. */
#define KMS_FLIP_WAIT_MS 1000

/*
 * One dumb buffer of the mode's size with its framebuffer, mapped. drawn
 * remembers where the last image went: everything else is known to be black,
 * so only a change of that rectangle clears the buffer again.
 */
struct kms_scanbuf {
	uint32_t handle; /* GEM handle, 0: none */
	uint32_t fb_id;	 /* 0: none */
	uint32_t width, height, pitch, fourcc, cpp;
	uint64_t size;
	uint8_t *map; /* NULL: not mapped */
	bool drawn_valid;
	uint32_t drawn_x, drawn_y, drawn_w, drawn_h;
};

/* Where a plane takes its pixels from (16.16 is applied by the commit). */
struct kms_plane_cfg {
	uint32_t fb_id;
	uint32_t src_x, src_y, src_w, src_h; /* pixels of the framebuffer */
	int32_t crtc_x, crtc_y;
	uint32_t crtc_w, crtc_h;
};

/* KMS property ids of a claimed output's connector, CRTC and plane. */
struct kms_props {
	uint32_t conn_crtc_id;
	uint32_t crtc_active, crtc_mode_id;
	uint32_t plane_fb_id, plane_crtc_id;
	uint32_t plane_src_x, plane_src_y, plane_src_w, plane_src_h;
	uint32_t plane_crtc_x, plane_crtc_y, plane_crtc_w, plane_crtc_h;
};

/*
 * A GEM handle and how many of our objects use it. A device gives one
 * handle per buffer object, however often it is imported (PRIME), so
 * closing is counted.
 */
struct kms_handle {
	uint32_t handle;
	unsigned int refs;
};

struct kms_dev {
	struct zd_display *d;
	int fd; /* -1: not open */
	char path[64];
	int card; /* N of /dev/dri/cardN, -1 if the path says nothing */
	bool master;
	struct zd_source *src;
	uint32_t *crtcs; /* CRTC ids by index (the bits of possible_crtcs) */
	unsigned int ncrtcs;
	uint32_t min_w, max_w, min_h, max_h;
	struct kms_handle *handles; /* zero-copy's GEM handles */
	unsigned int nhandles, cap_handles;
};

/* A dma-buf framebuffer (display.h) on one output's device. */
struct zd_dmafb {
	struct zd_output *o;
	uint32_t handle, fb_id;
	uint32_t width, height;
};

/* A be-alloc dumb buffer (display.h), exported as a dma-buf. */
struct zd_dumb {
	struct kms_dev *dev;
	uint32_t handle;
	int fd;
	uint32_t npages;
};

struct zd_output {
	struct kms_dev *dev;
	char name[64];	    /* kms_output_name(): "Virtual-1" or "card1:Virtual-1" */
	char conn_name[32]; /* as the kernel names the connector: "Virtual-1" */
	uint32_t conn_id;
	uint32_t possible_crtcs; /* CRTC index bits over all encoders */
	uint32_t boot_crtc;	 /* CRTC driving the connector when opened, 0: none */

	unsigned int reserved; /* connectors configured for it (kms_output_reserve) */

	/* Claim. */
	bool claimed;
	char prefix[96]; /* log prefix given by the claimant */
	/* The claimant's: one guest cannot hide another's messages. */
	struct zd_ratelimit *rl;
	struct zd_ratelimit own_rl; /* for a claimant without one */
	zd_flip_done_fn fn;
	void *data;
	uint32_t crtc_id, plane_id;
	unsigned int crtc_idx;
	uint32_t *formats; /* the plane's formats */
	unsigned int nformats;
	struct kms_props props;

	/* Configuration. */
	bool active;	      /* CRTC on and showing our plane */
	drmModeModeInfo mode; /* valid when mode_blob != 0 */
	uint32_t mode_blob;
	uint32_t x, y; /* where the image goes on the screen */
	struct kms_scanbuf buf[KMS_NBUF];
	unsigned int front;	/* buf[front] is on screen (when active, shown NULL) */
	struct zd_dmafb *shown; /* zero-copy: on screen instead of buf[front] */

	/*
	 * Flips. flip_pending from a commit with PAGE_FLIP_EVENT until its event
	 * is read; done from then until fn is called from the loop. A released
	 * output's late event is read but not reported (flip_notify false).
	 */
	bool flip_pending, flip_notify;
	unsigned int pending_buf;
	bool pending_dma;		/* the flip brings a dmafb, not pending_buf */
	struct zd_dmafb *pending_dmafb; /* that dmafb; NULL once dropped */
	uint64_t flip_token;
	bool done;
	uint64_t done_token;
};

/*
 * The display ops (kms_display_ops, in kms.c); display.h says what each
 * does. kms.c: claim, release, name, disable; kms-frame.c: set_config,
 * flip; kms-dmafb.c: the zero-copy ones.
 */
int kms_output_claim(struct zd_display *d, const char *name, const char *log_prefix,
		     struct zd_ratelimit *rl, zd_flip_done_fn fn, void *data,
		     struct zd_output **out);
void kms_output_reserve(struct zd_display *d, const char *name, bool on);
void kms_output_release(struct zd_output *o);
const char *kms_output_name(const struct zd_output *o);
int kms_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			  uint32_t y, const struct zd_image *img, uint64_t *bytes_copied);
int kms_output_disable(struct zd_output *o);
int kms_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
		    uint64_t *bytes_copied);
int kms_output_import(struct zd_output *o, int fd, const struct zd_fb_layout *l,
		      struct zd_dmafb **out);
int kms_output_import_dumb(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
			   struct zd_dmafb **out);
bool kms_dmafb_drop(struct zd_dmafb *fb);
int kms_output_set_config_dmafb(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
				uint32_t y, struct zd_dmafb *fb, uint32_t w, uint32_t h);
int kms_output_flip_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h,
			  uint64_t token);
int kms_output_dumb_create(struct zd_output *o, uint32_t npages, struct zd_dumb **out);
int kms_dumb_fd(const struct zd_dumb *b);
void kms_dumb_destroy(struct zd_dumb *b);

/* kms-mode.c, kms-frame.c and kms.c, shared with kms-dmafb.c */
/* A mode of width x height for a modeset. */
struct kms_mode_change {
	drmModeModeInfo mode;
	uint32_t blob;
	bool generated, new_blob;
};
/*
 * Wait for the flip in flight, pick the mode and make its blob (a new one
 * only when the mode changes). Undo with kms_mode_abort, or
 * kms_mode_install once the modeset is on the screen.
 */
int kms_mode_prepare(struct zd_output *o, uint32_t width, uint32_t height,
		     struct kms_mode_change *m);
void kms_mode_abort(struct zd_output *o, struct kms_mode_change *m);
void kms_mode_install(struct zd_output *o, struct kms_mode_change *m, uint32_t x, uint32_t y);
/* width x height within the device's limits. */
bool kms_size_ok(struct zd_output *o, uint32_t width, uint32_t height);
/* The scanout format for an image format (ARGB8888 may become XRGB8888). */
int kms_scanbuf_format(const struct zd_output *o, uint32_t fourcc, uint32_t *out);
/* Wait until o has no flip in flight (events read here, reported later). */
int kms_wait_flip(struct zd_output *o, int timeout_ms);
/* Plane and CRTC off; buffers and mode blob stay. */
int kms_output_off(struct zd_output *o);

/* kms-commit.c */
int kms_props_lookup(struct zd_output *o);
int kms_plane_is_primary(int fd, uint32_t plane_id, bool *primary);
int kms_commit_modeset(struct zd_output *o, uint32_t mode_blob, const struct kms_plane_cfg *p);
/* flags: DRM_MODE_ATOMIC_NONBLOCK and/or DRM_MODE_PAGE_FLIP_EVENT. */
int kms_commit_plane(struct zd_output *o, const struct kms_plane_cfg *p, uint32_t flags);
int kms_commit_off(struct zd_output *o);

/* kms-scanbuf.c (bytes per pixel: zd_format_cpp() of format.h) */
int kms_scanbuf_create(int fd, uint32_t width, uint32_t height, uint32_t fourcc,
		       struct kms_scanbuf *s);
void kms_scanbuf_destroy(int fd, struct kms_scanbuf *s); /* safe on a zeroed one */
/*
 * Draw img with its top-left pixel at (x, y), clipped to the buffer, black
 * around it. img must be checked (kms.c) and of the buffer's cpp. Returns the
 * octets copied from img.
 */
uint64_t kms_scanbuf_draw(struct kms_scanbuf *s, uint32_t x, uint32_t y,
			  const struct zd_image *img);
/* The whole buffer as a plane's source, covering the whole CRTC. */
void kms_scanbuf_plane_cfg(const struct kms_scanbuf *s, struct kms_plane_cfg *p);

/* kms-prime.c */
/* Import dma-buf fd on k: a GEM handle, counted. */
int kms_prime_import(struct kms_dev *k, int fd, uint32_t *handle);
/* One more user of a handle we hold already; -ENOMEM. */
int kms_handle_ref(struct kms_dev *k, uint32_t handle);
/* One user less; the last one closes the handle (GEM_CLOSE). */
void kms_handle_unref(struct kms_dev *k, uint32_t handle);
/* Forget every handle (the device is closing; its fd takes them along). */
void kms_handles_free(struct kms_dev *k);
/*
 * A framebuffer of layout l (checked by the caller) on handle, in scanout
 * format fourcc, with l's offset and pitch and no modifier.
 */
int kms_prime_fb(struct kms_dev *k, uint32_t handle, const struct zd_fb_layout *l, uint32_t fourcc,
		 uint32_t *fb_id);
/* A dumb buffer of exactly npages pages, exported: handle (counted) and fd. */
int kms_dumb_create(struct kms_dev *k, uint32_t npages, uint32_t *handle, int *fd);

/* kms-mode.c */
/*
 * The connector's mode of exactly width x height (the preferred mode's
 * refresh rate first), else a generated 60 Hz CVT reduced-blanking one.
 * *generated says which. -ERANGE when no mode can describe the size.
 */
int kms_mode_pick(const drmModeConnector *conn, uint32_t width, uint32_t height,
		  drmModeModeInfo *mode, bool *generated);
int kms_mode_cvt_rb(uint32_t width, uint32_t height, uint32_t hz, drmModeModeInfo *mode);

#endif /* ZD_KMS_PRIV_H */
