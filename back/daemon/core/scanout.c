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

#include "conn.h"
#include "device.h"
#include "display.h"
#include "../base/log.h"

/* The part of fb that the configuration shows: its top-left w x h. */
static uint32_t shown_w(const struct zd_conn *c, const struct zd_fb *fb)
{
	return fb->width < c->cfg_w ? fb->width : c->cfg_w;
}

static uint32_t shown_h(const struct zd_conn *c, const struct zd_fb *fb)
{
	return fb->height < c->cfg_h ? fb->height : c->cfg_h;
}

/* That part as an image in guest memory (copy path); maps it first. */
static int fb_image(struct zd_conn *c, struct zd_fb *fb, struct zd_image *img)
{
	struct zd_dbuf *d = fb->dbuf;
	int r = zd_dbuf_map(c->dev, d);

	if (r)
		return r;
	img->pixels = (const uint8_t *)d->map + d->data_ofs;
	img->width = shown_w(c, fb);
	img->height = shown_h(c, fb);
	img->pitch = fb->pitch;
	img->fourcc = fb->fourcc;
	return 0;
}

/* Errors that are no refusal of the framebuffer: no reason to copy it. */
static bool transient(int err)
{
	return err == -EBUSY || err == -ETIMEDOUT || err == -ENOMEM || err == -EINTR;
}

static void complete(struct zd_conn *c, uint64_t fb_cookie)
{
	int r;

	c->flips++;
	r = zd_conn_send_event(c, XENDISPL_EVT_PG_FLIP, fb_cookie);
	zd_dbg(c->name, "PG_FLIP event for fb %#llx: %s", (unsigned long long)fb_cookie,
	       r ? strerror(-r) : "sent");
}

static int start_flip(struct zd_conn *c, struct zd_fb *fb)
{
	struct zd_dmafb *dfb = zd_fb_dmafb(c, fb), *refused = NULL;
	struct zd_image img;
	int r = -EINVAL;

	if (dfb) {
		r = zd_output_flip_dmafb(c->out, dfb, shown_w(c, fb), shown_h(c, fb), fb->cookie);
		if (r && !transient(r))
			refused = zd_fb_refused(c, fb, r);
	}
	if (!dfb || refused) {
		r = fb_image(c, fb, &img);
		if (!r)
			r = zd_output_flip(c->out, &img, fb->cookie, &c->bytes_copied);
		/* The copy replaced it in the commit; or nothing did. */
		zd_conn_drop_dmafb(c, refused);
	}
	if (r)
		return r;
	c->flip_busy = true;
	c->flip_fb = fb->cookie;
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

static struct mode_place place(const struct zd_conn *c)
{
	if (!c->cfg_x && !c->cfg_y)
		return (struct mode_place){c->cfg_w, c->cfg_h, 0, 0};
	return (struct mode_place){c->width, c->height, c->cfg_x, c->cfg_y};
}

/* The modeset of SET_CONFIG on c's output, showing fb. */
static int show(struct zd_conn *c, struct zd_fb *fb)
{
	struct zd_dmafb *dfb = zd_fb_dmafb(c, fb), *refused = NULL;
	struct mode_place m = place(c);
	struct zd_image img;
	int r = -EINVAL;

	if (dfb) {
		r = zd_output_set_config_dmafb(c->out, m.w, m.h, m.x, m.y, dfb, shown_w(c, fb),
					       shown_h(c, fb));
		if (r && !transient(r))
			refused = zd_fb_refused(c, fb, r);
	}
	if (!dfb || refused) {
		r = fb_image(c, fb, &img);
		if (!r)
			r = zd_output_set_config(c->out, m.w, m.h, m.x, m.y, &img,
						 &c->bytes_copied);
		zd_conn_drop_dmafb(c, refused);
	}
	return r;
}

int zd_scanout_set_config(struct zd_conn *c, const struct xendispl_set_config_req *q)
{
	struct zd_fb *fb;
	int r;

	if (is_reset(q)) {
		if (c->out)
			zd_output_disable(c->out);
		c->configured = false;
		zd_info(c->name, "display off");
		return 0;
	}
	fb = zd_fb_find(&c->dev->bufs, q->fb_cookie);
	if (!fb)
		return -ENOENT;
	/* The shown rectangle lies within the connector and the fb. */
	if (!q->width || !q->height || q->x > c->width || q->width > c->width - q->x ||
	    q->y > c->height || q->height > c->height - q->y || q->width > fb->width ||
	    q->height > fb->height || q->bpp != fb->cpp * 8)
		return -EINVAL;
	c->cfg_x = q->x;
	c->cfg_y = q->y;
	c->cfg_w = q->width;
	c->cfg_h = q->height;
	if (c->out) {
		r = show(c, fb);
		if (r)
			return r;
	}
	c->configured = true;
	c->config_fb = q->fb_cookie;
	zd_info(c->name, "display on: %ux%u at %u,%u of %ux%u", q->width, q->height, q->x, q->y,
		c->width, c->height);
	return 0;
}

int zd_scanout_page_flip(struct zd_conn *c, uint64_t fb_cookie)
{
	struct zd_fb *fb = zd_fb_find(&c->dev->bufs, fb_cookie);

	if (!fb)
		return -ENOENT;
	if (!c->configured)
		return -EINVAL;
	if (!c->out) {
		complete(c, fb_cookie);
		return 0;
	}
	if (c->flip_busy) {
		if (c->queued)
			complete(c, c->queued_fb); /* superseded, never shown */
		c->queued = true;
		c->queued_fb = fb_cookie;
		return 0;
	}
	return start_flip(c, fb);
}

void zd_scanout_flip_done(struct zd_conn *c, uint64_t fb_cookie)
{
	struct zd_fb *fb;

	c->flip_busy = false;
	complete(c, fb_cookie);
	if (!c->queued)
		return;
	c->queued = false;
	fb = zd_fb_find(&c->dev->bufs, c->queued_fb);
	/* Detached meanwhile, or the display refused: still answer it. */
	if (!fb || !c->configured || start_flip(c, fb))
		complete(c, c->queued_fb);
}

void zd_scanout_reset(struct zd_conn *c)
{
	c->configured = false;
	c->flip_busy = false;
	c->queued = false;
}
