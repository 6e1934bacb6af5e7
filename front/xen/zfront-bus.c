// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-bus.c: the xenbus driver for "vdispl" devices and each device's
 * state machine, all in zfront_handle()'s one switch on the backend's
 * state, guarded by our own (xb->state). It copes with repeated and
 * skipped states: every step checks where we are before it acts.
 *
 *   backend InitWait, we Initialising: read the configuration, make the
 *       rings, publish them                              -> Initialised
 *   backend Connected, we Initialised: make the DRM device (modes from
 *       GET_EDID), register it                           -> Connected
 *   backend lost (Closing, Closed, Unknown, or back to InitWait or
 *       Initialising while we are connected): end every request, unplug
 *       the DRM device, free the rings, end every grant  -> Reconfiguring
 *   the lost connection's DRM device released by its
 *       last client (zfront_drm_gone)                    -> Initialising
 *       and, if the backend waits in InitWait, on at once.
 *   the backend broke the protocol on a ring: an error node for the
 *       toolstack, then as if it were lost, but          -> Closing
 *       and once the backend closes too                  -> Closed
 *       (a backend back in InitWait is served anew).
 *
 * This is displif's recovery flow: clients of a lost connection keep their
 * (unplugged) device until they close it; the display comes back as a new
 * DRM device once they have.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/page.h>
#include <xen/platform_pci.h>

#include "../zfront.h"

unsigned int zfront_req_timeout_ms = 3000;
module_param_named(req_timeout_ms, zfront_req_timeout_ms, uint, 0644);
MODULE_PARM_DESC(req_timeout_ms, "How long to wait for the backend's response to a request (ms)");

unsigned int zfront_flip_timeout_ms = 3000;
module_param_named(flip_timeout_ms, zfront_flip_timeout_ms, uint, 0644);
MODULE_PARM_DESC(flip_timeout_ms, "How long to wait for a page-flip event before releasing the client (ms)");

bool zfront_ro_grants = true;
module_param_named(ro_grants, zfront_ro_grants, bool, 0444);
MODULE_PARM_DESC(ro_grants, "Grant display buffers read-only to the backend (off for backends that map them writable)");

DEFINE_MUTEX(zfront_link_lock);

static void set_state(struct zfront_info *info, enum xenbus_state s)
{
	if (info->xb->state == s)
		return;
	zf_info(info, "%s -> %s\n", xenbus_strstate(info->xb->state), xenbus_strstate(s));
	xenbus_switch_state(info->xb, s);
}

/* Backend InitWait: configuration, rings, publish. */
static int initwait(struct zfront_info *info)
{
	int ret = zfront_cfg_read(info, &info->cfg);

	if (ret)
		return ret;
	ret = zfront_rings_create(info);
	if (ret)
		return ret;
	ret = zfront_rings_publish(info);
	if (ret) {
		zfront_rings_free(info);
		return ret;
	}
	zf_info(info, "%u connector(s), protocol version %u%s\n", info->cfg.nconn,
		info->cfg.version, info->cfg.be_alloc ? ", be-alloc offered" : "");
	return 0;
}

/*
 * The connection is lost: nothing may wait for the backend any more. Safe
 * to call at any stage and more than once.
 */
static void disconnect(struct zfront_info *info)
{
	struct zfront_drm *drm = info->drm;

	if (!info->nrings && !drm)
		return;
	zfront_rings_kill(info);
	if (drm) {
		info->drm = NULL;
		mutex_lock(&zfront_link_lock);
		info->held_drm = drm;
		mutex_unlock(&zfront_link_lock);
		info->reconfiguring = true;
		/* May release it at once; then zfront_drm_gone() queues reinit. */
		zfront_drm_unplug(drm);
	}
	zfront_rings_free(info);
}

static bool connected(struct zfront_info *info)
{
	return info->xb->state == XenbusStateInitialised ||
	       info->xb->state == XenbusStateConnected;
}

static void lost(struct zfront_info *info, enum xenbus_state next)
{
	if (!connected(info))
		return;
	disconnect(info);
	set_state(info, info->reconfiguring ? XenbusStateReconfiguring : next);
}

/* The state machine: what to do when the backend is in state be. */
static void zfront_handle(struct zfront_info *info, enum xenbus_state be)
{
	int ret;

	lockdep_assert_held(&info->lock);
	switch (be) {
	case XenbusStateInitWait:
		/* A backend back in InitWait has restarted. */
		lost(info, XenbusStateInitialising);
		if (info->reconfiguring)
			break; /* clients still hold the old device */
		if (info->xb->state != XenbusStateInitialising &&
		    info->xb->state != XenbusStateClosing &&
		    info->xb->state != XenbusStateClosed)
			break;
		info->broken = false;
		set_state(info, XenbusStateInitialising);
		ret = initwait(info);
		if (ret) {
			xenbus_dev_error(info->xb, ret, "initialising the frontend");
			set_state(info, XenbusStateClosing);
			break;
		}
		set_state(info, XenbusStateInitialised);
		break;

	case XenbusStateConnected:
		if (info->xb->state != XenbusStateInitialised)
			break;
		ret = zfront_drm_create(info);
		if (ret) {
			xenbus_dev_error(info->xb, ret, "creating the DRM device");
			disconnect(info);
			set_state(info, XenbusStateClosing);
			break;
		}
		set_state(info, XenbusStateConnected);
		break;

	case XenbusStateInitialising:
		lost(info, XenbusStateInitialising);
		break;

	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		lost(info, XenbusStateInitialising);
		/* We closed on an error and the backend follows: we are done. */
		if (info->xb->state == XenbusStateClosing && !info->reconfiguring)
			set_state(info, XenbusStateClosed);
		break;

	case XenbusStateInitialised:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
	default:
		break;
	}
}

static void backend_changed(struct xenbus_device *xb, enum xenbus_state be)
{
	struct zfront_info *info = dev_get_drvdata(&xb->dev);

	mutex_lock(&info->lock);
	zf_dbg(info, "backend %s\n", xenbus_strstate(be));
	zfront_handle(info, be);
	mutex_unlock(&info->lock);
}

/* A ring saw the backend break the protocol (from its interrupt handler). */
static void broken_work(struct work_struct *w)
{
	struct zfront_info *info = container_of(w, struct zfront_info, broken_work);

	mutex_lock(&info->lock);
	if (connected(info)) {
		zf_err(info, "the backend broke the protocol; closing the device\n");
		xenbus_dev_error(info->xb, -EIO, "the backend broke the displif protocol");
		info->broken = true;
		disconnect(info);
		set_state(info, info->reconfiguring ? XenbusStateReconfiguring :
						      XenbusStateClosing);
	}
	mutex_unlock(&info->lock);
}

/* The lost connection's DRM device is gone: start again. */
static void reinit_work(struct work_struct *w)
{
	struct zfront_info *info = container_of(w, struct zfront_info, reinit_work);

	mutex_lock(&info->lock);
	if (info->reconfiguring && !info->removing) {
		info->reconfiguring = false;
		/* A broken backend must close and start over before we do. */
		set_state(info, info->broken ? XenbusStateClosing : XenbusStateInitialising);
		zfront_handle(info, xenbus_read_driver_state(info->xb->otherend));
	}
	mutex_unlock(&info->lock);
}

/* Called under zfront_link_lock when a lost connection's DRM device is freed. */
void zfront_drm_gone(struct zfront_info *info)
{
	info->held_drm = NULL;
	schedule_work(&info->reinit_work);
}

void zfront_backend_broken(struct zfront_info *info)
{
	schedule_work(&info->broken_work);
}

static void set_name(struct zfront_info *info)
{
	const char *dev = strrchr(info->xb->nodename, '/');
	unsigned int domid = 0;

	if (xenbus_scanf(XBT_NIL, "domid", "", "%u", &domid) != 1)
		domid = 0;
	snprintf(info->name, sizeof(info->name), "dom%u/vdispl/%s", domid, dev ? dev + 1 : "?");
}

static int zfront_probe(struct xenbus_device *xb, const struct xenbus_device_id *id)
{
	struct zfront_info *info;
	int ret;

	ret = dma_coerce_mask_and_coherent(&xb->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->xb = xb;
	mutex_init(&info->lock);
	INIT_WORK(&info->broken_work, broken_work);
	INIT_WORK(&info->reinit_work, reinit_work);
	ratelimit_state_init(&info->rl, 5 * HZ, 10);
	set_name(info);
	dev_set_drvdata(&xb->dev, info);
	zf_info(info, "probed, backend %s\n", xb->otherend);
	set_state(info, XenbusStateInitialising);
	return 0;
}

static void zfront_remove(struct xenbus_device *xb)
{
	struct zfront_info *info = dev_get_drvdata(&xb->dev);

	mutex_lock(&info->lock);
	info->removing = true;
	disconnect(info);
	mutex_unlock(&info->lock);

	/* A DRM device still held by clients outlives us: cut its link. */
	mutex_lock(&zfront_link_lock);
	if (info->held_drm)
		zfront_drm_forget(info->held_drm);
	info->held_drm = NULL;
	mutex_unlock(&zfront_link_lock);
	cancel_work_sync(&info->broken_work);
	cancel_work_sync(&info->reinit_work);

	zf_info(info, "removed\n");
	xenbus_frontend_closed(xb);
	dev_set_drvdata(&xb->dev, NULL);
	mutex_destroy(&info->lock);
	kfree(info);
}

/* sysfs, one value per file: the device's counters, then module-wide ones. */
#define ZFRONT_COUNTER(name)                                                           \
	static ssize_t name##_show(struct device *dev, struct device_attribute *a,     \
				   char *buf)                                          \
	{                                                                              \
		struct zfront_info *info = dev_get_drvdata(dev);                       \
										       \
		return sysfs_emit(buf, "%d\n", atomic_read(&info->n_##name));          \
	}                                                                              \
	static DEVICE_ATTR_RO(name)
ZFRONT_COUNTER(spurious);
ZFRONT_COUNTER(rsp_dropped);
ZFRONT_COUNTER(evt_dropped);
ZFRONT_COUNTER(timeouts);

#define ZFRONT_GLOBAL(name)                                                            \
	static ssize_t name##_show(struct device *dev, struct device_attribute *a,     \
				   char *buf)                                          \
	{                                                                              \
		return sysfs_emit(buf, "%lld\n", atomic64_read(&zfront_##name));       \
	}                                                                              \
	static DEVICE_ATTR_RO(name)
ZFRONT_GLOBAL(grants_alive);
ZFRONT_GLOBAL(grants_deferred);
ZFRONT_GLOBAL(flip_timeouts);

static struct attribute *zfront_attrs[] = {
	&dev_attr_spurious.attr,
	&dev_attr_rsp_dropped.attr,
	&dev_attr_evt_dropped.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_grants_alive.attr,
	&dev_attr_grants_deferred.attr,
	&dev_attr_flip_timeouts.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zfront);

static const struct xenbus_device_id zfront_ids[] = {
	{ XENDISPL_DRIVER_NAME },
	{ "" }
};

static struct xenbus_driver zfront_driver = {
	.ids = zfront_ids,
	.probe = zfront_probe,
	.remove = zfront_remove,
	.otherend_changed = backend_changed,
	.not_essential = true,
	.driver = {
		.dev_groups = zfront_groups,
	},
};

static int __init zfront_init(void)
{
	if (XEN_PAGE_SIZE != PAGE_SIZE) {
		pr_err(ZFRONT_NAME ": Xen and kernel page sizes differ; not supported\n");
		return -ENODEV;
	}
	if (!xen_domain() || !xen_has_pv_devices())
		return -ENODEV;
	pr_info(ZFRONT_NAME ": displif v%s frontend\n", XENDISPL_PROTOCOL_VERSION);
	return xenbus_register_frontend(&zfront_driver);
}

static void __exit zfront_exit(void)
{
	xenbus_unregister_driver(&zfront_driver);
}

module_init(zfront_init);
module_exit(zfront_exit);

MODULE_DESCRIPTION("zdispl: Xen PV display (displif v2) frontend, zero-copy");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:" XENDISPL_DRIVER_NAME);
