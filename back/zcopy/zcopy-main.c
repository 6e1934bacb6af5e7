// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl_zcopy: zdispl's dom0 helper. Maps a guest's grants as a dma-buf
 * (export) and grants pages of its own to a guest, as a dma-buf too
 * (allocation), for zero-copy display on kernels whose gntdev cannot. The ABI is
 * xen-interface/zdispl/zcopy.h; docs/zcopy.md has the lifetime rules.
 *
 * This file: the character device /dev/zdispl-zcopy, its ioctls and the
 * module-wide counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <xen/xen.h>
#include <xen/page.h>

#include "zcopy.h"

struct zc_counters zc_count;

u32 zc_new_id(struct zc_file *f)
{
	if (!++f->next_id)
		f->next_id = 1;
	return f->next_id;
}

static int zc_open(struct inode *inode, struct file *filp)
{
	struct zc_file *f;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->exports);
	filp->private_data = f;
	return nonseekable_open(inode, filp);
}

static int zc_release(struct inode *inode, struct file *filp)
{
	struct zc_file *f = filp->private_data;

	zc_export_forget_all(f);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static void zc_stats(struct zcopy_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->exports_alive = atomic64_read(&zc_count.exports_alive);
	s->pages_mapped = atomic64_read(&zc_count.pages_mapped);
	s->allocs_alive = atomic64_read(&zc_count.allocs_alive);
	s->pages_allocated = atomic64_read(&zc_count.pages_allocated);
	s->grants_alive = atomic64_read(&zc_count.grants_alive);
	s->grants_deferred = atomic64_read(&zc_count.grants_deferred);
	s->exports_total = atomic64_read(&zc_count.exports_total);
	s->allocs_total = atomic64_read(&zc_count.allocs_total);
	s->user_maps_alive = zc_user_maps_alive();
}

static long zc_ioctl_wait(struct zc_file *f, void __user *arg)
{
	struct zcopy_wait_released req;
	int r;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.busy || req.pad)
		return -EINVAL;
	r = zc_wait_released(f, &req);
	if (r)
		return r;
	/* Released and forgotten either way; busy is information only. */
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long zc_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct zc_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;
	struct zcopy_stats s;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case ZCOPY_IOCTL_EXPORT:
		return zc_export(f, uarg);
	case ZCOPY_IOCTL_WAIT_RELEASED:
		return zc_ioctl_wait(f, uarg);
	case ZCOPY_IOCTL_ALLOC:
		return zc_alloc(f, uarg);
	case ZCOPY_IOCTL_STATS:
		zc_stats(&s);
		return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations zc_fops = {
	.owner = THIS_MODULE,
	.open = zc_open,
	.release = zc_release,
	.unlocked_ioctl = zc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /sys/class/misc/zdispl-zcopy/stats: the counters, for scripts. */
static ssize_t stats_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zcopy_stats s;

	zc_stats(&s);
	return sysfs_emit(buf,
			  "exports_alive %llu\npages_mapped %llu\nallocs_alive %llu\n"
			  "pages_allocated %llu\ngrants_alive %llu\ngrants_deferred %llu\n"
			  "exports_total %llu\nallocs_total %llu\nuser_maps_alive %llu\n",
			  s.exports_alive, s.pages_mapped, s.allocs_alive, s.pages_allocated,
			  s.grants_alive, s.grants_deferred, s.exports_total, s.allocs_total,
			  s.user_maps_alive);
}
static DEVICE_ATTR_RO(stats);

static struct attribute *zc_attrs[] = {
	&dev_attr_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zc);

static struct miscdevice zc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ZCOPY_DEVICE_NAME,
	.fops = &zc_fops,
	.mode = 0600,
	.groups = zc_groups,
};

static int __init zc_init(void)
{
	int r;

	if (!xen_domain())
		return -ENODEV;
	/* Grant refs name Xen pages; one kernel page must be one Xen page. */
	if (PAGE_SIZE != XEN_PAGE_SIZE) {
		pr_err("PAGE_SIZE %lu differs from Xen's page size\n", PAGE_SIZE);
		return -EOPNOTSUPP;
	}
	r = misc_register(&zc_misc);
	if (r)
		return r;
	pr_info("/dev/%s ready (%s domain)\n", ZCOPY_DEVICE_NAME,
		xen_pv_domain() ? "PV" : "auto-translated");
	return 0;
}

static void __exit zc_exit(void)
{
	/*
	 * Open files, live dma-bufs and deferred grants all hold a module
	 * reference, so nothing of ours is alive here.
	 */
	misc_deregister(&zc_misc);
	zc_alloc_module_exit();
	pr_info("unloaded\n");
}

module_init(zc_init);
module_exit(zc_exit);

MODULE_DESCRIPTION("zdispl: Xen grants <-> dma-buf for zero-copy display backends");
MODULE_LICENSE("GPL");
ZD_MODULE_IMPORT_NS_DMA_BUF();
