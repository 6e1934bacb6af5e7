// SPDX-License-Identifier: GPL-2.0
/*
 * device.c: a vdispl device and its xenbus state machine.
 *
 *   Initialising --config ok--> InitWait --fe Initialised--> Connected
 *   (a frontend Connected to an earlier backend sees our InitWait, starts over)
 *   Connected --fe Initialising/InitWait--> InitWait  (frontend starts over)
 *   Connected --fe Closing--> Closing --fe Closed/gone--> Closed
 *   Connected --fe Closed/gone--> Closed
 *   InitWait --fe Closing--> Closing;  InitWait --fe Closed--> Closed
 *   Closed --online, config ok, fe Initialising..Connected--> InitWait  (reconnect)
 *   Initialising --bad config--> Closed  (for good: never offered again)
 *   any --ring broken (zd_device_fail)--> Closing
 *
 * Every transition writes our state node once and logs one line; states
 * that repeat or that the frontend skips are handled by re-evaluating from
 * the current state until nothing changes.
 */
#include "device.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/loop.h"
#include "paths.h"
#include "xsutil.h"

#define MAX_STEPS 8 /* transitions per zd_device_step; the graph has no longer path */

const char *zd_xenbus_state_name(enum xenbus_state s)
{
	static const char *const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "Invalid";
}

/*
 * Publish dev->state. A failed write is retried on the next step: the
 * transition already happened on our side, and a frontend waiting for a
 * node we never wrote would wait forever.
 */
static void write_state(struct zd_device *dev)
{
	int r = zd_xs_write_uint(dev->env->xs, dev->be_path, "state", (uint32_t)dev->state);

	dev->state_unwritten = r != 0;
	if (r && !dev->gone)
		zd_warn(dev->name, "cannot write state: %s", strerror(-r));
}

static void set_state(struct zd_device *dev, enum xenbus_state s)
{
	if (dev->state == s)
		return;
	/* A guest can make the device cycle: one line per transition, rate-limited. */
	zd_log_rl(&dev->rl_state, ZD_LOG_INFO, dev->name, "%s -> %s",
		  zd_xenbus_state_name(dev->state), zd_xenbus_state_name(s));
	dev->state = s;
	dev->connect_held = false; /* held only in InitWait */
	write_state(dev);
}

/* The frontend's state; Unknown when missing or malformed. */
static enum xenbus_state read_fe_state(struct zd_device *dev)
{
	uint32_t v;

	if (zd_xs_read_uint(dev->env->xs, dev->fe_path, "state", 0, XenbusStateReconfigured, &v))
		return XenbusStateUnknown;
	return (enum xenbus_state)v;
}

static bool backend_online(struct zd_device *dev)
{
	uint32_t v;

	return zd_xs_read_uint(dev->env->xs, dev->be_path, "online", 0, 1, &v) == 0 && v == 1;
}

static bool backend_dir_exists(struct zd_device *dev)
{
	unsigned int len;
	char *v = xs_read(dev->env->xs, XBT_NULL, dev->be_path, &len);

	free(v);
	return v != NULL;
}

static void conn_init(struct zd_device *dev, unsigned int i)
{
	zd_conn_init(&dev->conns[i], dev->env, dev->fe_domid, dev->fe_path, dev->name, &dev->rl,
		     &dev->rl_state, &dev->bufs, i);
}

/*
 * be-alloc, once per device: as the toolstack wrote it when the device
 * appeared (the node is in the guest's own directory: a later 1 is the
 * guest's), and only where the policy allows it.
 */
static void read_be_alloc(struct zd_device *dev)
{
	char path[64], name[ZD_POLICY_MAX_NAME];
	bool asked, allowed;
	uint32_t v;

	if (dev->be_alloc_read)
		return;
	dev->be_alloc_read = true;
	asked = zd_xs_read_uint(dev->env->xs, dev->fe_path, XENDISPL_FIELD_BE_ALLOC, 0, 1, &v) ==
			0 &&
		v == 1;
	if (!asked)
		return;
	snprintf(path, sizeof(path), "/local/domain/%u", dev->fe_domid);
	allowed = zd_be_alloc_allowed(&dev->env->be_alloc, dev->fe_domid,
				      zd_xs_read_str(dev->env->xs, path, "name", name, sizeof(name))
					      ? NULL
					      : name);
	if (!allowed)
		zd_warn(dev->name, "be-alloc refused by the daemon's --be-alloc policy (%s)",
			zd_be_alloc_mode_name(dev->env->be_alloc.mode));
	dev->be_alloc = allowed;
}

/* Initialising: read the device's configuration, offer our versions. */
static int device_init(struct zd_device *dev)
{
	unsigned int i;
	int r;

	read_be_alloc(dev);
	for (i = 0; i < ZD_MAX_CONNECTORS; i++)
		zd_conn_unreserve(&dev->conns[i]);

	for (i = 0; i < ZD_MAX_CONNECTORS; i++) {
		char idx[8];
		unsigned int len;
		char path[128];
		char *v;

		snprintf(idx, sizeof(idx), "%u", i);
		snprintf(path, sizeof(path), "%s/%s", dev->fe_path, idx);
		v = xs_read(dev->env->xs, XBT_NULL, path, &len);
		if (!v)
			break;
		free(v);
		conn_init(dev, i);
		r = zd_conn_read_config(&dev->conns[i]);
		if (r)
			return r;
	}
	if (!i) {
		zd_err(dev->name, "no connectors configured under %s", dev->fe_path);
		return -ENOENT;
	}
	r = zd_xs_write_str(dev->env->xs, dev->be_path, XENDISPL_FIELD_BE_VERSIONS, ZD_BE_VERSIONS);
	if (r)
		return r;
	/* Only now: nr_conns != 0 means the configuration was accepted. */
	dev->nr_conns = i;
	return 0;
}

static uint64_t now_us(const struct zd_device *dev)
{
	return dev->env->loop ? zd_loop_now_us(dev->env->loop) : 0;
}

bool zd_device_work_allowed(struct zd_device *dev)
{
	dev->work_held = !zd_budget_take(&dev->display, now_us(dev));
	return !dev->work_held;
}

uint64_t zd_device_work_start(const struct zd_device *dev)
{
	return now_us(dev);
}

void zd_device_work_done(struct zd_device *dev, uint64_t start)
{
	uint64_t now = now_us(dev);

	zd_budget_charge(&dev->display, now > start ? now - start : 0);
}

unsigned int zd_device_work_wait_ms(struct zd_device *dev)
{
	return dev->work_held ? zd_budget_wait_ms(&dev->display, now_us(dev)) : 0;
}

unsigned int zd_device_connect_wait_ms(struct zd_device *dev)
{
	return dev->connect_held ? zd_budget_wait_ms(&dev->connects, now_us(dev)) : 0;
}

/*
 * May the frontend connect now? Each connect costs more than the daemon's
 * own time: xenstored's, the hypervisor's and dom0's kernel's for the
 * rings, the channels and the buffers, and a modeset and a release. A
 * frontend that connects and drops again and again is held in InitWait
 * once its burst is spent; the backend steps it again when it may.
 */
static bool connect_allowed(struct zd_device *dev)
{
	if (!zd_budget_take(&dev->connects, now_us(dev))) {
		if (!dev->connect_held)
			zd_log_rl(&dev->rl_state, ZD_LOG_WARN, dev->name,
				  "connects more than %u times a minute: held for %u ms",
				  dev->env->limits.connects_per_min,
				  zd_budget_wait_ms(&dev->connects, now_us(dev)));
		dev->connect_held = true;
		return false;
	}
	dev->connect_held = false;
	zd_budget_charge(&dev->connects, ZD_CONNECT_COST);
	return true;
}

bool zd_device_step_allowed(struct zd_device *dev)
{
	if (!zd_budget_take(&dev->steps, now_us(dev))) {
		if (!dev->step_held)
			zd_log_rl(&dev->rl_state, ZD_LOG_WARN, dev->name,
				  "xenstore changes more than %u a second: steps held for %u ms",
				  ZD_STEPS_PER_S, zd_budget_wait_ms(&dev->steps, now_us(dev)));
		dev->step_held = true;
		return false;
	}
	dev->step_held = false;
	zd_budget_charge(&dev->steps, 1);
	return true;
}

unsigned int zd_device_step_wait_ms(struct zd_device *dev)
{
	return dev->step_held ? zd_budget_wait_ms(&dev->steps, now_us(dev)) : 0;
}

/*
 * Releasing outputs is blocking display work too (modesets off, flip and
 * release waits): it is charged, so that a guest that connects and drops
 * again and again waits at its next modeset.
 */
static void device_disconnect(struct zd_device *dev)
{
	uint64_t t0 = zd_device_work_start(dev);

	for (unsigned int i = dev->nr_conns; i-- > 0;)
		zd_conn_disconnect(&dev->conns[i]);
	zd_paths_end_all(&dev->bufs);
	zd_device_work_done(dev, t0);
	dev->work_held = false; /* the held request went with its ring */
}

/* Frontend published its rings: negotiate and map everything. */
static int device_connect(struct zd_device *dev)
{
	char buf[ZD_MAX_XS_VALUE];
	uint32_t v;
	int r;

	/*
	 * Linux's drm_xen_front writes no "version": a frontend that chose none
	 * gets the newest we offer (a v1 frontend never sends v2 requests).
	 */
	r = zd_xs_read_str(dev->env->xs, dev->fe_path, XENDISPL_FIELD_FE_VERSION, buf, sizeof(buf));
	if (r == -ENOENT) {
		v = XENDISPL_PROTOCOL_VERSION_INT;
	} else if (r || zd_parse_uint(buf, 1, XENDISPL_PROTOCOL_VERSION_INT, &v)) {
		zd_err(dev->name, "frontend chose no protocol version we offer (%s)",
		       r ? strerror(-r) : buf);
		return r ? r : -EPROTO;
	}
	dev->version = v;
	dev->bufs.be_alloc = dev->be_alloc;

	for (unsigned int i = 0; i < dev->nr_conns; i++) {
		r = zd_conn_connect(&dev->conns[i]);
		if (r) {
			device_disconnect(dev);
			return r;
		}
	}
	zd_log_rl(&dev->rl_state, ZD_LOG_INFO, dev->name, "protocol version %u, %u connector(s)%s",
		  dev->version, dev->nr_conns, dev->be_alloc ? ", be-alloc" : "");
	return 0;
}

/* One transition; true if the state changed (evaluate again). */
static bool device_advance(struct zd_device *dev, enum xenbus_state fe, bool online)
{
	enum xenbus_state old = dev->state;
	int r;

	switch (dev->state) {
	case XenbusStateUnknown:
	case XenbusStateInitialising:
		r = device_init(dev);
		if (r) {
			zd_err(dev->name, "bad configuration: %s", strerror(-r));
			set_state(dev, XenbusStateClosed);
		} else {
			dev->fe_stale = fe == XenbusStateConnected;
			if (dev->fe_stale)
				zd_info(dev->name,
					"the frontend is connected to an earlier backend; waiting for it to start over");
			set_state(dev, XenbusStateInitWait);
		}
		break;
	case XenbusStateInitWait:
		/*
		 * A frontend that was already Connected when we came to
		 * InitWait holds the rings of an earlier backend (we were
		 * restarted): our InitWait makes it start over. One that went
		 * Connected since then published its rings for us.
		 */
		if (fe != XenbusStateConnected)
			dev->fe_stale = false;
		if (fe == XenbusStateInitialised ||
		    (fe == XenbusStateConnected && !dev->fe_stale)) {
			if (!connect_allowed(dev))
				break;
			r = device_connect(dev);
			set_state(dev, r ? XenbusStateClosing : XenbusStateConnected);
		} else if (fe == XenbusStateClosing) {
			set_state(dev, XenbusStateClosing);
		} else if (fe == XenbusStateClosed) {
			/* It gave up before connecting, skipping Closing. */
			set_state(dev, XenbusStateClosed);
		}
		break;
	case XenbusStateConnected:
		if (fe == XenbusStateConnected || fe == XenbusStateInitialised)
			break;
		device_disconnect(dev);
		if (fe == XenbusStateInitialising || fe == XenbusStateInitWait)
			set_state(dev, XenbusStateInitWait);
		else if (fe == XenbusStateClosing || fe == XenbusStateReconfiguring)
			set_state(dev, XenbusStateClosing);
		else
			set_state(dev, XenbusStateClosed);
		break;
	case XenbusStateClosing:
		if (fe == XenbusStateClosed || fe == XenbusStateUnknown)
			set_state(dev, XenbusStateClosed);
		else if (fe == XenbusStateInitialising && online)
			set_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateClosed:
		/*
		 * A device whose configuration was rejected (nr_conns 0) is not
		 * offered again: it would connect with no connectors at all.
		 */
		if (online && dev->nr_conns &&
		    (fe == XenbusStateInitialising || fe == XenbusStateInitWait ||
		     fe == XenbusStateInitialised || fe == XenbusStateConnected)) {
			dev->fe_stale = fe == XenbusStateConnected;
			set_state(dev, XenbusStateInitWait);
		}
		break;
	default:
		/* A state we never enter (we were restarted over a stale node). */
		set_state(dev, XenbusStateInitialising);
		break;
	}
	return dev->state != old;
}

/*
 * The toolstack removed the device and made it anew between two of our
 * looks: a new backend directory starts with state Initialising, which we
 * never write once past it.
 */
static bool recreated(struct zd_device *dev)
{
	uint32_t v;

	if (dev->state == XenbusStateInitialising || dev->state_unwritten)
		return false;
	return zd_xs_read_uint(dev->env->xs, dev->be_path, "state", 0, XenbusStateReconfigured,
			       &v) == 0 &&
	       v == XenbusStateInitialising;
}

bool zd_device_step(struct zd_device *dev)
{
	bool was_connected = dev->state == XenbusStateConnected;
	enum xenbus_state fe;
	bool online;

	if (!backend_dir_exists(dev)) {
		/* The toolstack removed the device: tear down without writing. */
		dev->gone = true;
		device_disconnect(dev);
		zd_info(dev->name, "removed");
		return false;
	}
	if (dev->state_unwritten)
		write_state(dev);
	if (recreated(dev)) {
		zd_info(dev->name, "re-created by the toolstack: starting over");
		device_disconnect(dev);
		dev->nr_conns = 0;
		dev->state = XenbusStateInitialising;
	}
	fe = read_fe_state(dev);
	online = backend_online(dev);
	if (fe != dev->fe_state) {
		zd_dbg(dev->name, "frontend %s -> %s", zd_xenbus_state_name(dev->fe_state),
		       zd_xenbus_state_name(fe));
		dev->fe_state = fe;
	}
	for (int i = 0; i < MAX_STEPS && device_advance(dev, fe, online); i++)
		;
	return !was_connected && dev->state == XenbusStateConnected;
}

void zd_device_fail(struct zd_device *dev, int err, const char *why)
{
	zd_err(dev->name, "%s (%s): closing the device", why, strerror(err < 0 ? -err : err));
	device_disconnect(dev);
	set_state(dev, XenbusStateClosing);
}

int zd_device_watch_fe(struct zd_device *dev, bool on)
{
	char path[sizeof(dev->fe_path) + sizeof("/state")];
	bool ok;

	if (dev->watching == on)
		return 0;
	snprintf(path, sizeof(path), "%s/state", dev->fe_path);
	ok = on ? xs_watch(dev->env->xs, path, dev->watch_token)
		: xs_unwatch(dev->env->xs, path, dev->watch_token);
	if (!ok)
		return -errno;
	dev->watching = on;
	return 0;
}

int zd_device_new(const struct zd_env *env, const char *be_root, unsigned int fe_domid,
		  unsigned int devid, struct zd_device **out)
{
	struct zd_device *dev = calloc(1, sizeof(*dev));
	int r;

	if (!dev)
		return -ENOMEM;
	dev->env = env;
	dev->fe_domid = fe_domid;
	dev->devid = devid;
	dev->blocking_round = ULONG_MAX; /* none yet */
	zd_budget_init(&dev->display, env->limits.display_ms * 1000ull,
		       env->limits.display_ms * 1000ull * ZD_DISPLAY_BURST_S, now_us(dev));
	zd_budget_init(&dev->connects, env->limits.connects_per_min,
		       ZD_CONNECT_BURST * ZD_CONNECT_COST, now_us(dev));
	zd_budget_init(&dev->steps, ZD_STEPS_PER_S, ZD_STEP_BURST, now_us(dev));
	dev->state = XenbusStateInitialising;
	dev->fe_state = XenbusStateUnknown;
	snprintf(dev->name, sizeof(dev->name), "dom%u/%s/%u", fe_domid, XENDISPL_DRIVER_NAME,
		 devid);
	snprintf(dev->be_path, sizeof(dev->be_path), "%s/%u/%u", be_root, fe_domid, devid);
	snprintf(dev->fe_path, sizeof(dev->fe_path), "/local/domain/%u/device/%s/%u", fe_domid,
		 XENDISPL_DRIVER_NAME, devid);
	snprintf(dev->watch_token, sizeof(dev->watch_token), "fe/%u/%u", fe_domid, devid);
	zd_buffers_init(&dev->bufs, env, fe_domid, dev->name, &dev->rl);
	for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++)
		conn_init(dev, i);

	r = zd_device_watch_fe(dev, true);
	if (r < 0) {
		free(dev);
		return r;
	}
	zd_info(dev->name, "new device (frontend %s)", dev->fe_path);
	*out = dev;
	return 0;
}

void zd_device_free(struct zd_device *dev)
{
	if (!dev)
		return;
	device_disconnect(dev);
	if (!dev->gone && dev->state != XenbusStateClosed)
		set_state(dev, XenbusStateClosed);
	zd_device_watch_fe(dev, false);
	for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++)
		zd_conn_unreserve(&dev->conns[i]);
	zd_buffers_release(&dev->bufs);
	free(dev);
}

void zd_device_info(const struct zd_device *dev, struct zd_device_info *out)
{
	*out = (struct zd_device_info){
		.name = dev->name,
		.state = dev->state,
		.fe_state = dev->fe_state,
		.version = dev->version,
		.nr_conns = dev->nr_conns,
		.be_alloc = dev->be_alloc,
		.buffers = zd_buffers_ndbufs(&dev->bufs),
		.fbs = zd_buffers_nfbs(&dev->bufs),
		.pages = dev->bufs.pages,
		.granted_pages = dev->bufs.granted_pages,
		.deferred_pages = dev->bufs.deferred_pages,
		.display_ms = dev->display.spent / 1000u,
		.display_waits = dev->display.waits,
		.connects = dev->connects.spent / ZD_CONNECT_COST,
		.connect_waits = dev->connects.waits,
		.steps = dev->steps.spent,
		.step_waits = dev->steps.waits,
	};
}

int zd_device_conn_info(const struct zd_device *dev, unsigned int i, struct zd_conn_info *out)
{
	if (i >= ZD_MAX_CONNECTORS)
		return -ENOENT;
	zd_conn_info(&dev->conns[i], out);
	return 0;
}

int zd_device_dbuf_info(const struct zd_device *dev, uint32_t i, struct zd_dbuf_info *out)
{
	return zd_buffers_dbuf_info(&dev->bufs, i, out);
}
