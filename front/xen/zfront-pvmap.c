// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-pvmap.c: user mappings of the backend's grants in an x86 PV guest,
 * from the code shared with dom0's helper (xen-interface/kernel/pv-umap.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "kernel/pv-umap.c"
