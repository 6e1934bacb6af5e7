/* SPDX-License-Identifier: GPL-2.0 */
/*
 * display.h: the seam between the core and a display. A display is what
 * shows frames (every KMS device the daemon drives, in kms/); an output is
 * one place to show them (a KMS connector with a CRTC and its primary
 * plane), claimed by one displif connector.
 *
 * The core reaches a display only through struct zd_display_ops: kms/
 * implements it with libdrm (atomic modesetting), the unit tests with a
 * fake, the fuzzer with checks around the fake. The types below are
 * opaque to the core; each implementation defines them.
 */
#ifndef ZD_DISPLAY_H
#define ZD_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct zd_display;
struct zd_output;
struct zd_ratelimit; /* base/log.h */
struct zd_dmafb;     /* a dma-buf framebuffer on one output's device */
struct zd_dumb;	     /* a dumb buffer allocated on an output's device (be-alloc) */

/*
 * Called from the loop (never from inside an op) when a flip reached the
 * screen, once per successful flip or flip_dmafb. It may flip again or
 * release the output, but must not close the display. Never called after
 * release.
 */
typedef void (*zd_flip_done_fn)(void *data, uint64_t token);

/* A frame in guest memory (copy path). */
struct zd_image {
	const uint8_t *pixels; /* first pixel (data_ofs applied) */
	uint32_t width, height, pitch, fourcc;
};

/* Where a frame lies in its dma-buf (zero-copy path). */
struct zd_fb_layout {
	uint32_t width, height, fourcc; /* FB_ATTACH's */
	uint32_t offset, pitch;		/* octets: data_ofs, and the frontend's row pitch */
	uint64_t size;			/* octets of the dma-buf */
};

/*
 * Zero-copy. A dma-buf (a frontend's pages exported through the zcopy
 * seam, or a dumb buffer the display allocated for be-alloc) is imported
 * into an output's device as a framebuffer (struct zd_dmafb) and shown as
 * it is: no octet is copied. The same rules hold as for the copy path:
 * set_config is synchronous, at most one flip is in flight, and its
 * completion comes through the same flip-done callback.
 *
 * The shown part is the top-left w x h of the framebuffer at (x, y) of
 * the mode, as the copy path places its image. Outside it the copy path
 * shows black; here the plane simply covers less of the CRTC, and drivers
 * whose primary plane must cover the whole CRTC (vkms) refuse the commit.
 * Callers then fall back to the copy path. When the framebuffer is the
 * mode's size (the common case) both paths show the same.
 */
struct zd_display_ops {
	/*
	 * Claim a free output: the one named name (e.g. "Virtual-1", or
	 * "card1:Virtual-1"), or if name is NULL or matches none, the next
	 * free one in order that nobody reserved. fn(data, token) reports its
	 * flips. The output's log lines about what its claimant does carry
	 * log_prefix and are limited by rl, the claimant's (NULL: a limiter of
	 * the output's own), which must outlive the claim. -ENODEV when none
	 * is free.
	 */
	int (*claim)(struct zd_display *d, const char *name, const char *log_prefix,
		     struct zd_ratelimit *rl, zd_flip_done_fn fn, void *data,
		     struct zd_output **out);
	/*
	 * Reserve (on) or give back a reservation of the outputs named name,
	 * counted: a connector configured for an output keeps it from claims
	 * that name no output, until it claims it by name itself.
	 */
	void (*reserve)(struct zd_display *d, const char *name, bool on);
	/* Disable, free its scanout buffers and give back. Safe on NULL. */
	void (*release)(struct zd_output *o);
	const char *(*name)(const struct zd_output *o);
	/*
	 * Optional (NULL where an output has no title, as on KMS): what the
	 * output shows the user as its name, e.g. a window's title. The text
	 * is copied.
	 */
	void (*set_title)(struct zd_output *o, const char *title);

	/*
	 * Copy path. Set the output's mode to width x height (the output's
	 * mode of that size, else a generated 60 Hz CVT-RB one) and show img
	 * copied with its top-left pixel at (x, y), clipped to the mode, black
	 * elsewhere. Synchronous: when it returns the picture is on the
	 * screen. A flip in flight is waited for first (at most 1 s; its
	 * callback still comes, from the loop). *bytes_copied (may be NULL)
	 * grows by the octets copied from img. Errors: -EINVAL not claimed,
	 * size outside the device's limits, or a bad image (unknown fourcc,
	 * pitch < width * cpp, no pixels); -EOPNOTSUPP the plane cannot scan
	 * out the format (ARGB8888 falls back to XRGB8888); -ERANGE no mode
	 * can describe the size; -ETIMEDOUT the flip in flight never
	 * completed; otherwise the kernel's -errno from the modeset.
	 */
	int (*set_config)(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			  uint32_t y, const struct zd_image *img, uint64_t *bytes_copied);
	/* CRTC and plane off; 0 if already off. -EINVAL if not claimed. */
	int (*disable)(struct zd_output *o);
	/*
	 * Show img at the configured place on the next vblank; the callback
	 * gets token once the display has flipped. img is copied before this
	 * returns. -EBUSY from a successful flip until its callback has come;
	 * -EINVAL when the output is not configured (or disabled) or img is
	 * bad; -EOPNOTSUPP as for set_config. A flip in a new format recreates
	 * the scanout buffers and blocks for one frame.
	 */
	int (*flip)(struct zd_output *o, const struct zd_image *img, uint64_t token,
		    uint64_t *bytes_copied);

	/*
	 * Zero-copy. Import dma-buf fd into o's device (PRIME) as a
	 * framebuffer of layout l, with offset and pitch as given and no
	 * modifier; ARGB8888 becomes XRGB8888 on a plane without it. The
	 * display holds its own reference: fd may be closed afterwards.
	 * Errors, all meaning "use the copy path": -EINVAL not claimed, or a
	 * layout that is not inside the buffer (pitch under width * cpp,
	 * unknown fourcc, zero size); -EOPNOTSUPP the plane cannot scan out
	 * the format; the kernel's -errno from the PRIME import
	 * (-ENOSYS/-EOPNOTSUPP no PRIME import on the device, -EINVAL a
	 * dma-buf it cannot use) or from ADDFB2 (-EINVAL pitch, offset or size
	 * the driver does not take, -ERANGE).
	 */
	int (*import)(struct zd_output *o, int fd, const struct zd_fb_layout *l,
		      struct zd_dmafb **out);
	/* The same for a dumb buffer: its own handle on its device, PRIME elsewhere. */
	int (*import_dumb)(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
			   struct zd_dmafb **out);
	/*
	 * Drop fb from its device. A flip in flight that brings it is waited
	 * for (at most 1 s); if it is then on the screen, the output is turned
	 * off first (logged), since removing a framebuffer in use turns its
	 * CRTC off anyway. Then RMFB and the GEM handle closed (counted: a
	 * dma-buf imported twice on one device has one handle). Afterwards the
	 * display holds no reference to the dma-buf that the daemon knows of.
	 * Returns true when it turned the output off. Works on released
	 * outputs too; safe on NULL.
	 */
	bool (*dmafb_drop)(struct zd_dmafb *fb);
	/*
	 * As set_config and flip, showing the top-left w x h of fb (imported
	 * on o) at (x, y), clipped to the mode. -EINVAL also when fb belongs
	 * to another output or w, h exceed it; a refused commit returns the
	 * kernel's -errno (the caller falls back to copying).
	 */
	int (*set_config_dmafb)(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
				uint32_t y, struct zd_dmafb *fb, uint32_t w, uint32_t h);
	int (*flip_dmafb)(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h,
			  uint64_t token);

	/*
	 * be-alloc: a dumb buffer of exactly npages 4 KiB pages on o's device,
	 * exported as a dma-buf (dumb_fd, DRM_CLOEXEC | DRM_RDWR, owned by the
	 * dumb buffer). Its rows are pages: the frame's own pitch and offset
	 * are given to each framebuffer made on it, so the octets are where
	 * the frontend expects them. -EINVAL not claimed, npages 0, or the
	 * driver made it another size; the kernel's -errno from CREATE_DUMB
	 * or PRIME. The buffer lives on while any framebuffer, import or fd
	 * holds it.
	 */
	int (*dumb_create)(struct zd_output *o, uint32_t npages, struct zd_dumb **out);
	int (*dumb_fd)(const struct zd_dumb *b);
	/* Close its fd and our handle. Safe on NULL. */
	void (*dumb_destroy)(struct zd_dumb *b);
};

#endif /* ZD_DISPLAY_H */
