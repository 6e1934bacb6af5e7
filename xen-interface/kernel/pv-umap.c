// SPDX-License-Identifier: GPL-2.0
/*
 * pv-umap.c: user mappings of a peer's grants in an x86 PV domain, shared
 * by zdispl's two kernel modules: the dom0 helper (back/zcopy, exported
 * dma-bufs) and the frontend (front/, backend-allocated buffers). Each
 * module compiles it once by #including it (see pv-umap.h); pr_fmt is the
 * includer's.
 *
 * In a PV domain a user page-table entry may point at a foreign frame
 * only if the grant itself is mapped into that entry
 * (GNTMAP_contains_pte | GNTMAP_application_map), and Xen kills a domain
 * that drops such an entry with an ordinary page-table update. So:
 *   - mmap() maps each grant into the entry of its user page, marked
 *     special (the PTE's _GNTMAP_guest_avail0 bit) in a VM_PFNMAP area the
 *     kernel never refcounts;
 *   - an interval notifier unmaps the grants of a range before the kernel
 *     zaps, moves or tears down its entries (munmap, mremap, exit);
 *   - the area cannot be split, expanded, copied on fork or dumped;
 *   - a copy of the vma (mremap moves the area through one) holds a
 *     reference to the mapping's state, which the last close frees.
 * The caller keeps the grants' owner alive for as long as the mapping
 * (vm_file, or a reference it takes at mmap).
 */
#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "pv-umap.h"

struct zd_umap {
	refcount_t users; /* the vmas that share it */
	struct mmu_interval_notifier notifier;
	struct mutex lock; /* map[].handle */
	unsigned long start;
	unsigned int nr;
	struct gnttab_map_grant_ref *map;
};

/* Unmap the grants of pages [first, first + n) that are mapped. */
static void zd_umap_unmap(struct zd_umap *u, unsigned int first, unsigned int n)
{
	struct gnttab_unmap_grant_ref op;
	unsigned int i;
	int r;

	mutex_lock(&u->lock);
	for (i = first; i < first + n; i++) {
		if (u->map[i].handle == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&op, u->map[i].host_addr, u->map[i].flags, u->map[i].handle);
		r = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
		if (r || op.status != GNTST_okay)
			pr_warn_ratelimited("user unmap of ref %u: %d/%d\n",
					    u->map[i].ref, r, op.status);
		u->map[i].handle = INVALID_GRANT_HANDLE;
	}
	mutex_unlock(&u->lock);
}

static bool zd_umap_invalidate(struct mmu_interval_notifier *mn,
			       const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	struct zd_umap *u = container_of(mn, struct zd_umap, notifier);
	unsigned long end = u->start + ((unsigned long)u->nr << PAGE_SHIFT);
	unsigned long s, e;

	if (!mmu_notifier_range_blockable(range))
		return false;
	mmu_interval_set_seq(mn, cur_seq);
	if (range->start >= end || range->end <= u->start)
		return true;
	s = max(range->start, u->start);
	e = min(range->end, end);
	zd_umap_unmap(u, (s - u->start) >> PAGE_SHIFT, (e - s) >> PAGE_SHIFT);
	return true;
}

static const struct mmu_interval_notifier_ops zd_umap_mn_ops = {
	.invalidate = zd_umap_invalidate,
};

/* User mappings made and not yet closed by their last vma, in this module. */
static atomic_long_t zd_umaps_alive = ATOMIC_LONG_INIT(0);

long zd_pv_umaps_alive(void)
{
	return atomic_long_read(&zd_umaps_alive);
}

static void zd_umap_free(struct zd_umap *u)
{
	zd_umap_unmap(u, 0, u->nr);
	kvfree(u->map);
	kfree(u);
}

/* A copy of the vma (mremap): it shares the state. */
static void zd_umap_vma_open(struct vm_area_struct *vma)
{
	struct zd_umap *u = vma->vm_private_data;

	refcount_inc(&u->users);
}

static void zd_umap_vma_close(struct vm_area_struct *vma)
{
	struct zd_umap *u = vma->vm_private_data;

	if (!refcount_dec_and_test(&u->users))
		return;
	mmu_interval_notifier_remove(&u->notifier);
	zd_umap_free(u);
	atomic_long_dec(&zd_umaps_alive);
}

static int zd_umap_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct zd_umap_vm_ops = {
	.open = zd_umap_vma_open,
	.close = zd_umap_vma_close,
	.may_split = zd_umap_may_split,
};

static int zd_umap_collect_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct zd_umap *u = data;
	unsigned int i = (addr - u->start) >> PAGE_SHIFT;

	if (WARN_ON(i >= u->nr))
		return -EFAULT;
	u->map[i].host_addr = arbitrary_virt_to_machine(pte).maddr;
	return 0;
}

int zd_pv_umap(struct vm_area_struct *vma, const u32 *refs, domid_t domid, bool writable)
{
	u32 flags = GNTMAP_host_map | GNTMAP_application_map | GNTMAP_contains_pte |
		    (1 << _GNTMAP_guest_avail0);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct zd_umap *u;
	unsigned int i;
	int r;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		flags |= GNTMAP_readonly;
	}
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	mutex_init(&u->lock);
	u->start = vma->vm_start;
	u->nr = len >> PAGE_SHIFT;
	u->map = kvcalloc(u->nr, sizeof(*u->map), GFP_KERNEL);
	if (!u->map) {
		kfree(u);
		return -ENOMEM;
	}
	for (i = 0; i < u->nr; i++)
		u->map[i].handle = INVALID_GRANT_HANDLE;

	zd_vm_flags_mod(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY,
			writable ? 0 : VM_MAYWRITE);
	/* mmap() runs with the mmap lock held for writing. */
	r = mmu_interval_notifier_insert_locked(&u->notifier, vma->vm_mm, u->start, len,
						&zd_umap_mn_ops);
	if (r)
		goto err_free;
	mmu_interval_read_begin(&u->notifier);
	r = apply_to_page_range(vma->vm_mm, u->start, len, zd_umap_collect_pte, u);
	if (r)
		goto err_notifier;
	for (i = 0; i < u->nr; i++)
		gnttab_set_map_op(&u->map[i], u->map[i].host_addr, flags, refs[i], domid);
	gnttab_batch_map(u->map, u->nr);
	r = 0;
	for (i = 0; i < u->nr; i++) {
		if (u->map[i].status == GNTST_okay)
			continue;
		u->map[i].handle = INVALID_GRANT_HANDLE;
		r = -ENXIO;
	}
	if (r)
		goto err_notifier;
	refcount_set(&u->users, 1);
	atomic_long_inc(&zd_umaps_alive);
	vma->vm_private_data = u;
	vma->vm_ops = &zd_umap_vm_ops;
	return 0;

err_notifier:
	mmu_interval_notifier_remove(&u->notifier);
err_free:
	zd_umap_free(u);
	return r;
}
