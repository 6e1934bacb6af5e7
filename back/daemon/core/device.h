/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h: one vdispl device (a frontend domain's display with 1 to
 * ZD_MAX_CONNECTORS connectors) and its xenbus state machine.
 *
 * All display buffers and framebuffers of a device are shared by its
 * connectors (cookies are unique per frontend; buffer requests arrive on
 * connector 0's ring), so they live here, in buffers.h tables.
 *
 * The state machine (device.c, zd_device_step) is the only place that
 * changes dev->state; it is driven by the frontend's state, the backend's
 * "online" node and errors, tolerates repeated and skipped states, and
 * disconnect is idempotent.
 */
#ifndef ZD_DEVICE_H
#define ZD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xenbus.h>
#include <zdispl/displif-use.h>

#include "buffers.h"
#include "conn.h"
#include "budget.h"
#include "env.h"
#include "../base/log.h"

struct zd_device {
	const struct zd_env *env;
	struct zd_device *next; /* the backend's list */
	unsigned int fe_domid, devid;
	char be_path[96]; /* .../backend/vdispl/<fe>/<dev> */
	char fe_path[96]; /* /local/domain/<fe>/device/vdispl/<dev> */
	char name[48];	  /* log prefix: dom<fe>/vdispl/<dev> */
	char watch_token[32];
	bool watching;
	enum xenbus_state state;    /* ours, as last written */
	bool state_unwritten;	    /* writing it failed: retry on the next step */
	bool fe_stale;		    /* fe was Connected (to an earlier backend) at our InitWait */
	enum xenbus_state fe_state; /* the frontend's, as last read */
	unsigned int version;	    /* negotiated protocol version */
	bool be_alloc;		    /* granted: asked for by the toolstack, allowed by policy */
	bool be_alloc_read;	    /* taken once, the first time the device was seen */
	unsigned int nr_conns;
	struct zd_conn conns[ZD_MAX_CONNECTORS];
	struct zd_buffers bufs;
	bool gone;		      /* backend directory removed: free after this step */
	bool xs_dirty;		      /* the backend's: step it this turn (toolstack, timers) */
	bool fe_dirty;		      /* the backend's: its frontend's watch fired */
	unsigned long blocking_round; /* the loop round of its last blocking request */
	struct zd_budget display;     /* its share of blocking display work */
	bool work_held;		      /* a blocking request waits for that budget */
	struct zd_budget connects;    /* how often it may connect */
	bool connect_held;	      /* its frontend waits for that budget to connect */
	struct zd_budget steps;	      /* how often its watches may make it step */
	bool step_held;		      /* a step waits for that budget */
	bool step_scheduled;	      /* the backend's: the held step is deferred */
	struct zd_ratelimit rl;	      /* for messages this frontend can trigger */
	struct zd_ratelimit rl_state; /* for its state transitions and (dis)connects */
};

/* be_root: our backend directory, /local/domain/<self>/backend/vdispl. */
int zd_device_new(const struct zd_env *env, const char *be_root, unsigned int fe_domid,
		  unsigned int devid, struct zd_device **out);
/* Disconnect (if connected) and free. */
void zd_device_free(struct zd_device *dev);

/*
 * Re-read the frontend and backend nodes and advance the state machine.
 * Returns true when the device connected in this step: requests may
 * already wait on its rings, for the caller to process.
 */
bool zd_device_step(struct zd_device *dev);

/* A connector's ring is broken: close this device only. */
void zd_device_fail(struct zd_device *dev, int err, const char *why);

const char *zd_xenbus_state_name(enum xenbus_state s);

/* What tests and the status interface see of a device. */
struct zd_device_info {
	const char *name;
	enum xenbus_state state, fe_state;
	unsigned int version, nr_conns;
	bool be_alloc;
	uint32_t buffers, fbs;
	uint64_t pages;		 /* of its buffers: mapped (fe-alloc) or allocated (be-alloc) */
	uint64_t granted_pages;	 /* dom0 pages granted to the frontend, live buffers */
	uint64_t deferred_pages; /* granted still, of buffers already destroyed */
	uint64_t display_ms;	 /* blocking display work done for it, in all */
	uint64_t display_waits;	 /* times its blocking requests waited for its budget */
	uint64_t connects;	 /* times it connected */
	uint64_t connect_waits;	 /* times a connect waited for its budget */
	uint64_t steps;		 /* times its watches stepped it */
	uint64_t step_waits;	 /* times a step waited for its budget */
};

void zd_device_info(const struct zd_device *dev, struct zd_device_info *out);

/*
 * Blocking display work for the device: may one start now (false: its
 * budget is spent; the request is held and the wait counted), and what one
 * cost, timed from zd_device_work_start()'s answer.
 * zd_device_work_wait_ms(): how long until a held request may start (0:
 * none is held, or now).
 */
bool zd_device_work_allowed(struct zd_device *dev);
uint64_t zd_device_work_start(const struct zd_device *dev);
void zd_device_work_done(struct zd_device *dev, uint64_t start);
unsigned int zd_device_work_wait_ms(struct zd_device *dev);
/*
 * A frontend that connects too often waits in InitWait (budget.h):
 * milliseconds until it may connect, 0 when no connect is held.
 */
unsigned int zd_device_connect_wait_ms(struct zd_device *dev);
/*
 * Each step reads four nodes from xenstored, and a frontend can fire its
 * watch as fast as it writes its state node: its watch steps the device at
 * most ZD_STEPS_PER_S times a second after a burst of ZD_STEP_BURST
 * (budget.h). The toolstack's changes are not rationed.
 * zd_device_step_allowed(): may the step its watch asks for run now (false:
 * it is held, counted, and logged once a run); zd_device_step_wait_ms():
 * how long until a held one may.
 */
bool zd_device_step_allowed(struct zd_device *dev);
unsigned int zd_device_step_wait_ms(struct zd_device *dev);
/*
 * Watch the frontend's state node, or stop watching it: a device whose
 * steps are held does not watch, so a flapping frontend's writes cost no
 * watch event to the daemon. xenstored fires a new watch once, and that
 * event steps the device again.
 */
int zd_device_watch_fe(struct zd_device *dev, bool on);
/*
 * Connector i's (any i under ZD_MAX_CONNECTORS; those from nr_conns on
 * were never configured), buffer i's (-ENOENT past the last).
 */
int zd_device_conn_info(const struct zd_device *dev, unsigned int i, struct zd_conn_info *out);
int zd_device_dbuf_info(const struct zd_device *dev, uint32_t i, struct zd_dbuf_info *out);

#endif /* ZD_DEVICE_H */
