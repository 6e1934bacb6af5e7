/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv-umap.h: kernel code shared by zdispl's modules (see pv-umap.c).
 */
#ifndef ZDISPL_KERNEL_PV_UMAP_H
#define ZDISPL_KERNEL_PV_UMAP_H

#include <linux/mm.h>
#include <xen/interface/grant_table.h>

#include "compat.h"

/*
 * x86 PV only: map the grants refs[0 .. pages of vma) of domain domid into
 * vma, read-only unless writable (a writable shared vma then fails with
 * -EACCES). Called from an mmap handler; 0 or -errno.
 */
int zd_pv_umap(struct vm_area_struct *vma, const u32 *refs, domid_t domid, bool writable);

/* Such mappings alive in this module (made, and not closed by their last vma). */
long zd_pv_umaps_alive(void);

#endif /* ZDISPL_KERNEL_PV_UMAP_H */
