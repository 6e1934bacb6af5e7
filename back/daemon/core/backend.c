// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c: the Xen handles, the watch on our vdispl backend directory,
 * device discovery, and dispatch of xenstore and event channel events to
 * devices and connectors.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "device.h"
#include "../base/log.h"
#include "req.h"
#include "xsutil.h"

#define BE_TOKEN "be"

struct zd_device *zd_backend_find(struct zd_backend *be, unsigned int fe_domid, unsigned int devid)
{
	for (struct zd_device *d = be->devices; d; d = d->next)
		if (d->fe_domid == fe_domid && d->devid == devid)
			return d;
	return NULL;
}

static void unlink_device(struct zd_backend *be, struct zd_device *dev)
{
	for (struct zd_device **pp = &be->devices; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			return;
		}
	}
}

static void process_conn(struct zd_backend *be, struct zd_device *dev, struct zd_conn *c);
static void schedule_held_connects(struct zd_backend *be, struct zd_device *dev);
static void schedule_held_steps(struct zd_backend *be, struct zd_device *dev);

/*
 * Step a device; free it when its backend directory is gone. One that
 * just connected may have requests waiting from before its channels were
 * bound, more than a budget's worth too. One whose connect was held is
 * stepped again when it may connect.
 */
static void step_device(struct zd_backend *be, struct zd_device *dev)
{
	if (zd_device_step(dev)) {
		for (unsigned int i = 0; i < dev->nr_conns && dev->state == XenbusStateConnected;
		     i++)
			process_conn(be, dev, &dev->conns[i]);
	}
	if (dev->gone) {
		unlink_device(be, dev);
		zd_device_free(dev);
		return;
	}
	if (dev->connect_held)
		schedule_held_connects(be, dev);
}

/* Make sure (fe, dev) is served, and step it this turn. */
static void ensure_device(struct zd_backend *be, unsigned int fe, unsigned int devid)
{
	struct zd_device *dev = zd_backend_find(be, fe, devid);
	int r;

	if (!dev) {
		r = zd_device_new(&be->env, be->path, fe, devid, &dev);
		if (r) {
			zd_err(NULL, "dom%u/vdispl/%u: cannot create device: %s", fe, devid,
			       strerror(-r));
			return;
		}
		dev->next = be->devices;
		be->devices = dev;
	}
	dev->xs_dirty = true;
}

/* List <dir>, calling fn for every child that is a decimal in [0, max]. */
static void for_each_id(struct zd_backend *be, const char *dir, uint32_t max,
			void (*fn)(struct zd_backend *, const char *, uint32_t))
{
	unsigned int n;
	char **names = xs_directory(be->env.xs, XBT_NULL, dir, &n);
	uint32_t id;

	if (!names)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (zd_parse_uint(names[i], 0, max, &id) == 0)
			fn(be, dir, id);
		else
			zd_dbg(NULL, "%s/%s: not a device id, ignored", dir, names[i]);
	}
	free(names);
}

static void scan_dev(struct zd_backend *be, const char *dir, uint32_t devid)
{
	unsigned int fe = (unsigned int)strtoul(strrchr(dir, '/') + 1, NULL, 10);

	ensure_device(be, fe, devid);
}

static void scan_fe(struct zd_backend *be, const char *dir, uint32_t fe)
{
	char path[128];

	(void)dir;
	snprintf(path, sizeof(path), "%s/%u", be->path, fe);
	for_each_id(be, path, UINT16_MAX, scan_dev);
}

/* Full rescan: new devices are created, every device is stepped this turn. */
static void rescan(struct zd_backend *be)
{
	for_each_id(be, be->path, UINT16_MAX - 1, scan_fe);
	for (struct zd_device *d = be->devices; d; d = d->next)
		d->xs_dirty = true;
}

/*
 * Step each device a watch fired for, once, however often it fired. Steps
 * its frontend's watch asks for are rationed (zd_device_step_allowed()): a
 * held one comes once the device has credit again. Steps for the
 * toolstack's changes and the daemon's own timers are not.
 */
static void step_dirty(struct zd_backend *be)
{
	struct zd_device *d, *next;

	for (d = be->devices; d; d = next) {
		next = d->next;
		if (!d->xs_dirty && !d->fe_dirty)
			continue;
		if (!d->xs_dirty) {
			d->fe_dirty = false;
			if (d->step_scheduled)
				continue; /* its held step comes */
			if (!zd_device_step_allowed(d)) {
				schedule_held_steps(be, d);
				continue;
			}
		}
		/* One step reads everything: it serves both kinds. */
		d->xs_dirty = d->fe_dirty = false;
		step_device(be, d);
	}
}

/* A change at path under our backend directory (only the toolstack writes there). */
static void backend_path_changed(struct zd_backend *be, const char *path, bool *all)
{
	size_t n = strlen(be->path);
	unsigned int fe, devid;
	char tail[16];

	if (strncmp(path, be->path, n) || (path[n] && path[n] != '/'))
		return;
	/* .../vdispl/<fe>/<dev>[/...]: only that device; anything above: all. */
	if (sscanf(path + n, "/%u/%u%15s", &fe, &devid, tail) >= 2 && fe < UINT16_MAX &&
	    devid <= UINT16_MAX) {
		ensure_device(be, fe, devid);
		return;
	}
	*all = true;
}

void zd_backend_xs_event(void *data)
{
	struct zd_backend *be = data;
	unsigned int fe, devid, n;
	bool all = false;
	char **ev;

	for (n = 0; n < ZD_XS_EVENTS_PER_TURN && (ev = xs_check_watch(be->env.xs)); n++) {
		const char *path = ev[XS_WATCH_PATH], *token = ev[XS_WATCH_TOKEN];

		if (!strcmp(token, BE_TOKEN)) {
			backend_path_changed(be, path, &all);
		} else if (sscanf(token, "fe/%u/%u", &fe, &devid) == 2) {
			struct zd_device *dev = zd_backend_find(be, fe, devid);

			if (dev)
				dev->fe_dirty = true;
		}
		free(ev);
	}
	if (all)
		rescan(be);
	step_dirty(be);
}

static struct zd_conn *conn_by_port(struct zd_backend *be, int port, struct zd_device **devp)
{
	for (struct zd_device *d = be->devices; d; d = d->next) {
		for (unsigned int i = 0; i < d->nr_conns; i++) {
			struct zd_conn *c = &d->conns[i];

			if (c->req_port == port || c->evt_port == port) {
				*devp = d;
				return c;
			}
		}
	}
	return NULL;
}

/* Devices whose connect was held: step them again, now that it may be allowed. */
static void run_held_connects(void *data)
{
	struct zd_backend *be = data;

	for (struct zd_device *d = be->devices; d; d = d->next)
		if (d->connect_held)
			d->xs_dirty = true;
	step_dirty(be);
}

static void schedule_held_connects(struct zd_backend *be, struct zd_device *dev)
{
	/* Out of memory: the next watch event of the device steps it again. */
	if (zd_loop_defer_in(be->loop, zd_device_connect_wait_ms(dev), run_held_connects, be))
		zd_warn(NULL, "cannot defer a held connect: out of memory");
}

/*
 * Devices whose steps were held: watch their frontend again. xenstored fires
 * a new watch once, and that event steps the device (the budget has credit
 * by now); it reads the state whatever the frontend wrote meanwhile. Where
 * the watch cannot be set, step now and try again later.
 */
static void run_held_steps(void *data)
{
	struct zd_backend *be = data;

	for (struct zd_device *d = be->devices; d; d = d->next) {
		int r;

		if (!d->step_scheduled)
			continue;
		d->step_scheduled = false;
		if (d->watching) { /* stopping failed: no first event comes */
			d->fe_dirty = true;
			continue;
		}
		r = zd_device_watch_fe(d, true);
		if (r < 0) {
			zd_log_rl(&d->rl_state, ZD_LOG_WARN, d->name,
				  "cannot watch the frontend again: %s", strerror(-r));
			d->fe_dirty = true;
		}
	}
	step_dirty(be);
	for (struct zd_device *d = be->devices; d; d = d->next)
		if (!d->watching && !d->step_scheduled)
			schedule_held_steps(be, d);
}

/*
 * A held step is scheduled once, however many watches fire meanwhile, and
 * the device stops watching its frontend until then.
 */
static void schedule_held_steps(struct zd_backend *be, struct zd_device *dev)
{
	unsigned int ms = zd_device_step_wait_ms(dev);

	/* Out of memory: the next watch event of the device tries again. */
	if (zd_loop_defer_in(be->loop, ms ? ms : 1000 / ZD_STEPS_PER_S, run_held_steps, be)) {
		zd_warn(NULL, "cannot defer a held step: out of memory");
		return;
	}
	dev->step_scheduled = true;
	/* If that fails the watch stays: its events wait for the held step. */
	zd_device_watch_fe(dev, false);
}

/* Connectors that used up their budget get another turn. */
static void run_leftovers(void *data)
{
	struct zd_backend *be = data;
	struct zd_device *d, *next;

	for (d = be->devices; d; d = next) {
		next = d->next;
		for (unsigned int i = 0; i < d->nr_conns; i++)
			if (d->conns[i].more)
				process_conn(be, d, &d->conns[i]);
	}
}

/*
 * A connector of dev has requests left over (conn->more): serve them next
 * round, or once dev's budget for blocking work has credit again.
 */
static void schedule_leftovers(struct zd_backend *be, struct zd_device *dev)
{
	/* Out of memory: the flags stay set and the next kick resumes. */
	if (zd_loop_defer_in(be->loop, zd_device_work_wait_ms(dev), run_leftovers, be))
		zd_warn(NULL, "cannot defer request processing: out of memory");
}

static void process_conn(struct zd_backend *be, struct zd_device *dev, struct zd_conn *c)
{
	int r = zd_conn_process(c, zd_req_handle, dev);

	if (r < 0)
		zd_device_fail(dev, r, "request ring broken");
	else if (r > 0)
		schedule_leftovers(be, dev);
}

void zd_backend_evtchn_event(void *data)
{
	struct zd_backend *be = data;
	struct zd_device *dev;
	struct zd_conn *c;
	int port;

	while ((port = xenevtchn_pending(be->env.evtchn)) >= 0) {
		xenevtchn_unmask(be->env.evtchn, (evtchn_port_t)port);
		c = conn_by_port(be, port, &dev);
		/* Only the request channel carries work; the event one is ours. */
		if (!c || c->req_port != port)
			continue;
		process_conn(be, dev, c);
	}
}

int zd_backend_new(struct zd_loop *loop, const struct zd_display_ops *dops,
		   struct zd_display *display, struct zd_zcopy *zcopy,
		   const struct zd_limits *limits, const struct zd_be_alloc_policy *be_alloc,
		   const struct zd_output_map *outputs, struct zd_backend **out)
{
	struct zd_backend *be = calloc(1, sizeof(*be));
	uint32_t domid;
	int r;

	if (!be)
		return -ENOMEM;
	be->loop = loop;
	be->env.loop = loop;
	be->env.dops = display ? dops : NULL;
	be->env.display = dops ? display : NULL;
	be->env.zcopy = zcopy;
	be->env.limits = *limits;
	if (be_alloc)
		be->env.be_alloc = *be_alloc;
	if (outputs)
		be->env.outputs = *outputs;

	be->env.xs = xs_open(0);
	if (!be->env.xs) {
		r = -errno;
		zd_err(NULL, "cannot open xenstore: %s", strerror(errno));
		goto err_free;
	}
	r = zd_xs_read_uint(be->env.xs, NULL, "domid", 0, UINT16_MAX - 1, &domid);
	if (r) {
		zd_err(NULL, "cannot read our domain id from xenstore: %s", strerror(-r));
		goto err_xs;
	}
	be->domid = domid;
	snprintf(be->path, sizeof(be->path), "/local/domain/%u/backend/%s", domid,
		 XENDISPL_DRIVER_NAME);

	be->env.evtchn = xenevtchn_open(NULL, 0);
	if (!be->env.evtchn) {
		r = -errno;
		zd_err(NULL, "cannot open event channels: %s", strerror(errno));
		goto err_xs;
	}
	/*
	 * xenevtchn_pending() reads the device: on a blocking fd, draining it
	 * would wait for the next event instead of returning to the loop.
	 */
	r = fcntl(xenevtchn_fd(be->env.evtchn), F_GETFL);
	if (r < 0 || fcntl(xenevtchn_fd(be->env.evtchn), F_SETFL, r | O_NONBLOCK) < 0) {
		r = -errno;
		zd_err(NULL, "cannot make the event channel fd non-blocking: %s", strerror(errno));
		goto err_evtchn;
	}
	be->env.gnt = xengnttab_open(NULL, 0);
	if (!be->env.gnt) {
		r = -errno;
		zd_err(NULL, "cannot open the grant table device: %s", strerror(errno));
		goto err_evtchn;
	}
	be->xs_src = zd_loop_add(loop, xs_fileno(be->env.xs), zd_backend_xs_event, be);
	be->evtchn_src =
		zd_loop_add(loop, xenevtchn_fd(be->env.evtchn), zd_backend_evtchn_event, be);
	if (!be->xs_src || !be->evtchn_src) {
		r = -ENOMEM;
		goto err_src;
	}
	if (!xs_watch(be->env.xs, be->path, BE_TOKEN)) {
		r = -errno;
		zd_err(NULL, "cannot watch %s: %s", be->path, strerror(errno));
		goto err_src;
	}
	zd_info(NULL, "serving %s", be->path);
	*out = be;
	return 0;

err_src:
	zd_loop_remove(loop, be->evtchn_src);
	zd_loop_remove(loop, be->xs_src);
	xengnttab_close(be->env.gnt);
err_evtchn:
	xenevtchn_close(be->env.evtchn);
err_xs:
	xs_close(be->env.xs);
err_free:
	free(be);
	return r;
}

void zd_backend_free(struct zd_backend *be)
{
	struct zd_device *d;

	if (!be)
		return;
	while ((d = be->devices)) {
		be->devices = d->next;
		zd_device_free(d);
	}
	xs_unwatch(be->env.xs, be->path, BE_TOKEN);
	zd_loop_remove(be->loop, be->evtchn_src);
	zd_loop_remove(be->loop, be->xs_src);
	xengnttab_close(be->env.gnt);
	xenevtchn_close(be->env.evtchn);
	xs_close(be->env.xs);
	free(be);
}
