// SPDX-License-Identifier: GPL-2.0
/*
 * wl-display.c: the connection to the compositor, its globals, and one
 * toplevel window per claimed output (wl-priv.h has the lifetimes).
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "wl-priv.h"
#include "xdg-shell-client-protocol.h"

/* ---- the connection ----------------------------------------------------- */

/*
 * What the compositor said before it hung up: a write that met the hang-up
 * (EPIPE) leaves its last message, a protocol error if any, unread; read
 * what is there without waiting. libwayland logs the error's text.
 */
static void hangup_reason(struct zd_display *d, int err, char *buf, size_t n)
{
	struct pollfd p = {.fd = wl_display_get_fd(d->wl), .events = POLLIN};
	const struct wl_interface *iface = NULL;
	uint32_t id = 0, code;

	for (int i = 0; i < 8 && err == EPIPE && !wl_display_get_error(d->wl); i++) {
		if (wl_display_prepare_read(d->wl) < 0) {
			wl_display_dispatch_pending(d->wl);
			continue;
		}
		if (poll(&p, 1, 0) <= 0) {
			wl_display_cancel_read(d->wl);
			break;
		}
		if (wl_display_read_events(d->wl) < 0)
			break;
		wl_display_dispatch_pending(d->wl);
	}
	code = wl_display_get_protocol_error(d->wl, &iface, &id);
	if (iface)
		snprintf(buf, n, "protocol error %u on %s@%u", code, iface->name, id);
	else
		snprintf(buf, n, "%s", strerror(err));
}

static void lost(struct zd_display *d, int err)
{
	char why[128];

	if (d->lost)
		return;
	d->lost = true;
	hangup_reason(d, err, why, sizeof(why));
	zd_err(WL_LOG,
	       "connection to the compositor lost (%s): every guest display runs "
	       "headless from now on",
	       why);
	if (d->src)
		zd_loop_remove(d->loop, d->src);
	d->src = NULL;
	/* Flips in flight will never see their frame callback. */
	for (struct zd_output *o = d->outputs; o; o = o->next)
		if (o->flip_pending && !o->flip_completed)
			zwl_complete_later(o, o->token);
}

void zwl_flush(struct zd_display *d)
{
	if (!d->lost && wl_display_flush(d->wl) < 0 && errno != EAGAIN)
		lost(d, errno);
}

static void on_readable(void *data)
{
	struct zd_display *d = data;

	if (wl_display_dispatch(d->wl) < 0)
		lost(d, errno);
	else
		zwl_flush(d);
}

bool zwl_headless(const struct zd_output *o)
{
	return o->d->lost || o->closed || !o->surface;
}

/* ---- globals -------------------------------------------------------------- */

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = {.ping = wm_ping};

static void shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct zd_display *d = data;

	(void)shm;
	if (format == WL_SHM_FORMAT_RGB565)
		d->shm_rgb565 = true;
}

static const struct wl_shm_listener shm_listener = {.format = shm_format};

static void dmabuf_add(struct zd_display *d, uint32_t fourcc, uint8_t mod)
{
	for (unsigned int i = 0; i < d->ndmabuf_formats; i++)
		if (d->dmabuf_formats[i].fourcc == fourcc) {
			d->dmabuf_formats[i].mods |= mod;
			return;
		}
	if (d->ndmabuf_formats < ZWL_MAX_FORMATS)
		d->dmabuf_formats[d->ndmabuf_formats++] =
			(struct zwl_dmabuf_format){.fourcc = fourcc, .mods = mod};
}

static void dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *dm, uint32_t fourcc)
{
	(void)dm;
	dmabuf_add(data, fourcc, ZWL_MOD_IMPLICIT); /* the event of versions 1 and 2 */
}

/* Other modifiers (tiled, compressed) are not how the guest drew its buffer. */
static void dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *dm, uint32_t fourcc,
			    uint32_t hi, uint32_t lo)
{
	uint64_t mod = (uint64_t)hi << 32 | lo;

	(void)dm;
	if (mod == DRM_FORMAT_MOD_INVALID)
		dmabuf_add(data, fourcc, ZWL_MOD_IMPLICIT);
	else if (mod == DRM_FORMAT_MOD_LINEAR)
		dmabuf_add(data, fourcc, ZWL_MOD_LINEAR);
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = dmabuf_format,
	.modifier = dmabuf_modifier,
};

static void global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
		   uint32_t version)
{
	struct zd_display *d = data;

	if (!strcmp(iface, wl_compositor_interface.name) && version >= 4) {
		d->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	} else if (!strcmp(iface, wl_shm_interface.name)) {
		d->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		wl_shm_add_listener(d->shm, &shm_listener, d);
	} else if (!strcmp(iface, xdg_wm_base_interface.name)) {
		d->wm = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(d->wm, &wm_listener, d);
	} else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name) && version >= 3) {
		/* Version 3: formats with their modifiers; 4 adds only feedback. */
		d->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
		zwp_linux_dmabuf_v1_add_listener(d->dmabuf, &dmabuf_listener, d);
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	(void)data, (void)reg, (void)name;
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

void zwl_fourcc_str(uint32_t f, char s[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(f >> (8 * i));

		s[i] = c >= ' ' && c <= '~' ? c : '?';
	}
	s[4] = '\0';
}

int zwl_display_open(struct zd_loop *loop, bool fullscreen, struct zd_display **out)
{
	struct zd_display *d = calloc(1, sizeof(*d));
	char list[ZWL_MAX_FORMATS * 13 + 1] = "";
	int r;

	if (!d)
		return -ENOMEM;
	d->loop = loop;
	d->fullscreen = fullscreen;
	d->wl = wl_display_connect(NULL);
	if (!d->wl) {
		r = -ECONNREFUSED;
		zd_err(WL_LOG, "cannot connect to a compositor (WAYLAND_DISPLAY=%s): %s",
		       getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "(unset)",
		       strerror(errno));
		free(d);
		return r;
	}
	d->registry = wl_display_get_registry(d->wl);
	wl_registry_add_listener(d->registry, &registry_listener, d);
	/* The globals, then their first events (formats). */
	if (wl_display_roundtrip(d->wl) < 0 || wl_display_roundtrip(d->wl) < 0) {
		r = -ECONNREFUSED;
		zd_err(WL_LOG, "the compositor does not answer: %s", strerror(errno));
		goto fail;
	}
	if (!d->compositor || !d->shm || !d->wm) {
		r = -ENOTSUP;
		zd_err(WL_LOG, "the compositor lacks %s",
		       !d->compositor ? "wl_compositor v4"
		       : !d->shm      ? "wl_shm"
				      : "xdg_wm_base");
		goto fail;
	}
	d->src = zd_loop_add(loop, wl_display_get_fd(d->wl), on_readable, d);
	if (!d->src) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned int i = 0; i < d->ndmabuf_formats; i++) {
		char s[5];

		zwl_fourcc_str(d->dmabuf_formats[i].fourcc, s);
		strcat(list, " ");
		strcat(list, s);
		if (d->dmabuf_formats[i].mods & ZWL_MOD_LINEAR)
			strcat(list, "(linear)");
	}
	if (d->dmabuf)
		zd_info(WL_LOG,
			"compositor connected: zero-copy through zwp_linux_dmabuf_v1 "
			"(formats with an implicit or linear modifier:%s)",
			d->ndmabuf_formats ? list : " none");
	else
		zd_info(WL_LOG, "compositor connected: it offers no zwp_linux_dmabuf_v1 (v3), "
				"so every frame is copied into wl_shm buffers");
	*out = d;
	return 0;

fail:
	zwl_display_close(d);
	return r;
}

void zwl_display_close(struct zd_display *d)
{
	if (!d)
		return;
	while (d->outputs)
		zwl_display_ops.release(d->outputs);
	if (d->src)
		zd_loop_remove(d->loop, d->src);
	if (d->dmabuf)
		zwp_linux_dmabuf_v1_destroy(d->dmabuf);
	if (d->wm)
		xdg_wm_base_destroy(d->wm);
	if (d->shm)
		wl_shm_destroy(d->shm);
	if (d->compositor)
		wl_compositor_destroy(d->compositor);
	if (d->registry)
		wl_registry_destroy(d->registry);
	wl_display_flush(d->wl);
	wl_display_disconnect(d->wl);
	free(d);
}

/* ---- windows ---------------------------------------------------------------- */

static void xs_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct zd_output *o = data;

	xdg_surface_ack_configure(xs, serial);
	o->configured = true;
}

static const struct xdg_surface_listener xs_listener = {.configure = xs_configure};

/* The compositor's size and states: the window keeps the guest's size. */
static void top_configure(void *data, struct xdg_toplevel *top, int32_t w, int32_t h,
			  struct wl_array *states)
{
	(void)data, (void)top, (void)w, (void)h, (void)states;
}

static void top_close(void *data, struct xdg_toplevel *top)
{
	struct zd_output *o = data;

	(void)top;
	zd_info(o->log_prefix,
		"%s: window closed: the guest's display runs headless until it "
		"sets its mode again",
		o->name);
	zwl_window_close(o);
	o->closed = true;
	if (o->flip_pending && !o->flip_completed)
		zwl_complete_later(o, o->token);
}

static const struct xdg_toplevel_listener top_listener = {
	.configure = top_configure,
	.close = top_close,
};

int zwl_window_open(struct zd_output *o)
{
	struct zd_display *d = o->d;

	if (d->lost)
		return 0; /* headless */
	o->closed = false;
	o->configured = false;
	o->surface = wl_compositor_create_surface(d->compositor);
	o->xsurface = xdg_wm_base_get_xdg_surface(d->wm, o->surface);
	o->toplevel = xdg_surface_get_toplevel(o->xsurface);
	if (!o->surface || !o->xsurface || !o->toplevel) {
		zwl_window_close(o);
		return -ENOMEM;
	}
	xdg_surface_add_listener(o->xsurface, &xs_listener, o);
	xdg_toplevel_add_listener(o->toplevel, &top_listener, o);
	xdg_toplevel_set_title(o->toplevel, o->title);
	xdg_toplevel_set_app_id(o->toplevel, "zdispl");
	if (d->fullscreen)
		xdg_toplevel_set_fullscreen(o->toplevel, NULL);
	wl_surface_commit(o->surface);
	/* Nothing may be attached before the first configure. */
	for (int i = 0; i < 10 && !o->configured && !d->lost; i++)
		if (wl_display_roundtrip(d->wl) < 0)
			lost(d, errno);
	if (!o->configured) {
		zwl_window_close(o);
		return d->lost ? 0 : -ETIMEDOUT;
	}
	zd_info(o->log_prefix, "%s: window \"%s\" open", o->name, o->title);
	return 0;
}

void zwl_window_close(struct zd_output *o)
{
	if (o->frame)
		wl_callback_destroy(o->frame);
	o->frame = NULL;
	if (o->toplevel)
		xdg_toplevel_destroy(o->toplevel);
	if (o->xsurface)
		xdg_surface_destroy(o->xsurface);
	if (o->surface)
		wl_surface_destroy(o->surface);
	o->toplevel = NULL;
	o->xsurface = NULL;
	o->surface = NULL;
	o->configured = false;
	o->shown = NULL;
	o->retiring = NULL; /* what the window held is not waited for */
	o->stalled = false;
	zwl_flush(o->d);
}

/* ---- the ops of claiming ---------------------------------------------------- */

static int zwl_claim(struct zd_display *d, const char *name, const char *log_prefix,
		     struct zd_ratelimit *rl, zd_flip_done_fn fn, void *data,
		     struct zd_output **out)
{
	struct zd_output *o;
	int r;

	if (d->noutputs >= ZWL_MAX_OUTPUTS)
		return -ENODEV;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->d = d;
	snprintf(o->name, sizeof(o->name), "wayland-%u", ++d->next_id);
	snprintf(o->title, sizeof(o->title), "%s%s%s", log_prefix ? log_prefix : o->name,
		 name ? " " : "", name ? name : "");
	o->log_prefix = log_prefix;
	o->rl = rl ? rl : &o->own_rl;
	o->fn = fn;
	o->data = data;
	r = zwl_window_open(o);
	if (r) {
		free(o);
		return r;
	}
	o->next = d->outputs;
	d->outputs = o;
	d->noutputs++;
	*out = o;
	return 0;
}

static void zwl_reserve(struct zd_display *d, const char *name, bool on)
{
	(void)d, (void)name, (void)on; /* every claim gets a window of its own */
}

static void zwl_release(struct zd_output *o)
{
	struct zd_output **p;

	if (!o)
		return;
	for (p = &o->d->outputs; *p && *p != o; p = &(*p)->next)
		;
	if (*p)
		*p = o->next;
	o->d->noutputs--;
	/* Completions are found through the list: one deferred never sees it. */
	zwl_window_close(o);
	zwl_shm_free(o);
	free(o);
}

static const char *zwl_name(const struct zd_output *o)
{
	return o->name;
}

static void zwl_set_title(struct zd_output *o, const char *title)
{
	snprintf(o->title, sizeof(o->title), "%s", title);
	zd_dbg(o->log_prefix, "%s: titled \"%s\"", o->name, o->title);
	if (o->toplevel) {
		xdg_toplevel_set_title(o->toplevel, o->title);
		zwl_flush(o->d);
	}
}

const struct zd_display_ops zwl_display_ops = {
	.claim = zwl_claim,
	.reserve = zwl_reserve,
	.release = zwl_release,
	.name = zwl_name,
	.set_title = zwl_set_title,
	.set_config = zwl_set_config,
	.disable = zwl_disable,
	.flip = zwl_flip,
	.import = zwl_import,
	.import_dumb = zwl_import_dumb,
	.dmafb_drop = zwl_dmafb_drop,
	.set_config_dmafb = zwl_set_config_dmafb,
	.flip_dmafb = zwl_flip_dmafb,
	.dumb_create = zwl_dumb_create,
	.dumb_fd = zwl_dumb_fd,
	.dumb_destroy = zwl_dumb_destroy,
};
