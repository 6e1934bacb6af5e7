/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv-umap.h: kernel code shared by zdispl's modules (see pv-umap.c).
 */
#ifndef ZDISPL_KERNEL_PV_UMAP_H
#define ZDISPL_KERNEL_PV_UMAP_H

#include <linux/mm.h>
#include <linux/version.h>
#include <xen/interface/grant_table.h>

/* vm_flags became read-only (vm_flags_mod()) in Linux 6.3. */
static inline void zd_vm_flags_mod(struct vm_area_struct *vma, unsigned long set,
				   unsigned long clear)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/*
 * x86 PV only: map the grants refs[0 .. pages of vma) of domain domid into
 * vma, read-only unless writable (a writable shared vma then fails with
 * -EACCES). Called from an mmap handler; 0 or -errno.
 */
int zd_pv_umap(struct vm_area_struct *vma, const u32 *refs, domid_t domid, bool writable);

#endif /* ZDISPL_KERNEL_PV_UMAP_H */
