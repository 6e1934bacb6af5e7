/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kms.h: the display on libdrm (atomic KMS), as main.c and the lab's
 * display test open it. The core sees it only as kms_display_ops.
 */
#ifndef ZD_KMS_H
#define ZD_KMS_H

#include "../base/loop.h"
#include "../core/display.h"

/*
 * Open the given DRM devices (paths NULL or npaths 0: every /dev/dri/cardN
 * that is an atomic KMS device with connectors), become DRM master on each
 * and poll them from loop. Every connector is an output, named as the
 * kernel names it ("Virtual-1", "HDMI-A-1"); with several devices the
 * output's name says "cardN:Virtual-1". Errors: -ENODEV no usable device;
 * -EOPNOTSUPP a given device has no atomic modesetting; -EBUSY or -EACCES
 * (from DRM_IOCTL_SET_MASTER) another process is DRM master; open(2)'s
 * errors for a given path.
 */
int kms_display_open(struct zd_loop *loop, const char *const *paths, unsigned int npaths,
		     struct zd_display **out);
void kms_display_close(struct zd_display *d);

extern const struct zd_display_ops kms_display_ops;

#endif /* ZD_KMS_H */
