// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-mmap.c: user mappings of an exported dma-buf in an x86 PV domain,
 * from the code shared with the frontend (xen-interface/kernel/pv-umap.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "zcopy.h"
#include "kernel/pv-umap.c"
