// SPDX-License-Identifier: GPL-2.0
/*
 * kms-commit.c: KMS properties and atomic commits for one output.
 *
 * This file only knows framebuffer ids and rectangles (struct
 * kms_plane_cfg): whether the framebuffer is one of our dumb scanout buffers
 * (copy path) or an imported PRIME buffer (zero-copy, later) makes no
 * difference here.
 *
 * libdrm's mode functions (drmModeAtomic*, drmModeObjectGetProperties...)
 * return -errno or NULL; drmModeAtomicAddProperty returns -errno or a count.
 */
#include "kms-priv.h"

#include <errno.h>
#include <string.h>

#include "../base/log.h"

struct prop_want {
	const char *name;
	uint32_t *id;
};

/* Fill every want[i].id from obj's properties; -ENOENT names the missing one. */
static int lookup(int fd, uint32_t obj, uint32_t type, const struct prop_want *want, unsigned int n,
		  const char *pfx)
{
	drmModeObjectProperties *props;
	int r = 0;

	errno = 0;
	props = drmModeObjectGetProperties(fd, obj, type);
	if (!props)
		return errno ? -errno : -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		*want[i].id = 0;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (!p)
			continue;
		for (unsigned int j = 0; j < n; j++)
			if (!strcmp(p->name, want[j].name))
				*want[j].id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	for (unsigned int i = 0; i < n; i++) {
		if (!*want[i].id) {
			zd_err(pfx, "KMS object %u has no property %s", obj, want[i].name);
			r = -ENOENT;
		}
	}
	return r;
}

int kms_props_lookup(struct zd_output *o)
{
	struct kms_props *k = &o->props;
	const struct prop_want conn[] = {{"CRTC_ID", &k->conn_crtc_id}};
	const struct prop_want crtc[] = {{"ACTIVE", &k->crtc_active},
					 {"MODE_ID", &k->crtc_mode_id}};
	const struct prop_want plane[] = {
		{"FB_ID", &k->plane_fb_id},   {"CRTC_ID", &k->plane_crtc_id},
		{"SRC_X", &k->plane_src_x},   {"SRC_Y", &k->plane_src_y},
		{"SRC_W", &k->plane_src_w},   {"SRC_H", &k->plane_src_h},
		{"CRTC_X", &k->plane_crtc_x}, {"CRTC_Y", &k->plane_crtc_y},
		{"CRTC_W", &k->plane_crtc_w}, {"CRTC_H", &k->plane_crtc_h},
	};
	int fd = o->dev->fd, r;

	r = lookup(fd, o->conn_id, DRM_MODE_OBJECT_CONNECTOR, conn, 1, o->prefix);
	if (!r)
		r = lookup(fd, o->crtc_id, DRM_MODE_OBJECT_CRTC, crtc, 2, o->prefix);
	if (!r)
		r = lookup(fd, o->plane_id, DRM_MODE_OBJECT_PLANE, plane,
			   sizeof(plane) / sizeof(plane[0]), o->prefix);
	return r;
}

int kms_plane_is_primary(int fd, uint32_t plane_id, bool *primary)
{
	drmModeObjectProperties *props;

	*primary = false;
	errno = 0;
	props = drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
	if (!props)
		return errno ? -errno : -ENOMEM;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (!p)
			continue;
		if (!strcmp(p->name, "type"))
			*primary = props->prop_values[i] == DRM_PLANE_TYPE_PRIMARY;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return 0;
}

/* Adds to a request, keeping the first error. */
struct req {
	drmModeAtomicReq *r;
	int err;
};

static void add(struct req *q, uint32_t obj, uint32_t prop, uint64_t val)
{
	int r;

	if (q->err)
		return;
	r = drmModeAtomicAddProperty(q->r, obj, prop, val);
	if (r < 0)
		q->err = r;
}

static void add_plane(struct req *q, const struct zd_output *o, const struct kms_plane_cfg *p)
{
	const struct kms_props *k = &o->props;
	uint32_t pl = o->plane_id;

	add(q, pl, k->plane_fb_id, p->fb_id);
	add(q, pl, k->plane_crtc_id, o->crtc_id);
	add(q, pl, k->plane_src_x, (uint64_t)p->src_x << 16);
	add(q, pl, k->plane_src_y, (uint64_t)p->src_y << 16);
	add(q, pl, k->plane_src_w, (uint64_t)p->src_w << 16);
	add(q, pl, k->plane_src_h, (uint64_t)p->src_h << 16);
	/* CRTC_X/Y are signed 64-bit properties. */
	add(q, pl, k->plane_crtc_x, (uint64_t)(int64_t)p->crtc_x);
	add(q, pl, k->plane_crtc_y, (uint64_t)(int64_t)p->crtc_y);
	add(q, pl, k->plane_crtc_w, p->crtc_w);
	add(q, pl, k->plane_crtc_h, p->crtc_h);
}

static int commit(struct zd_output *o, struct req *q, uint32_t flags, void *user_data)
{
	int r = q->err;

	if (!r)
		r = drmModeAtomicCommit(o->dev->fd, q->r, flags, user_data);
	drmModeAtomicFree(q->r);
	return r;
}

static int req_new(struct req *q)
{
	q->err = 0;
	q->r = drmModeAtomicAlloc();
	return q->r ? 0 : -ENOMEM;
}

int kms_commit_modeset(struct zd_output *o, uint32_t mode_blob, const struct kms_plane_cfg *p)
{
	struct req q;
	int r = req_new(&q);

	if (r)
		return r;
	add(&q, o->conn_id, o->props.conn_crtc_id, o->crtc_id);
	add(&q, o->crtc_id, o->props.crtc_mode_id, mode_blob);
	add(&q, o->crtc_id, o->props.crtc_active, 1);
	add_plane(&q, o, p);
	/* Blocking: returns once the new configuration is on the screen. */
	return commit(o, &q, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
}

int kms_commit_plane(struct zd_output *o, const struct kms_plane_cfg *p, uint32_t flags)
{
	struct req q;
	int r = req_new(&q);

	if (r)
		return r;
	add_plane(&q, o, p);
	/* The event's user data is the output: it outlives every event we read. */
	return commit(o, &q, flags, o);
}

int kms_commit_off(struct zd_output *o)
{
	const struct kms_props *k = &o->props;
	struct req q;
	int r = req_new(&q);

	if (r)
		return r;
	add(&q, o->plane_id, k->plane_fb_id, 0);
	add(&q, o->plane_id, k->plane_crtc_id, 0);
	add(&q, o->conn_id, k->conn_crtc_id, 0);
	add(&q, o->crtc_id, k->crtc_mode_id, 0);
	add(&q, o->crtc_id, k->crtc_active, 0);
	return commit(o, &q, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
}
