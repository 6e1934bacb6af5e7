// SPDX-License-Identifier: GPL-2.0
/*
 * scanout.c: SET_CONFIG, PG_FLIP and flip completion for one connector.
 * A framebuffer imported into the connector's output is shown as it is;
 * any other is copied. When the display refuses to show an imported one,
 * that framebuffer is copied on this output from then on.
 */
#include "scanout.h"

#include <errno.h>
#include <string.h>

#include "display.h"
#include "../base/log.h"
#include "paths.h"

/* The part of fb that the configuration shows: its top-left w x h. */
static uint32_t shown_w(const struct zd_scanout *s, const struct zd_fb *fb)
{
	return fb->width < s->cfg_w ? fb->width : s->cfg_w;
}

static uint32_t shown_h(const struct zd_scanout *s, const struct zd_fb *fb)
{
	return fb->height < s->cfg_h ? fb->height : s->cfg_h;
}

/* That part as an image in guest memory (copy path); maps it first. */
static int fb_image(struct zd_scanout *s, struct zd_fb *fb, struct zd_image *img)
{
	struct zd_dbuf *d = fb->dbuf;
	int r = zd_path_map(s->bufs, d);

	if (r)
		return r;
	img->pixels = (const uint8_t *)d->map + d->data_ofs;
	img->width = shown_w(s, fb);
	img->height = shown_h(s, fb);
	img->pitch = fb->pitch;
	img->fourcc = fb->fourcc;
	return 0;
}

/* Errors that are no refusal of the framebuffer: no reason to copy it. */
static bool transient(int err)
{
	return err == -EBUSY || err == -ETIMEDOUT || err == -ENOMEM || err == -EINTR;
}

static void complete(struct zd_scanout *s, uint64_t fb_cookie)
{
	int r;

	s->flips++;
	r = s->event(s->event_ctx, fb_cookie);
	zd_dbg(s->name, "PG_FLIP event for fb %#llx: %s", (unsigned long long)fb_cookie,
	       r ? strerror(-r) : "sent");
}

/* Drop a refused framebuffer; if that took the output off, so is s. */
static void drop(struct zd_scanout *s, struct zd_dmafb *dfb)
{
	if (zd_path_drop(s->bufs, dfb))
		zd_scanout_went_off(s);
}

static int start_flip(struct zd_scanout *s, struct zd_fb *fb)
{
	struct zd_dmafb *dfb = zd_path_import(s->bufs, s->idx, fb), *refused = NULL;
	struct zd_image img;
	int r = -EINVAL;

	if (dfb) {
		r = s->dops->flip_dmafb(s->out, dfb, shown_w(s, fb), shown_h(s, fb), fb->cookie);
		if (r && !transient(r))
			refused = zd_path_refused(s->bufs, s->idx, fb, r);
	}
	if (!dfb || refused) {
		r = fb_image(s, fb, &img);
		if (!r)
			r = s->dops->flip(s->out, &img, fb->cookie, &s->bytes_copied);
		/* The copy replaced it in the commit; or nothing did. */
		drop(s, refused);
	}
	if (r)
		return r;
	s->flip_busy = true;
	s->flip_fb = fb->cookie;
	return 0;
}

static bool is_reset(const struct xendispl_set_config_req *q)
{
	return !q->fb_cookie && !q->x && !q->y && !q->width && !q->height && !q->bpp;
}

/*
 * The display mode for the configuration: a configuration at the
 * connector's origin gets a mode of its own size (a guest that chose a
 * smaller mode of the connector's EDID sees that mode on the display);
 * one placed elsewhere is shown at its place in the whole resolution.
 */
struct mode_place {
	uint32_t w, h, x, y;
};

static struct mode_place place(const struct zd_scanout *s)
{
	if (!s->cfg_x && !s->cfg_y)
		return (struct mode_place){s->cfg_w, s->cfg_h, 0, 0};
	return (struct mode_place){s->width, s->height, s->cfg_x, s->cfg_y};
}

/* The modeset of SET_CONFIG on c's output, showing fb. */
static int show(struct zd_scanout *s, struct zd_fb *fb)
{
	struct zd_dmafb *dfb = zd_path_import(s->bufs, s->idx, fb), *refused = NULL;
	struct mode_place m = place(s);
	struct zd_image img;
	int r = -EINVAL;

	if (dfb) {
		r = s->dops->set_config_dmafb(s->out, m.w, m.h, m.x, m.y, dfb, shown_w(s, fb),
					      shown_h(s, fb));
		if (r && !transient(r))
			refused = zd_path_refused(s->bufs, s->idx, fb, r);
	}
	if (!dfb || refused) {
		r = fb_image(s, fb, &img);
		if (!r)
			r = s->dops->set_config(s->out, m.w, m.h, m.x, m.y, &img, &s->bytes_copied);
		drop(s, refused);
	}
	return r;
}

int zd_scanout_set_config(struct zd_scanout *s, const struct xendispl_set_config_req *q)
{
	struct zd_fb *fb;
	int r;

	if (is_reset(q)) {
		if (s->out)
			s->dops->disable(s->out);
		s->configured = false;
		zd_log_rl(s->rl, ZD_LOG_INFO, s->name, "display off");
		return 0;
	}
	fb = zd_fb_find(s->bufs, q->fb_cookie);
	if (!fb)
		return -ENOENT;
	/* The shown rectangle lies within the connector and the fb. */
	if (!q->width || !q->height || q->x > s->width || q->width > s->width - q->x ||
	    q->y > s->height || q->height > s->height - q->y || q->width > fb->width ||
	    q->height > fb->height || q->bpp != fb->cpp * 8)
		return -EINVAL;
	s->cfg_x = q->x;
	s->cfg_y = q->y;
	s->cfg_w = q->width;
	s->cfg_h = q->height;
	if (s->out) {
		r = show(s, fb);
		if (r)
			return r;
	}
	s->configured = true;
	s->config_fb = q->fb_cookie;
	zd_log_rl(s->rl, ZD_LOG_INFO, s->name, "display on: %ux%u at %u,%u of %ux%u", q->width,
		  q->height, q->x, q->y, s->width, s->height);
	return 0;
}

int zd_scanout_page_flip(struct zd_scanout *s, uint64_t fb_cookie)
{
	struct zd_fb *fb = zd_fb_find(s->bufs, fb_cookie);

	if (!fb)
		return -ENOENT;
	if (!s->configured)
		return -EINVAL;
	if (!s->out) {
		complete(s, fb_cookie);
		return 0;
	}
	if (s->flip_busy) {
		if (s->queued)
			complete(s, s->queued_fb); /* superseded, never shown */
		s->queued = true;
		s->queued_fb = fb_cookie;
		return 0;
	}
	return start_flip(s, fb);
}

/* The display's flip-done callback (display.h). */
static void flip_done(void *data, uint64_t fb_cookie)
{
	struct zd_scanout *s = data;
	struct zd_fb *fb;

	s->flip_busy = false;
	complete(s, fb_cookie);
	if (!s->queued)
		return;
	s->queued = false;
	fb = zd_fb_find(s->bufs, s->queued_fb);
	/* Detached meanwhile, or the display refused: still answer it. */
	if (!fb || !s->configured || start_flip(s, fb))
		complete(s, s->queued_fb);
}

void zd_scanout_went_off(struct zd_scanout *s)
{
	if (!s->configured)
		return;
	s->configured = false;
	zd_log_rl(s->rl, ZD_LOG_INFO, s->name, "display off: its framebuffer went away");
}

void zd_scanout_init(struct zd_scanout *s, const char *name, struct zd_ratelimit *rl,
		     unsigned int idx, struct zd_buffers *bufs, zd_flip_event_fn event,
		     void *event_ctx)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->rl = rl;
	s->idx = idx;
	s->bufs = bufs;
	s->event = event;
	s->event_ctx = event_ctx;
}

void zd_scanout_start(struct zd_scanout *s, const struct zd_env *env, const char *output,
		      const char *title, uint32_t width, uint32_t height)
{
	int r;

	s->width = width;
	s->height = height;
	if (!env->dops || !env->display)
		return;
	r = env->dops->claim(env->display, output, s->name, s->rl, flip_done, s, &s->out);
	if (r) {
		/* Serve the guest anyway; frames complete without a screen. */
		zd_log_rl(s->rl, ZD_LOG_WARN, s->name,
			  "no display output free (%s): running headless", strerror(-r));
		s->out = NULL;
		return;
	}
	s->dops = env->dops;
	if (title && s->dops->set_title)
		s->dops->set_title(s->out, title);
	zd_paths_set_output(s->bufs, s->idx, s->out, s->name);
}

void zd_scanout_stop(struct zd_scanout *s)
{
	if (s->out) {
		/* Its framebuffers leave the output before the output goes. */
		zd_paths_set_output(s->bufs, s->idx, NULL, s->name);
		s->dops->release(s->out);
		s->out = NULL;
	}
	s->configured = false;
	s->flip_busy = false;
	s->queued = false;
}

const char *zd_scanout_output_name(const struct zd_scanout *s)
{
	return s->out ? s->dops->name(s->out) : "none";
}
