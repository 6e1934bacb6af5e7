/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h: every kernel-version difference zdispl's modules (front/,
 * back/zcopy/) meet, in one place. The modules build against the lab's
 * Debian 6.1 headers and newer kernels; code elsewhere calls these and
 * has no LINUX_VERSION_CODE of its own.
 */
#ifndef ZDISPL_KERNEL_COMPAT_H
#define ZDISPL_KERNEL_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/version.h>

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

/* The namespace argument became a string literal in Linux 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define ZD_MODULE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#else
#define ZD_MODULE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif /* ZDISPL_KERNEL_COMPAT_H */
