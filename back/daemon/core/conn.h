/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h: one displif connector of a device: its configuration (resolution,
 * unique-id), its transport (request ring + event ring, one event channel
 * each) and its scanout (scanout.h: what it shows).
 *
 * The request ring is consumed like a hostile peer's: the producer index is
 * read once, checked against RING_REQUEST_PROD_OVERFLOW, and every request
 * is copied out of shared memory before it is looked at. The event ring's
 * producer index is private; the consumer index is read once per event.
 */
#ifndef ZD_CONN_H
#define ZD_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "env.h"
#include "../base/log.h"
#include "scanout.h"

struct zd_conn {
	const struct zd_env *env;
	unsigned int fe_domid;
	struct zd_ratelimit *rl;       /* the device's, for what the frontend triggers */
	struct zd_ratelimit *rl_state; /* the device's, for (dis)connects and display on/off */
	unsigned int idx;
	char dir[128]; /* the frontend's node for it: <fe_path>/<idx> */
	char name[64]; /* log prefix: dom<fe>/vdispl/<dev>/<idx> */

	/* Configuration, from the frontend's xenstore nodes. */
	uint32_t width, height;
	char unique_id[ZD_MAX_UNIQUE_ID + 1];
	const char *want; /* the output it asks for: unique_id, or what --map makes of it */
	bool reserved;	  /* the output its unique-id names is reserved for it */

	/* Transport; refs are ZD_GREF_INVALID and ports -1 when not set up. */
	grant_ref_t req_ref, evt_ref;
	uint32_t req_remote_port, evt_remote_port;
	int req_port, evt_port;
	void *req_page;
	struct xendispl_event_page *evt_page;
	struct xen_displif_back_ring ring;
	uint32_t evt_prod; /* private copy of the event ring's producer */
	uint16_t evt_id;

	bool more;		 /* requests left over after the budget */
	uint64_t events_dropped; /* status interface */
	uint64_t requests;	 /* answered, since the device appeared */
	uint64_t errors;	 /* of those, answered with an error status */

	struct zd_scanout so;
};

/*
 * Set up fields for connector idx of the device dev_name, whose frontend
 * directory is fe_path; nothing is read, mapped or bound.
 */
void zd_conn_init(struct zd_conn *c, const struct zd_env *env, unsigned int fe_domid,
		  const char *fe_path, const char *dev_name, struct zd_ratelimit *rl,
		  struct zd_ratelimit *rl_state, struct zd_buffers *bufs, unsigned int idx);

/*
 * Read resolution and unique-id, and reserve the output the unique-id
 * names (display.h: reserve). -EINVAL/-ERANGE on malformed values.
 */
int zd_conn_read_config(struct zd_conn *c);
/* Give back that reservation (before the connector is set up anew). */
void zd_conn_unreserve(struct zd_conn *c);

/*
 * Read the transport nodes, map both rings, bind both event channels and
 * start the scanout. Requests already waiting are the caller's to process.
 */
int zd_conn_connect(struct zd_conn *c);

/* Stop the scanout, unbind, unmap. Idempotent. */
void zd_conn_disconnect(struct zd_conn *c);

/*
 * Requests handled per call: a frontend refilling its ring from another
 * vCPU must not keep the daemon from its other devices.
 */
#define ZD_REQ_BUDGET 16

/*
 * Handles one request: req is a private copy; resp has id and operation
 * set. Returns ZD_REQ_DONE (resp is sent), or ZD_REQ_LATER: the request
 * stays on the ring, unanswered, and this connector's turn ends.
 */
enum zd_req_result { ZD_REQ_DONE, ZD_REQ_LATER };
typedef enum zd_req_result (*zd_req_fn)(void *ctx, struct zd_conn *c,
					const struct xendispl_req *req, struct xendispl_resp *resp);

/*
 * Hand queued requests to fn, at most ZD_REQ_BUDGET, and respond. Returns
 * 0 when the ring is empty (or fn disconnected c), 1 when requests remain
 * or fn put one off (call again in the next round), -EPROTO if the ring is
 * broken.
 */
int zd_conn_process(struct zd_conn *c, zd_req_fn fn, void *ctx);

/* Queue an event to the frontend. -ENOSPC if the event ring is full. */
int zd_conn_send_event(struct zd_conn *c, uint8_t type, uint64_t fb_cookie);

/* What tests and the status interface see of a connector. */
struct zd_conn_info {
	const char *name, *unique_id, *output;
	uint32_t width, height;
	unsigned int rings_mapped; /* 0, 1 or 2 */
	int req_port, evt_port;	   /* -1: not bound */
	bool configured, flip_busy, queued, more;
	uint64_t flip_fb;  /* the flip's on its way (flip_busy) */
	uint32_t evt_prod; /* events produced on the current ring */
	uint64_t flips, bytes_copied, events_dropped, requests, errors;
};

void zd_conn_info(const struct zd_conn *c, struct zd_conn_info *out);

#endif /* ZD_CONN_H */
