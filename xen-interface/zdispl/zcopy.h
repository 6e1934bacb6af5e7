/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * zcopy.h: ioctl ABI of zdispl's dom0 helper, the zdispl_zcopy kernel
 * module, seen through the character device /dev/zdispl-zcopy.
 *
 * The helper turns grants into dma-bufs, and its own pages into grants and
 * a dma-buf, so that
 * a display backend can scan out a frontend's pages without copying them
 * on kernels whose gntdev has no dma-buf support (Debian's 6.1, and every
 * x86 PV dom0). It is the xen-zcopy model: a small device, one ioctl per
 * direction, explicit waiting for release. (Numbers 0x03 and 0x04 were an
 * import of foreign dma-bufs, removed; they answer -ENOTTY.)
 *
 * Conventions
 *   All structures are naturally aligned, padded to 8 bytes, and the same
 *   on 32- and 64-bit userspace. Pointers travel as __u64. Reserved and
 *   pad fields must be zero (else -EINVAL) so they can gain a meaning.
 *   Every call needs CAP_SYS_ADMIN in the initial user namespace: -EPERM.
 *   An ioctl number the module does not know fails with -ENOTTY.
 *
 * Export: foreign grants -> local dma-buf (frontend-allocated buffers)
 *   ZCOPY_IOCTL_EXPORT maps nr_refs grant references of domain domid, in
 *   batched grant-table calls, and returns a new dma-buf fd of nr_refs
 *   pages (page i is refs[i]) plus an id. The dma-buf supports attach and
 *   detach, map and unmap of an sg_table, vmap, mmap and begin/end CPU
 *   access. The grants stay mapped until the last user of the dma-buf has
 *   released it: closing the fd is not enough while a KMS framebuffer or
 *   GEM object still holds it. The pages are mapped read-only unless
 *   ZCOPY_EXPORT_WRITABLE is set.
 *   Errors: -EINVAL nr_refs 0 or over ZCOPY_MAX_PAGES, unknown flags,
 *   domid not a guest domain; -EFAULT refs unreadable; -ENOSPC the opener
 *   has ZCOPY_MAX_OBJECTS objects; -ENOMEM; -ENXIO a grant could not be
 *   mapped (bad ref, wrong domain, not granted to us); nothing stays
 *   mapped on any error.
 *
 *   ZCOPY_IOCTL_WAIT_RELEASED waits at most timeout_ms (capped at
 *   ZCOPY_MAX_WAIT_MS) until the export id has been released and every
 *   grant of it unmapped, then forgets id; busy is 0 for an export.
 *   -ETIMEDOUT when it has not, and id stays valid for another wait;
 *   -ENOENT for an id this open file does not have; -EINTR on a signal;
 *   -EINVAL busy or pad not 0. Ids not waited for are forgotten
 *   when the file is closed (the grants are unmapped on release all the
 *   same).
 *
 * Allocation: local pages -> grants to a domain, and a dma-buf of them
 * (backend-allocated buffers)
 *   ZCOPY_IOCTL_ALLOC allocates nr_refs zeroed pages of its own, grants
 *   each, in order, to domain domid (read-write unless
 *   ZCOPY_ALLOC_READONLY), writes the refs to the refs array of nr_refs
 *   entries, and returns a new dma-buf fd of those pages plus an id. The
 *   dma-buf supports what an export's does. The helper never takes pages
 *   from another driver's dma-buf: their owner could reuse them while a
 *   guest still had access. Errors: -EINVAL as for export; -EFAULT refs
 *   unwritable; -ENOSPC the opener has ZCOPY_MAX_OBJECTS objects, or the
 *   grant table is full; -ENOMEM. Nothing stays allocated or granted on
 *   any error.
 *
 *   The grants end when the dma-buf is released (its last user gone, as
 *   for an export). A ref the grantee still maps cannot end yet: the
 *   helper keeps it and its page and retries every second, for as long
 *   as it takes; a dead grantee's mappings are gone, so its refs end at
 *   once. WAIT_RELEASED waits for that release as for an export, and
 *   reports in busy how many refs were kept.
 *
 * Ids are shared by both kinds of object: WAIT_RELEASED takes either.
 *
 * Statistics
 *   ZCOPY_IOCTL_STATS reports the module's global counters: objects and
 *   pages still alive, including deferred ends of foreign access. Every
 *   counter of live things is 0 when nothing is left behind.
 *
 * Lifetime
 *   The module cannot be unloaded while a file is open, a dma-buf it
 *   exported is alive, or a grant it made has not ended.
 */
#ifndef ZDISPL_ZCOPY_H
#define ZDISPL_ZCOPY_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ZCOPY_DEVICE_NAME "zdispl-zcopy" /* /dev/zdispl-zcopy */

#define ZCOPY_MAX_PAGES   65536u /* 256 MiB of 4 KiB pages per object */
#define ZCOPY_MAX_OBJECTS 4096u	 /* exports + imports per open file */
#define ZCOPY_MAX_WAIT_MS 10000u

#define ZCOPY_EXPORT_WRITABLE (1u << 0)
#define ZCOPY_ALLOC_READONLY  (1u << 0)

struct zcopy_export {
	/* in */
	__u32 domid;
	__u32 nr_refs;
	__u64 refs; /* user address of __u32 refs[nr_refs] */
	__u32 flags;
	/* out */
	__s32 fd;   /* dma-buf, O_CLOEXEC | O_RDWR */
	__u32 id;
	__u32 pad;
};

struct zcopy_wait_released {
	/* in */
	__u32 id;
	__u32 timeout_ms;
	/* out */
	__u32 busy; /* an allocation's refs still mapped by the grantee */
	__u32 pad;
};

struct zcopy_alloc {
	/* in */
	__u32 domid;
	__u32 nr_refs;
	__u64 refs; /* user address of __u32 refs[nr_refs], filled in */
	__u32 flags;
	/* out */
	__s32 fd;   /* dma-buf, O_CLOEXEC | O_RDWR */
	__u32 id;
	__u32 pad;
};

struct zcopy_stats {
	__u64 exports_alive;	  /* exported dma-bufs not yet released */
	__u64 pages_mapped;	  /* foreign pages mapped for them */
	__u64 allocs_alive;	  /* allocations whose dma-buf is not yet released */
	__u64 grants_alive;	  /* refs granted and not yet ended (incl. deferred) */
	__u64 grants_deferred;	  /* of those, refs whose end waits on the grantee */
	__u64 exports_total;	  /* since load */
	__u64 allocs_total;
	__u64 user_maps_alive;	  /* mmap()s of exports not yet closed (x86 PV) */
	__u64 pages_allocated;	  /* pages of allocations not yet freed (incl. deferred) */
	__u64 reserved[7];
};

#define ZCOPY_IOCTL_BASE 'Z'
#define ZCOPY_IOCTL_EXPORT	   _IOWR(ZCOPY_IOCTL_BASE, 0x01, struct zcopy_export)
#define ZCOPY_IOCTL_WAIT_RELEASED  _IOWR(ZCOPY_IOCTL_BASE, 0x02, struct zcopy_wait_released)
#define ZCOPY_IOCTL_STATS	   _IOR(ZCOPY_IOCTL_BASE, 0x05, struct zcopy_stats)
#define ZCOPY_IOCTL_ALLOC	   _IOWR(ZCOPY_IOCTL_BASE, 0x06, struct zcopy_alloc)

#endif /* ZDISPL_ZCOPY_H */
