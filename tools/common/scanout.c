// SPDX-License-Identifier: MIT
/* Capture of a CRTC's scanout through GETFB2 + MAP_DUMB, or the dma-buf of an
 * imported framebuffer (see scanout.h). */
#include "scanout.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

/* The framebuffer behind a CRTC, reduced to what capture needs. */
struct fbinfo {
	uint32_t width, height, pitch, offset;
	uint32_t handles[4]; /* GEM handles we now own and must close */
	const struct zd_pixfmt *fmt;
};

static int crtc_is_on(int fd, uint32_t crtc_id)
{
	drmModeCrtc *crtc = drmModeGetCrtc(fd, crtc_id);
	int on = crtc && crtc->mode_valid && crtc->buffer_id;

	drmModeFreeCrtc(crtc);
	return on;
}

/* The CRTC a connector is routed to through its current encoder, or 0. */
static uint32_t connector_crtc(int fd, const drmModeConnector *c)
{
	drmModeEncoder *enc;
	uint32_t crtc;

	if (!c->encoder_id || !(enc = drmModeGetEncoder(fd, c->encoder_id)))
		return 0;
	crtc = enc->crtc_id;
	drmModeFreeEncoder(enc);
	return crtc;
}

/* zd_open_card() callback: the card has the connector asked for, or, when
 * none was, a CRTC that is on. Reads state only, never probes. */
static int card_matches(int fd, void *ctx)
{
	const char *connector = ctx;
	drmModeRes *res = drmModeGetResources(fd);
	int ok = 0;

	if (!res)
		return 0;
	if (connector) {
		drmModeConnector *c = zd_find_connector(fd, res, connector, 0);

		ok = c != NULL;
		drmModeFreeConnector(c);
	} else {
		for (int i = 0; i < res->count_crtcs && !ok; i++)
			ok = crtc_is_on(fd, res->crtcs[i]);
	}
	drmModeFreeResources(res);
	return ok;
}

/* Pick the CRTC (and name the connector) for the request. */
static int find_crtc(int fd, const char *connector, struct zd_scanout *out)
{
	drmModeRes *res = drmModeGetResources(fd);
	drmModeConnector *c;
	int ret = -1;

	if (!res) {
		fprintf(stderr, "error: %s: drmModeGetResources: %s\n", out->card, strerror(errno));
		return -1;
	}
	if (connector) {
		c = zd_find_connector(fd, res, connector, 0);
		if (!c) {
			fprintf(stderr, "error: %s: no connector %s\n", out->card, connector);
			goto out;
		}
		zd_connector_name(c, out->connector, sizeof(out->connector));
		out->crtc_id = connector_crtc(fd, c);
		drmModeFreeConnector(c);
		if (!out->crtc_id) {
			fprintf(stderr,
				"error: %s: connector %s is not driven by any CRTC "
				"(nothing shown)\n",
				out->card, out->connector);
			goto out;
		}
	} else {
		for (int i = 0; i < res->count_crtcs && !out->crtc_id; i++)
			if (crtc_is_on(fd, res->crtcs[i]))
				out->crtc_id = res->crtcs[i];
		if (!out->crtc_id) {
			fprintf(stderr, "error: %s: no CRTC is on (nothing shown)\n", out->card);
			goto out;
		}
		/* Name the connector on it, for the report only. */
		for (int i = 0; i < res->count_connectors && !out->connector[0]; i++) {
			c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
			if (c && connector_crtc(fd, c) == out->crtc_id)
				zd_connector_name(c, out->connector, sizeof(out->connector));
			drmModeFreeConnector(c);
		}
	}
	ret = 0;
out:
	drmModeFreeResources(res);
	return ret;
}

static void close_handles(int fd, struct fbinfo *fb)
{
	for (int i = 0; i < 4; i++) {
		if (!fb->handles[i])
			continue;
		/* Planes of one buffer may share a handle: close it once. */
		for (int k = i + 1; k < 4; k++)
			if (fb->handles[k] == fb->handles[i])
				fb->handles[k] = 0;
		drmCloseBufferHandle(fd, fb->handles[i]);
		fb->handles[i] = 0;
	}
}

static int get_fb(int fd, const char *card, uint32_t fb_id, struct fbinfo *fb)
{
	drmModeFB2 *fb2 = drmModeGetFB2(fd, fb_id);

	memset(fb, 0, sizeof(*fb));
	if (fb2) {
		memcpy(fb->handles, fb2->handles, sizeof(fb->handles));
		fb->width = fb2->width;
		fb->height = fb2->height;
		fb->pitch = fb2->pitches[0];
		fb->offset = fb2->offsets[0];
		fb->fmt = zd_pixfmt_by_fourcc(fb2->pixel_format);
		if (!fb->fmt) {
			uint32_t f = fb2->pixel_format;
			char name[5] = {(char)f, (char)(f >> 8), (char)(f >> 16), (char)(f >> 24),
					0};

			fprintf(stderr,
				"error: %s: framebuffer %u has format %s, capture reads %s\n", card,
				fb_id, name, zd_pixfmt_list());
		} else if ((fb2->flags & DRM_MODE_FB_MODIFIERS) &&
			   fb2->modifier != DRM_FORMAT_MOD_LINEAR) {
			fprintf(stderr,
				"error: %s: framebuffer %u has modifier 0x%llx, "
				"capture reads only linear layouts\n",
				card, fb_id, (unsigned long long)fb2->modifier);
			fb->fmt = NULL;
		}
		drmModeFreeFB2(fb2);
	} else {
		/* GETFB2 is Linux 5.7+; GETFB has no fourcc, only bpp and depth. */
		int err2 = errno;
		drmModeFB *old = drmModeGetFB(fd, fb_id);

		if (!old) {
			fprintf(stderr, "error: %s: drmModeGetFB2 fb %u: %s; drmModeGetFB: %s\n",
				card, fb_id, strerror(err2), strerror(errno));
			return -1;
		}
		fb->handles[0] = old->handle;
		fb->width = old->width;
		fb->height = old->height;
		fb->pitch = old->pitch;
		fb->fmt = zd_pixfmt_by_bpp_depth(old->bpp, old->depth);
		if (!fb->fmt)
			fprintf(stderr,
				"error: %s: framebuffer %u has bpp %u depth %u, capture reads %s\n",
				card, fb_id, old->bpp, old->depth, zd_pixfmt_list());
		drmModeFreeFB(old);
	}
	if (!fb->fmt) {
		close_handles(fd, fb);
		return -1;
	}
	if (!fb->handles[0]) {
		fprintf(stderr,
			"error: %s: the kernel gave no handle for framebuffer %u: reading another "
			"client's framebuffer needs CAP_SYS_ADMIN (run as root)\n",
			card, fb_id);
		close_handles(fd, fb);
		return -1;
	}
	return 0;
}

/* Copy the visible area out of the framebuffer's memory as RGB. */
static int read_pixels(int fd, const struct fbinfo *fb, struct zd_scanout *out)
{
	struct drm_mode_map_dumb map = {.handle = fb->handles[0]};
	unsigned int cpp = fb->fmt->bpp / 8;
	/* What AddFB2 made the kernel check exists: the last row need not be a
	 * whole pitch, so map no further than the last pixel read. */
	size_t len = fb->offset + (size_t)fb->pitch * (out->y + out->height - 1) +
		     (size_t)(out->x + out->width) * cpp;
	uint8_t *p, *line;
	int dmabuf = -1;

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) == 0) {
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)map.offset);
	} else if (errno == EINVAL &&
		   drmPrimeHandleToFD(fd, fb->handles[0], DRM_CLOEXEC, &dmabuf) == 0) {
		/*
		 * The kernel maps no imported buffer through the card (a
		 * zero-copy scanout is one): map the dma-buf itself, as the
		 * exporter allows, and tell it the CPU reads.
		 */
		struct dma_buf_sync sync = {.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ};

		p = mmap(NULL, len, PROT_READ, MAP_SHARED, dmabuf, 0);
		if (p != MAP_FAILED)
			drmIoctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
	} else {
		fprintf(stderr,
			"error: %s: DRM_IOCTL_MODE_MAP_DUMB on framebuffer %u: %s "
			"(the driver cannot map this buffer for userspace)\n",
			out->card, out->fb_id, strerror(errno));
		return -1;
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "error: %s: mmap of framebuffer %u (%zu bytes%s): %s\n", out->card,
			out->fb_id, len, dmabuf >= 0 ? ", its dma-buf" : "", strerror(errno));
		if (dmabuf >= 0)
			close(dmabuf);
		return -1;
	}
	out->rgb = malloc((size_t)out->width * out->height * 3);
	line = malloc((size_t)out->width * cpp);
	if (!out->rgb || !line) {
		fprintf(stderr, "error: out of memory for a %ux%u capture\n", out->width,
			out->height);
		free(line);
		munmap(p, len);
		if (dmabuf >= 0)
			close(dmabuf);
		return -1;
	}
	for (uint32_t r = 0; r < out->height; r++) {
		uint8_t *dst = out->rgb + (size_t)r * out->width * 3;

		/* One bulk copy per row: the mapping may be write-combined,
		 * where many small reads are very slow. */
		memcpy(line,
		       p + fb->offset + (size_t)(out->y + r) * fb->pitch + (size_t)out->x * cpp,
		       (size_t)out->width * cpp);
		for (uint32_t x = 0; x < out->width; x++, dst += 3) {
			uint32_t rgb = zd_pixfmt_unpack(fb->fmt, line + (size_t)x * cpp);

			dst[0] = (uint8_t)(rgb >> 16);
			dst[1] = (uint8_t)(rgb >> 8);
			dst[2] = (uint8_t)rgb;
		}
	}
	free(line);
	munmap(p, len);
	if (dmabuf >= 0) {
		struct dma_buf_sync sync = {.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ};

		drmIoctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
		close(dmabuf);
	}
	return 0;
}

int zd_scanout_capture(const char *card, const char *connector, struct zd_scanout *out)
{
	struct fbinfo fb;
	drmModeCrtc *crtc;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	fd = zd_open_card(card, card_matches, (void *)connector, out->card, sizeof(out->card));
	if (fd < 0)
		return -1;
	/* Opening a card with no master makes the opener master. A capture
	 * must never stand in the way of the process that drives the display,
	 * so give it up straight away. */
	if (drmIsMaster(fd))
		drmDropMaster(fd);

	if (find_crtc(fd, connector, out) < 0)
		goto done;
	crtc = drmModeGetCrtc(fd, out->crtc_id);
	if (!crtc) {
		fprintf(stderr, "error: %s: drmModeGetCrtc %u: %s\n", out->card, out->crtc_id,
			strerror(errno));
		goto done;
	}
	out->fb_id = crtc->buffer_id;
	out->x = crtc->x;
	out->y = crtc->y;
	out->width = crtc->mode.hdisplay;
	out->height = crtc->mode.vdisplay;
	if (!crtc->mode_valid || !crtc->buffer_id) {
		fprintf(stderr, "error: %s: CRTC %u is off or shows no framebuffer\n", out->card,
			out->crtc_id);
		drmModeFreeCrtc(crtc);
		goto done;
	}
	drmModeFreeCrtc(crtc);

	if (get_fb(fd, out->card, out->fb_id, &fb) < 0)
		goto done;
	out->fmt = fb.fmt;
	out->fb_width = fb.width;
	out->fb_height = fb.height;
	out->pitch = fb.pitch;
	if (!out->width || !out->height || out->x + (uint64_t)out->width > fb.width ||
	    out->y + (uint64_t)out->height > fb.height) {
		fprintf(stderr, "error: %s: CRTC %u shows %ux%u+%u+%u of a %ux%u framebuffer\n",
			out->card, out->crtc_id, out->width, out->height, out->x, out->y, fb.width,
			fb.height);
	} else {
		ret = read_pixels(fd, &fb, out);
	}
	close_handles(fd, &fb);
done:
	close(fd);
	if (ret < 0)
		zd_scanout_free(out);
	return ret;
}

void zd_scanout_free(struct zd_scanout *out)
{
	free(out->rgb);
	out->rgb = NULL;
}
