// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-kms.c: KMS for zdispl_front. Each displif connector is a simple
 * display pipe (CRTC + primary plane + encoder) with its connector.
 *
 *   framebuffer created   FB_ATTACH (a DBUF_CREATE first when needed)
 *   pipe enabled          SET_CONFIG with the mode and the framebuffer
 *   plane updated         PG_FLIP; the commit's event is sent when the
 *                         backend's XENDISPL_EVT_PG_FLIP for that
 *                         framebuffer arrives, or after flip_timeout_ms
 *   pipe disabled         SET_CONFIG reset
 *
 * The commit tail waits for flip completion (not for vblanks, which we do
 * not have), so an old framebuffer is released only once the backend has
 * moved off it. Out-fences signal with the event; in-fences and implicit
 * fences are waited for by the atomic helpers before the flip is sent.
 */
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>
#include <linux/slab.h>

#include "zfront-drm.h"

atomic64_t zfront_flip_timeouts = ATOMIC64_INIT(0);

/* What we offer; the backend's FB_ATTACH answer decides for each. */
static const u32 zfront_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
	DRM_FORMAT_RGB888,   DRM_FORMAT_BGR888,	  DRM_FORMAT_RGB565,   DRM_FORMAT_BGR565,
	DRM_FORMAT_XRGB1555, DRM_FORMAT_ARGB1555, DRM_FORMAT_XRGB4444, DRM_FORMAT_ARGB4444,
	DRM_FORMAT_RGB332,   DRM_FORMAT_C8,	  DRM_FORMAT_YUYV,     DRM_FORMAT_UYVY,
};

static struct zfront_fb *to_zfb(struct drm_framebuffer *fb)
{
	return container_of(fb, struct zfront_fb, base);
}

static struct zfront_pipe *to_pipe(struct drm_simple_display_pipe *pipe)
{
	return container_of(pipe, struct zfront_pipe, pipe);
}

static void zfront_fb_destroy(struct drm_framebuffer *fb)
{
	struct zfront_drm *zd = to_zd(fb->dev);
	struct zfront_fb *zfb = to_zfb(fb);
	int idx, ret;

	if (zfb->id && drm_dev_enter(fb->dev, &idx)) {
		ret = zfront_fb_detach(zd->info, zfb->id);
		if (ret)
			zf_warn_rl(zd->info, "FB_DETACH %u: %d\n", zfb->id, ret);
		drm_dev_exit(idx);
	}
	if (zfb->id)
		xa_erase(&zd->ids, zfb->id);
	if (zfb->own)
		zfront_dbuf_put(zd, zfb->own);
	drm_gem_fb_destroy(fb);
}

static const struct drm_framebuffer_funcs zfront_fb_funcs = {
	.destroy = zfront_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = drm_atomic_helper_dirtyfb,
};

/*
 * The display buffer fb shows: its object's own one if the rows match,
 * else one made for fb (pitch and offset as fb has them).
 */
static int fb_dbuf(struct zfront_drm *zd, struct zfront_fb *zfb, u32 *cookie)
{
	struct drm_framebuffer *fb = &zfb->base;
	struct drm_gem_object *obj = fb->obj[0];
	u32 cpp = fb->format->cpp[0], width;
	struct zfront_dbuf *dbuf;
	int ret;

	dbuf = zfront_is_bebuf(obj) ? zfront_bebuf_dbuf(obj) : to_bo(obj)->dbuf;
	/*
	 * The backend reads the buffer by DBUF_CREATE's pitch and bpp: a
	 * framebuffer that sees it otherwise gets a dbuf of its own.
	 */
	if (dbuf && dbuf->pitch == fb->pitches[0] && dbuf->bpp == cpp * 8 && fb->offsets[0] == 0) {
		*cookie = dbuf->id;
		return 0;
	}
	/* The backend's own memory is described once, at its allocation. */
	if (zfront_is_bebuf(obj))
		return -EINVAL;
	ret = zfront_fb_geometry(fb->width, fb->height, cpp, fb->pitches[0], fb->offsets[0],
				 obj->size, &width);
	if (ret)
		return ret;
	dbuf = zfront_dbuf_new(zd, obj, width, fb->height, cpp * 8, fb->offsets[0]);
	if (IS_ERR(dbuf))
		return PTR_ERR(dbuf);
	zfb->own = dbuf;
	*cookie = dbuf->id;
	return 0;
}

static struct drm_framebuffer *zfront_fb_create(struct drm_device *drm, struct drm_file *file,
						const struct drm_mode_fb_cmd2 *cmd)
{
	struct zfront_drm *zd = to_zd(drm);
	struct zfront_fb *zfb;
	u32 dbuf_cookie;
	int ret, idx;

	zfb = kzalloc(sizeof(*zfb), GFP_KERNEL);
	if (!zfb)
		return ERR_PTR(-ENOMEM);
	ret = drm_gem_fb_init_with_funcs(drm, &zfb->base, file, cmd, &zfront_fb_funcs);
	if (ret) {
		kfree(zfb);
		return ERR_PTR(ret);
	}
	/* From here on zfront_fb_destroy() undoes whatever was done. */
	if (zfb->base.format->num_planes != 1 || zfb->base.format->cpp[0] == 0) {
		ret = -EINVAL;
		goto fail;
	}
	ret = fb_dbuf(zd, zfb, &dbuf_cookie);
	if (ret)
		goto fail;
	ret = xa_alloc(&zd->ids, &zfb->id, zfb, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto fail;
	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto fail_id;
	}
	ret = zfront_fb_attach(zd->info, dbuf_cookie, zfb->id, cmd->width, cmd->height,
			       cmd->pixel_format);
	drm_dev_exit(idx);
	if (ret)
		goto fail_id;
	return &zfb->base;

fail_id:
	/* Not attached: no FB_DETACH for it. */
	xa_erase(&zd->ids, zfb->id);
	zfb->id = 0;
fail:
	zfront_fb_destroy(&zfb->base);
	return ERR_PTR(ret);
}

static void zfront_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_funcs zfront_mode_config_funcs = {
	.fb_create = zfront_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

static const struct drm_mode_config_helper_funcs zfront_mode_config_helpers = {
	.atomic_commit_tail = zfront_commit_tail,
};

/* Send the pending event, if any. Caller holds drm->event_lock. */
static void send_event_locked(struct zfront_pipe *p)
{
	lockdep_assert_held(&p->zd->drm->event_lock);
	p->flip_cookie = 0;
	if (p->event)
		drm_crtc_send_vblank_event(&p->pipe.crtc, p->event);
	p->event = NULL;
}

static void send_event(struct zfront_pipe *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->zd->drm->event_lock, flags);
	send_event_locked(p);
	spin_unlock_irqrestore(&p->zd->drm->event_lock, flags);
}

bool zfront_kms_flip_done(struct zfront_drm *zd, unsigned int conn, u64 fb_cookie)
{
	struct zfront_pipe *p;
	unsigned long flags;
	bool ours;

	if (conn >= zd->npipes)
		return false;
	p = &zd->pipe[conn];
	spin_lock_irqsave(&zd->drm->event_lock, flags);
	ours = p->flip_cookie && p->flip_cookie == fb_cookie;
	if (ours)
		send_event_locked(p);
	spin_unlock_irqrestore(&zd->drm->event_lock, flags);
	if (ours)
		cancel_delayed_work(&p->flip_timeout);
	return ours;
}

static void flip_timeout_work(struct work_struct *w)
{
	struct zfront_pipe *p = container_of(to_delayed_work(w), struct zfront_pipe, flip_timeout);
	unsigned long flags;
	bool late;

	spin_lock_irqsave(&p->zd->drm->event_lock, flags);
	late = p->flip_cookie != 0;
	send_event_locked(p);
	spin_unlock_irqrestore(&p->zd->drm->event_lock, flags);
	if (late)
		atomic64_inc(&zfront_flip_timeouts);
	if (late)
		pr_warn_ratelimited("%s: connector %u: no page-flip event within %u ms; released the client\n",
				    p->zd->name, p->idx, zfront_flip_timeout_ms);
}

static void pipe_enable(struct drm_simple_display_pipe *pipe, struct drm_crtc_state *cstate,
			struct drm_plane_state *pstate)
{
	struct zfront_pipe *p = to_pipe(pipe);
	struct drm_framebuffer *fb = pstate->fb;
	int idx, ret;

	if (!drm_dev_enter(pipe->crtc.dev, &idx))
		return;
	ret = zfront_set_config(p->zd->info, p->idx, to_zfb(fb)->id, pstate->src_x >> 16,
				pstate->src_y >> 16, cstate->mode.hdisplay, cstate->mode.vdisplay,
				fb->format->cpp[0] * 8);
	if (ret)
		zf_warn_rl(p->zd->info, "connector %u: SET_CONFIG %ux%u: %d\n", p->idx,
			   cstate->mode.hdisplay, cstate->mode.vdisplay, ret);
	drm_dev_exit(idx);
}

static void pipe_disable(struct drm_simple_display_pipe *pipe)
{
	struct zfront_pipe *p = to_pipe(pipe);
	int idx, ret;

	if (drm_dev_enter(pipe->crtc.dev, &idx)) {
		ret = zfront_set_config(p->zd->info, p->idx, 0, 0, 0, 0, 0, 0);
		if (ret)
			zf_warn_rl(p->zd->info, "connector %u: SET_CONFIG reset: %d\n", p->idx, ret);
		drm_dev_exit(idx);
	}
	cancel_delayed_work_sync(&p->flip_timeout);
	send_event(p);
}

static int pipe_check(struct drm_simple_display_pipe *pipe, struct drm_plane_state *pstate,
		      struct drm_crtc_state *cstate)
{
	/* Events come from the backend (zfront_kms_flip_done), not from vblanks. */
	cstate->no_vblank = false;
	return 0;
}

static void pipe_update(struct drm_simple_display_pipe *pipe, struct drm_plane_state *old)
{
	struct zfront_pipe *p = to_pipe(pipe);
	struct drm_crtc *crtc = &pipe->crtc;
	struct drm_plane_state *new = pipe->plane.state;
	struct drm_pending_vblank_event *event;
	unsigned long flags;
	bool flip = old->fb && new->fb && crtc->state->active &&
		    !drm_atomic_crtc_needs_modeset(crtc->state);
	u64 cookie = new->fb ? to_zfb(new->fb)->id : 0;
	int idx, ret = -ENODEV;

	/* Hold the event before the request: the answer may come at once. */
	spin_lock_irqsave(&crtc->dev->event_lock, flags);
	event = crtc->state->event;
	crtc->state->event = NULL;
	if (p->event) /* a flip the backend never completed */
		send_event_locked(p);
	p->event = event;
	if (flip)
		p->flip_cookie = cookie;
	spin_unlock_irqrestore(&crtc->dev->event_lock, flags);

	if (!flip) {
		/* Enabling (SET_CONFIG showed the fb) or disabling: done now. */
		send_event(p);
		return;
	}
	if (drm_dev_enter(crtc->dev, &idx)) {
		mod_delayed_work(system_wq, &p->flip_timeout,
				 msecs_to_jiffies(zfront_flip_timeout_ms));
		ret = zfront_pg_flip(p->zd->info, p->idx, cookie);
		if (ret)
			zf_warn_rl(p->zd->info, "connector %u: PG_FLIP: %d\n", p->idx, ret);
		drm_dev_exit(idx);
	}
	if (ret) {
		cancel_delayed_work(&p->flip_timeout);
		send_event(p);
	}
}

static enum drm_mode_status pipe_mode_valid(struct drm_simple_display_pipe *pipe,
					    const struct drm_display_mode *mode)
{
	struct zfront_pipe *p = to_pipe(pipe);

	/* displif: a configuration is bound by the connector's resolution. */
	if (mode->hdisplay > p->width || mode->vdisplay > p->height)
		return MODE_BAD;
	return MODE_OK;
}

static const struct drm_simple_display_pipe_funcs zfront_pipe_funcs = {
	.mode_valid = pipe_mode_valid,
	.enable = pipe_enable,
	.disable = pipe_disable,
	.check = pipe_check,
	.update = pipe_update,
};

int zfront_kms_init(struct zfront_drm *zd)
{
	struct drm_device *drm = zd->drm;
	struct zfront_info *info = zd->info;
	unsigned int i;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = ZD_MAX_DIMENSION;
	drm->mode_config.max_height = ZD_MAX_DIMENSION;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &zfront_mode_config_funcs;
	drm->mode_config.helper_private = &zfront_mode_config_helpers;

	for (i = 0; i < info->cfg.nconn; i++) {
		struct zfront_pipe *p = &zd->pipe[i];

		p->zd = zd;
		p->idx = i;
		p->width = info->cfg.conn[i].width;
		p->height = info->cfg.conn[i].height;
		INIT_DELAYED_WORK(&p->flip_timeout, flip_timeout_work);
		zfront_conn_probe_edid(p);
		ret = zfront_conn_init(p);
		if (ret)
			return ret;
		ret = drm_simple_display_pipe_init(drm, &p->pipe, &zfront_pipe_funcs,
						   zfront_formats, ARRAY_SIZE(zfront_formats),
						   NULL, &p->conn);
		if (ret)
			return ret;
		zd->npipes = i + 1;
	}
	drm_mode_config_reset(drm);
	return 0;
}

/* Release every flip in flight: no event will come any more. */
void zfront_kms_release_flips(struct zfront_drm *zd)
{
	unsigned int i;

	for (i = 0; i < zd->npipes; i++) {
		cancel_delayed_work_sync(&zd->pipe[i].flip_timeout);
		send_event(&zd->pipe[i]);
	}
}

void zfront_kms_fini(struct zfront_drm *zd)
{
	unsigned int i;

	zfront_kms_release_flips(zd);
	for (i = 0; i < ARRAY_SIZE(zd->pipe); i++)
		kfree(zd->pipe[i].edid);
}
