// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-drm.c: the DRM device of a connection. Made when the backend
 * connects (zfront_drm_create), unplugged when the connection is lost
 * (zfront_drm_unplug): from then on no ioctl reaches the backend, every
 * flip in flight is released and every grant is ended, while clients keep
 * their file and objects until they close them. The device's release then
 * lets the xenbus side connect again (zfront_drm_gone).
 */
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_probe_helper.h>
#include <linux/module.h>

#include "zfront-drm.h"

static bool zfront_fbdev = true;
module_param_named(fbdev, zfront_fbdev, bool, 0444);
MODULE_PARM_DESC(fbdev, "fbdev emulation on the first connector (the text console)");

DEFINE_DRM_GEM_FOPS(zfront_fops);

static const struct drm_driver zfront_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
	.fops = &zfront_fops,
	.gem_create_object = zfront_gem_create_object,
	.dumb_create = zfront_gem_dumb_create,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.gem_prime_mmap = drm_gem_prime_mmap,
	.name = "zdispl",
	.desc = "zdispl Xen PV display (displif v2)",
	.date = "20261201",
	.major = 1,
	.minor = 0,
};

/* drmm action: the last reference is gone. */
static void zfront_drm_release(struct drm_device *drm, void *arg)
{
	struct zfront_drm *zd = arg;

	zfront_kms_fini(zd);
	mutex_lock(&zfront_link_lock);
	if (zd->info && zd->unplugged)
		zfront_drm_gone(zd->info);
	zd->info = NULL;
	mutex_unlock(&zfront_link_lock);
	xa_destroy(&zd->ids);
	mutex_destroy(&zd->bufs_lock);
}

void zfront_drm_forget(struct zfront_drm *zd)
{
	lockdep_assert_held(&zfront_link_lock);
	zd->info = NULL;
}

int zfront_drm_create(struct zfront_info *info)
{
	struct drm_device *drm;
	struct zfront_drm *zd;
	int ret;

	drm = drm_dev_alloc(&zfront_drm_driver, &info->xb->dev);
	if (IS_ERR(drm))
		return PTR_ERR(drm);
	zd = drmm_kzalloc(drm, sizeof(*zd), GFP_KERNEL);
	if (!zd) {
		ret = -ENOMEM;
		goto put;
	}
	zd->drm = drm;
	drm->dev_private = zd;
	strscpy(zd->name, info->name, sizeof(zd->name));
	zd->be_alloc = info->cfg.be_alloc;
	xa_init_flags(&zd->ids, XA_FLAGS_ALLOC1); /* cookie 0 is invalid */
	mutex_init(&zd->bufs_lock);
	INIT_LIST_HEAD(&zd->dbufs);
	mutex_lock(&zfront_link_lock);
	zd->info = info;
	mutex_unlock(&zfront_link_lock);
	ret = drmm_add_action(drm, zfront_drm_release, zd);
	if (ret)
		goto put;

	/* Flip events may arrive from the first PG_FLIP on. */
	zfront_rings_connect(info, zd);
	ret = zfront_kms_init(zd);
	if (ret)
		goto put;
	ret = drm_dev_register(drm, 0);
	if (ret)
		goto put;
	info->drm = zd;
	zf_info(info, "DRM device %s (minor %d), %u connector(s)\n", drm->driver->name,
		drm->primary->index, zd->npipes);
	if (zfront_fbdev) {
		/*
		 * The console's buffer is ours even on a be-alloc device: the
		 * fbdev emulation needs a kernel mapping, which a PV guest
		 * cannot have of the backend's pages. Its buffer is made here,
		 * during the setup (the first hotplug).
		 */
		zd->fe_only = true;
		drm_fbdev_generic_setup(drm, 32);
		zd->fe_only = false;
	}
	return 0;

put:
	zfront_rings_connect(info, NULL);
	drm_dev_put(drm);
	return ret;
}

void zfront_drm_unplug(struct zfront_drm *zd)
{
	struct drm_device *drm = zd->drm;

	zd->unplugged = true;
	/* Waits for every ioctl inside drm_dev_enter(): none waits any more. */
	drm_dev_unplug(drm);
	/* No flip event comes any more: release those in flight first. */
	zfront_kms_release_flips(zd);
	drm_atomic_helper_shutdown(drm);
	zfront_kms_release_flips(zd);
	zfront_dbufs_end_grants(zd);
	zf_info(zd->info, "DRM device unplugged; its buffers' grants are ended\n");
	drm_dev_put(drm);
}
