/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy.h: what the parts of zdispl_zcopy share.
 *
 *   zcopy-main.c    the character device: open files, ioctls, ids, counters
 *   zcopy-export.c  the dma-buf of an object: its operations, fd and id,
 *                   release; and foreign grants mapped for an export
 *   zcopy-mmap.c    user mappings of an export in an x86 PV domain
 *   zcopy-alloc.c   pages of our own granted to a domain (allocation), and
 *                   grants whose end waits on the grantee
 *
 * Both kinds of object are a struct zc_export, told apart by local. Every
 * object belongs to the open file that made it and is found by a
 * per-file id, never by a pointer from userspace.
 */
#ifndef ZCOPY_PRIV_H
#define ZCOPY_PRIV_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <zdispl/zcopy.h>

#include "kernel/compat.h"

struct dma_buf;
struct gnttab_map_grant_ref;

struct zc_file {
	struct mutex lock;	   /* protects everything below */
	struct list_head exports;  /* zc_export.node, both kinds */
	unsigned int nobjs;
	u32 next_id;
};

/*
 * A dma-buf the helper made: of a foreign domain's grants mapped here
 * (export), or of pages it allocated and granted to domid (local).
 */
struct zc_export {
	struct kref kref;
	struct list_head node; /* in zc_file.exports while the file knows it */
	u32 id;
	domid_t domid;
	bool writable; /* by the local side */
	bool local;
	unsigned int nr;
	struct page **pages;
	u32 *refs;
	/* Export: one map per page, and in PV a second one at the page's address. */
	struct gnttab_map_grant_ref *map;
	struct gnttab_map_grant_ref *kmap; /* PV only */
	/* Local: refs[0..granted) are live grants; busy of them outlived release. */
	unsigned int granted, busy;
	void *vaddr;
	struct dma_buf *dmabuf;
	struct completion released;
};

/* Module-wide counters (ZCOPY_IOCTL_STATS, sysfs "stats"). */
struct zc_counters {
	atomic64_t exports_alive, pages_mapped;
	atomic64_t allocs_alive, pages_allocated, grants_alive, grants_deferred;
	atomic64_t exports_total, allocs_total;
};
extern struct zc_counters zc_count;

/* zcopy-main.c: a fresh id for a new object of f (f->lock held). */
u32 zc_new_id(struct zc_file *f);

/* zcopy-export.c */
int zc_export(struct zc_file *f, struct zcopy_export __user *ureq);
int zc_wait_released(struct zc_file *f, struct zcopy_wait_released *req);
void zc_export_forget_all(struct zc_file *f);
/* Shared with zcopy-alloc.c: an object's checks, slot, record, dma-buf and fd. */
/* -EINVAL unless outs is 0, nr in 1..ZCOPY_MAX_PAGES, flags only known, domid a guest's. */
int zc_check_req(u32 domid, u32 nr, u32 flags, u32 known, u32 outs);
/* Reserve a slot of f and make a record (*out); nothing reserved on error. */
int zc_begin(struct zc_file *f, domid_t domid, unsigned int nr, bool writable, bool local,
	     struct zc_export **out);
void zc_slot_put(struct zc_file *f);
void zc_export_put(struct zc_export *e);
int zc_publish(struct zc_file *f, struct zc_export *e, __s32 __user *ufd, __u32 __user *uid);

/* xen-interface/kernel/pv-umap.c (x86 PV only), via zcopy-mmap.c. */
#include "kernel/pv-umap.h"

static inline u64 zc_user_maps_alive(void)
{
#ifdef CONFIG_XEN_PV
	long n = zd_pv_umaps_alive();

	/* A negative count (a mapping freed twice) must not read as 0. */
	return n < 0 ? U64_MAX : (u64)n;
#else
	return 0;
#endif
}

/* zcopy-alloc.c */
int zc_alloc(struct zc_file *f, struct zcopy_alloc __user *ureq);
/* Free a local object's pages, ending its grants; returns those kept (busy). */
unsigned int zc_alloc_end(struct zc_export *e);
void zc_alloc_module_exit(void);

#endif /* ZCOPY_PRIV_H */
