/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h: one displif connector of a device: its configuration (resolution,
 * unique-id), its transport (request ring + event ring, one event channel
 * each) and what it shows.
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

struct zd_device;
struct zd_output;

struct zd_conn {
	struct zd_device *dev;
	unsigned int idx;
	char name[64]; /* log prefix: dom<fe>/vdispl/<dev>/<idx> */

	/* Configuration, from the frontend's xenstore nodes. */
	uint32_t width, height;
	char unique_id[ZD_MAX_UNIQUE_ID + 1];

	/* Transport; refs are ZD_GREF_INVALID and ports -1 when not set up. */
	grant_ref_t req_ref, evt_ref;
	uint32_t req_remote_port, evt_remote_port;
	int req_port, evt_port;
	void *req_page;
	struct xendispl_event_page *evt_page;
	struct xen_displif_back_ring ring;
	uint32_t evt_prod; /* private copy of the event ring's producer */
	uint16_t evt_id;

	/* Output. */
	struct zd_output *out;
	bool configured;    /* SET_CONFIG applied and not reset */
	uint64_t config_fb; /* fb cookie given to SET_CONFIG */
	uint32_t cfg_x, cfg_y, cfg_w, cfg_h;
	bool flip_busy;	  /* a flip is on its way to the display */
	uint64_t flip_fb; /* its fb cookie */
	bool queued;	  /* a PG_FLIP waits for the display */
	uint64_t queued_fb;

	bool more; /* requests left over after the budget */

	/* Counters (status interface). */
	uint64_t flips, bytes_copied, events_dropped;
};

/* Set up fields; nothing is mapped or bound. */
void zd_conn_init(struct zd_conn *c, struct zd_device *dev, unsigned int idx);

/* Read resolution and unique-id. -EINVAL/-ERANGE on malformed values. */
int zd_conn_read_config(struct zd_conn *c);

/* Read the transport nodes, map both rings, bind both event channels. */
int zd_conn_connect(struct zd_conn *c);

/* Unbind, unmap, release the output. Idempotent. */
void zd_conn_disconnect(struct zd_conn *c);

/*
 * Requests handled per call: a frontend refilling its ring from another
 * vCPU must not keep the daemon from its other devices.
 */
#define ZD_REQ_BUDGET 16

/*
 * Handle queued requests, at most ZD_REQ_BUDGET. Returns 0 when the ring is
 * empty, 1 when requests remain (call again), -EPROTO if the ring is broken.
 */
int zd_conn_process(struct zd_conn *c);

/* Queue an event to the frontend. -ENOSPC if the event ring is full. */
int zd_conn_send_event(struct zd_conn *c, uint8_t type, uint64_t fb_cookie);

#endif /* ZD_CONN_H */
