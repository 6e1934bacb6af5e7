// SPDX-License-Identifier: MIT
/* Card, connector, mode and CRTC selection (see output.h). */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

/* zd_open_card() callback: the card has the requested connector (or any
 * connected one), and it is connected. */
static int card_has_connector(int fd, void *ctx)
{
	const struct zd_output_req *req = ctx;
	drmModeRes *res = drmModeGetResources(fd);
	drmModeConnector *c;
	int ok;

	if (!res)
		return 0; /* not a modesetting device */
	c = zd_find_connector(fd, res, req->connector, 1);
	ok = c && c->connection == DRM_MODE_CONNECTED;
	drmModeFreeConnector(c);
	drmModeFreeResources(res);
	return ok;
}

static int pick_mode(const drmModeConnector *c, const struct zd_output_req *req,
		     drmModeModeInfo *mode)
{
	const drmModeModeInfo *found = NULL;

	for (int i = 0; i < c->count_modes; i++) {
		const drmModeModeInfo *m = &c->modes[i];

		if (req->width) {
			if (m->hdisplay == req->width && m->vdisplay == req->height &&
			    (!found || (m->type & DRM_MODE_TYPE_PREFERRED)))
				found = m;
		} else if (m->type & DRM_MODE_TYPE_PREFERRED) {
			found = m;
			break;
		}
	}
	/* No preferred mode flagged: the kernel lists the best one first. */
	if (!found && !req->width && c->count_modes)
		found = &c->modes[0];
	if (!found) {
		if (req->width)
			fprintf(stderr,
				"error: the connector has no %ux%u mode; it offers:", req->width,
				req->height);
		else
			fprintf(stderr, "error: the connector has no modes");
		for (int i = 0; i < c->count_modes && i < 32; i++)
			fprintf(stderr, " %ux%u", c->modes[i].hdisplay, c->modes[i].vdisplay);
		fprintf(stderr, "\n");
		return -1;
	}
	*mode = *found;
	return 0;
}

/* The CRTC already driving the connector, else the first one that one of its
 * encoders can use. */
static uint32_t pick_crtc(int fd, const drmModeRes *res, const drmModeConnector *c)
{
	drmModeEncoder *enc;
	uint32_t crtc = 0;

	if (c->encoder_id && (enc = drmModeGetEncoder(fd, c->encoder_id))) {
		crtc = enc->crtc_id;
		drmModeFreeEncoder(enc);
		if (crtc)
			return crtc;
	}
	for (int i = 0; i < c->count_encoders && !crtc; i++) {
		enc = drmModeGetEncoder(fd, c->encoders[i]);
		if (!enc)
			continue;
		for (int k = 0; k < res->count_crtcs && k < 32; k++) {
			if (enc->possible_crtcs & (1u << k)) {
				crtc = res->crtcs[k];
				break;
			}
		}
		drmModeFreeEncoder(enc);
	}
	return crtc;
}

/*
 * Only the DRM master may force a connector probe (without it the kernel
 * answers with the modes it last knew, maybe none) or set a mode. The
 * card's first opener becomes master by itself, but a previous client's
 * master can still be going away when we start: ask for a while.
 */
static int become_master(struct zd_output *out)
{
	for (int i = 0; i < 50 && !drmIsMaster(out->fd); i++) {
		if (!drmSetMaster(out->fd))
			break;
		usleep(100 * 1000);
	}
	if (!drmIsMaster(out->fd)) {
		fprintf(stderr, "error: %s: cannot become DRM master (another client holds it)\n",
			out->card);
		return -1;
	}
	return 0;
}

int zd_output_open(const struct zd_output_req *req, struct zd_output *out)
{
	drmModeRes *res = NULL;
	drmModeConnector *c = NULL;

	memset(out, 0, sizeof(*out));
	out->fd = zd_open_card(req->card, card_has_connector, (void *)req, out->card,
			       sizeof(out->card));
	if (out->fd < 0)
		return -1;
	if (become_master(out) < 0)
		goto fail;
	res = drmModeGetResources(out->fd);
	if (!res) {
		fprintf(stderr, "error: %s: drmModeGetResources: %s (not a modesetting device?)\n",
			out->card, strerror(errno));
		goto fail;
	}
	c = zd_find_connector(out->fd, res, req->connector, 1);
	if (!c) {
		fprintf(stderr, "error: %s: no connector %s%s\n", out->card,
			req->connector ? req->connector : "is connected",
			req->connector ? " (give an index or a name such as Virtual-1)" : "");
		goto fail;
	}
	zd_connector_name(c, out->connector_name, sizeof(out->connector_name));
	out->connector_id = c->connector_id;
	if (c->connection != DRM_MODE_CONNECTED) {
		fprintf(stderr, "error: %s: connector %s is not connected\n", out->card,
			out->connector_name);
		goto fail;
	}
	if (pick_mode(c, req, &out->mode) < 0)
		goto fail;
	out->crtc_id = pick_crtc(out->fd, res, c);
	if (!out->crtc_id) {
		fprintf(stderr, "error: %s: no CRTC can drive connector %s\n", out->card,
			out->connector_name);
		goto fail;
	}
	drmModeFreeConnector(c);
	drmModeFreeResources(res);
	return 0;

fail:
	drmModeFreeConnector(c);
	drmModeFreeResources(res);
	zd_output_close(out);
	return -1;
}

void zd_output_close(struct zd_output *out)
{
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
}
