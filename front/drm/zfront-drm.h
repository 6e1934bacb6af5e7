/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zfront-drm.h: the DRM side of zdispl_front (drm/). Not seen by xen/,
 * which knows a struct zfront_drm only by pointer.
 *
 * Buffers. A display buffer (struct zfront_dbuf) is what the backend knows
 * by a dbuf cookie: pages granted through a page directory. A dumb buffer
 * gets one when it is created (DBUF_CREATE describes its rows exactly). A
 * framebuffer whose rows or offset differ from its object's display buffer,
 * and every framebuffer on a PRIME-imported object, gets its own, made
 * with the framebuffer's pitch (as width = pitch / cpp) and offset
 * (data_ofs). Cookies of buffers and framebuffers are ids from one
 * allocator per DRM device, never pointers.
 *
 * At unplug (connection lost) every display buffer's grants are ended at
 * once; the GEM objects stay valid for their clients until closed.
 */
#ifndef ZFRONT_DRM_H
#define ZFRONT_DRM_H

#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_simple_kms_helper.h>
#include <linux/list.h>
#include <linux/xarray.h>

#include "../zfront.h"

struct zfront_dbuf {
	struct list_head node; /* in zd->dbufs, under zd->bufs_lock */
	u32 id;		       /* the dbuf cookie */
	u32 pitch;	       /* octets per row, as the backend computes it */
	u32 bpp;	       /* as DBUF_CREATE told the backend */
	u32 data_ofs;
	struct zfront_shbuf *sb; /* NULL once its grants are ended */
};

/*
 * A GEM object: shmem pages, ours (dumb) or another driver's (PRIME). A
 * be-alloc dumb buffer is another kind (zfront-bebuf.c); to_bo() is only
 * for the shmem kind.
 */
struct zfront_bo {
	struct drm_gem_shmem_object base;
	struct zfront_dbuf *dbuf; /* dumb buffers: the one made at creation */
	struct page **pages;	  /* imported objects: their pages, once needed */
};

struct zfront_fb {
	struct drm_framebuffer base; /* first: drm_gem_fb_destroy() frees it */
	u32 id;			     /* the fb cookie */
	struct zfront_dbuf *own;     /* a display buffer made for this fb */
};

/* One displif connector: a CRTC, its primary plane, a connector. */
struct zfront_pipe {
	struct zfront_drm *zd;
	unsigned int idx;
	struct drm_simple_display_pipe pipe;
	struct drm_connector conn;
	u32 width, height; /* the resolution node: modes never exceed it */
	u8 *edid;	   /* validated GET_EDID answer, or NULL */
	u32 edid_sz;
	/* The flip in flight, under drm->event_lock. */
	u64 flip_cookie;
	struct drm_pending_vblank_event *event;
	struct delayed_work flip_timeout;
};

struct zfront_drm {
	struct drm_device *drm;
	struct zfront_info *info; /* under zfront_link_lock; requests: inside drm_dev_enter() */
	char name[48];		  /* the device's, for what outlives it */
	bool unplugged;
	bool be_alloc; /* the backend offers to allocate buffers */
	bool fe_only;  /* while the fbdev console makes its buffer: ours */
	unsigned int npipes;
	struct zfront_pipe pipe[ZD_MAX_CONNECTORS];
	struct xarray ids; /* cookie -> struct zfront_dbuf or zfront_fb */
	struct mutex bufs_lock;
	struct list_head dbufs;
};

static inline struct zfront_drm *to_zd(struct drm_device *drm)
{
	return drm->dev_private;
}

static inline struct zfront_bo *to_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct zfront_bo, base);
}

/* zfront-gem.c */
struct drm_gem_object *zfront_gem_create_object(struct drm_device *drm, size_t size);
int zfront_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			   struct drm_mode_create_dumb *args);
/* A display buffer's record and cookie, then its place on the list. */
struct zfront_dbuf *zfront_dbuf_alloc(struct zfront_drm *zd, u32 width, u32 bpp, u32 data_ofs);
void zfront_dbuf_unalloc(struct zfront_drm *zd, struct zfront_dbuf *dbuf);
void zfront_dbuf_publish(struct zfront_drm *zd, struct zfront_dbuf *dbuf, struct zfront_shbuf *sb);
/* A display buffer over obj's pages, with this geometry. */
struct zfront_dbuf *zfront_dbuf_new(struct zfront_drm *zd, struct drm_gem_object *obj,
				    u32 width, u32 height, u32 bpp, u32 data_ofs);
void zfront_dbuf_put(struct zfront_drm *zd, struct zfront_dbuf *dbuf);
void zfront_dbufs_end_grants(struct zfront_drm *zd);

/* zfront-bebuf.c: be-alloc dumb buffers. */
struct drm_gem_object *zfront_bebuf_create(struct zfront_drm *zd, u32 width, u32 height,
					   u32 bpp, size_t size);
bool zfront_is_bebuf(struct drm_gem_object *obj);
struct zfront_dbuf *zfront_bebuf_dbuf(struct drm_gem_object *obj);

/* zfront-kms.c */
int zfront_kms_init(struct zfront_drm *zd);
void zfront_kms_release_flips(struct zfront_drm *zd);
void zfront_kms_fini(struct zfront_drm *zd);

/* zfront-conn.c */
int zfront_conn_init(struct zfront_pipe *p);
void zfront_conn_probe_edid(struct zfront_pipe *p);

#endif /* ZFRONT_DRM_H */
