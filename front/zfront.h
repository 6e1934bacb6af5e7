/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zfront.h: zdispl_front, zdispl's displif v2 frontend (a DRM/KMS driver in
 * a Xen guest). What the Xen side (xen/) and the DRM side (drm/) share.
 *
 *   xen/zfront-bus.c    xenbus driver; the device's state machine (one switch)
 *   xen/zfront-cfg.c    the configuration the toolstack wrote in xenstore
 *   xen/zfront-ring.c   per connector: request ring, event page, event channels
 *   xen/zfront-req.c    the displif requests, each waited for with a timeout
 *   xen/zfront-shbuf.c  buffers' pages granted to the backend (page directories)
 *   drm/zfront-drm.c    the DRM device: create, unplug, release; fbdev
 *   drm/zfront-gem.c    GEM objects: dumb buffers, PRIME import and export
 *   drm/zfront-kms.c    one CRTC + primary plane per connector, flips, events
 *   drm/zfront-conn.c   connectors and their modes (GET_EDID or "resolution")
 *   proto/              protocol logic that also builds on the host (tests)
 *
 * Lifetimes. A struct zfront_info lives from xenbus probe to remove. A
 * connection to the backend (rings, event channels) lives from the
 * backend's InitWait to its loss. A DRM device (struct zfront_drm) is made
 * when the backend connects and is unplugged when the connection is lost;
 * it lives on while clients hold it (the device is then Reconfiguring) and
 * its release lets a new connection start. Buffers of a lost connection
 * have their grants ended at the loss, not when their clients let go.
 *
 * Locking. info->lock orders the state machine, connect and disconnect.
 * Each ring has a mutex for its one request in flight and a spinlock for
 * its indices, taken in the event channel handler. zfront_link_lock (global)
 * guards the link between a DRM device and its info, which either side may
 * break.
 */
#ifndef ZFRONT_H
#define ZFRONT_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>
#include <xen/interface/io/displif.h>

#include "proto/zfront-proto.h"

#define ZFRONT_NAME "zdispl_front"

struct zfront_drm;

/* Module parameters (zfront-bus.c). */
extern unsigned int zfront_req_timeout_ms;
extern unsigned int zfront_flip_timeout_ms;
extern bool zfront_ro_grants;
extern struct mutex zfront_link_lock;
/* What this driver has granted, in all (zfront-shbuf.c; shown in sysfs). */
extern atomic64_t zfront_grants_alive;
extern atomic64_t zfront_grants_deferred;
/* Flips released by flip_timeout_ms rather than by the backend (zfront-kms.c). */
extern atomic64_t zfront_flip_timeouts;

/* One displif connector, as configured in xenstore. */
struct zfront_conn_cfg {
	u32 width, height; /* "resolution": the fallback mode */
	char unique_id[ZD_MAX_UNIQUE_ID + 1];
};

struct zfront_cfg {
	unsigned int nconn;
	struct zfront_conn_cfg conn[ZD_MAX_CONNECTORS];
	bool be_alloc;	      /* the backend may allocate buffers */
	unsigned int version; /* negotiated protocol version: 1 or 2 */
};

/* A connector's transport: request ring and event page. */
struct zfront_ring {
	struct zfront_info *info;
	unsigned int idx;

	/* Requests: one in flight, guarded by call_lock. */
	struct mutex call_lock;
	spinlock_t lock; /* ring indices, the wait below, dead */
	struct xen_displif_front_ring ring;
	grant_ref_t ring_ref;
	evtchn_port_t req_port;
	int req_irq;
	u16 next_id;
	bool waiting;
	struct zfront_wait wait;
	int status;
	u32 edid_sz;
	struct completion done;
	bool dead; /* lost or broken: every call fails at once */

	/* Events: page-flip completions from the backend. */
	struct xendispl_event_page *evt_page;
	u32 evt_cons; /* ours: never read back from the shared page */
	struct zfront_drm *drm; /* where flip events go; under lock */
	grant_ref_t evt_ref;
	evtchn_port_t evt_port;
	int evt_irq;
};

/* One vdispl device. */
struct zfront_info {
	struct xenbus_device *xb;
	char name[48]; /* "dom<N>/vdispl/<dev>": prefixes every log line */
	struct mutex lock;
	struct zfront_cfg cfg;
	struct zfront_ring ring[ZD_MAX_CONNECTORS];
	unsigned int nrings;
	struct zfront_drm *drm; /* while connected */
	struct zfront_drm *held_drm; /* a lost connection's, still held; under zfront_link_lock */
	bool reconfiguring;	/* waiting for held_drm's release */
	bool broken;		/* the backend broke the protocol: Closing */
	bool removing;
	struct work_struct broken_work;
	struct work_struct reinit_work;
	struct ratelimit_state rl;
	/* What the backend did that we dropped or waited out (sysfs). */
	atomic_t n_spurious;	   /* event-channel kicks with nothing behind them */
	atomic_t n_rsp_dropped;	   /* responses to no request in flight */
	atomic_t n_evt_dropped;	   /* unknown events, or flip events for no flip */
	atomic_t n_timeouts;	   /* requests the backend never answered */
};

/* Logging: every line names the device. */
#define zf_info(info, fmt, ...) pr_info("%s: " fmt, (info)->name, ##__VA_ARGS__)
#define zf_warn(info, fmt, ...) pr_warn("%s: " fmt, (info)->name, ##__VA_ARGS__)
#define zf_err(info, fmt, ...) pr_err("%s: " fmt, (info)->name, ##__VA_ARGS__)
#define zf_dbg(info, fmt, ...) pr_debug("%s: " fmt, (info)->name, ##__VA_ARGS__)
/* What the backend can make us say is rate-limited, per device. */
#define zf_warn_rl(info, fmt, ...)                                             \
	do {                                                                   \
		if (__ratelimit(&(info)->rl))                                  \
			pr_warn("%s: " fmt, (info)->name, ##__VA_ARGS__);      \
	} while (0)

/* xen/zfront-bus.c */
void zfront_backend_broken(struct zfront_info *info);
void zfront_drm_gone(struct zfront_info *info);

/* xen/zfront-cfg.c */
int zfront_cfg_read(struct zfront_info *info, struct zfront_cfg *cfg);

/* xen/zfront-ring.c */
int zfront_rings_create(struct zfront_info *info);
int zfront_rings_publish(struct zfront_info *info);
void zfront_rings_connect(struct zfront_info *info, struct zfront_drm *drm);
void zfront_rings_kill(struct zfront_info *info);
void zfront_rings_free(struct zfront_info *info);
int zfront_ring_call(struct zfront_ring *r, struct xendispl_req *req, u32 edid_buf_sz,
		     u32 *edid_sz);

/*
 * xen/zfront-shbuf.c: a buffer's pages granted to the backend through a
 * page directory. pages NULL: a directory alone, for the backend to fill
 * with its own grants (be-alloc); zfront_shbuf_backend_refs() reads them.
 */
struct zfront_shbuf;
struct zfront_shbuf *zfront_shbuf_grant(struct zfront_info *info, struct page **pages,
					u32 npages, bool readonly);
int zfront_shbuf_backend_refs(struct zfront_shbuf *sb, grant_ref_t *refs);
grant_ref_t zfront_shbuf_dir_ref(const struct zfront_shbuf *sb);
void zfront_shbuf_free(struct zfront_shbuf *sb);

/* xen/zfront-req.c: the displif requests; 0 or -errno. */
int zfront_dbuf_create(struct zfront_info *info, u64 cookie, u32 width, u32 height, u32 bpp,
		       u32 size, u32 data_ofs, struct zfront_shbuf *sb, bool be_alloc);
int zfront_dbuf_destroy(struct zfront_info *info, u64 cookie);
int zfront_fb_attach(struct zfront_info *info, u64 dbuf_cookie, u64 fb_cookie, u32 width,
		     u32 height, u32 fourcc);
int zfront_fb_detach(struct zfront_info *info, u64 fb_cookie);
int zfront_set_config(struct zfront_info *info, unsigned int conn, u64 fb_cookie, u32 x, u32 y,
		      u32 width, u32 height, u32 bpp);
int zfront_pg_flip(struct zfront_info *info, unsigned int conn, u64 fb_cookie);
/* GET_EDID into a fresh kmalloc'ed buffer (*edid, validated; kfree it). */
int zfront_get_edid(struct zfront_info *info, unsigned int conn, u8 **edid, u32 *size);

/*
 * xen/zfront-gntmap.c: the backend's grants of a be-alloc buffer, mapped
 * into pages of ours (kernel access through page_address()), and from
 * there into user space and, where Xen allows it, a kernel vmap.
 */
struct zfront_gntmap;
struct zfront_gntmap *zfront_gntmap_new(struct zfront_info *info, const grant_ref_t *refs,
					u32 npages);
void zfront_gntmap_free(struct zfront_gntmap *m);
struct page **zfront_gntmap_pages(struct zfront_gntmap *m);
int zfront_gntmap_mmap(struct zfront_gntmap *m, struct vm_area_struct *vma);
void *zfront_gntmap_vmap(struct zfront_gntmap *m);

/* drm/zfront-drm.c */
int zfront_drm_create(struct zfront_info *info);
/* Unplug and drop our reference; its release calls zfront_drm_gone(). */
void zfront_drm_unplug(struct zfront_drm *zd);
/* Under zfront_link_lock: info is going away; never call it again. */
void zfront_drm_forget(struct zfront_drm *zd);

/*
 * drm/zfront-kms.c, from the event channel handler: the backend finished
 * a flip to fb_cookie on conn. False if no such flip is in flight.
 */
bool zfront_kms_flip_done(struct zfront_drm *zd, unsigned int conn, u64 fb_cookie);

#endif /* ZFRONT_H */
