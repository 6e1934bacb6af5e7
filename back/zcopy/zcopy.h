/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy.h: what the parts of zdispl_zcopy share.
 *
 *   zcopy-main.c    the character device: open files, ioctls, ids, counters
 *   zcopy-export.c  foreign grants mapped and exported as a dma-buf
 *   zcopy-mmap.c    user mappings of an export in an x86 PV domain
 *   zcopy-import.c  a local dma-buf's pages granted to a domain
 *
 * Every object belongs to the open file that made it and is found by a
 * per-file id, never by a pointer from userspace.
 */
#ifndef ZCOPY_PRIV_H
#define ZCOPY_PRIV_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <zdispl/zcopy.h>

#include "kernel/compat.h"

struct device;
struct zc_export;
struct zc_import;

struct zc_file {
	struct mutex lock;	   /* protects everything below */
	struct list_head exports;  /* zc_export.node */
	struct list_head imports;  /* zc_import.node */
	unsigned int nobjs;
	u32 next_id;
};

/* Module-wide counters (ZCOPY_IOCTL_STATS, sysfs "stats"). */
struct zc_counters {
	atomic64_t exports_alive, pages_mapped;
	atomic64_t imports_alive, grants_alive, grants_deferred;
	atomic64_t exports_total, imports_total;
};
extern struct zc_counters zc_count;

/* The misc device: attaches to imported dma-bufs as this device. */
extern struct device *zc_dev;

/* zcopy-main.c: a fresh id for a new object of f (f->lock held). */
u32 zc_new_id(struct zc_file *f);

/* zcopy-export.c */
int zc_export(struct zc_file *f, struct zcopy_export __user *ureq);
int zc_wait_released(struct zc_file *f, const struct zcopy_wait_released *req);
void zc_export_forget_all(struct zc_file *f);

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

/* zcopy-import.c */
int zc_import(struct zc_file *f, struct zcopy_import *req, u32 __user *refs);
int zc_import_release(struct zc_file *f, struct zcopy_import_release *req);
void zc_import_release_all(struct zc_file *f);
void zc_import_module_exit(void);

#endif /* ZCOPY_PRIV_H */
