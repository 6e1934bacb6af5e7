/* SPDX-License-Identifier: GPL-2.0 */
/*
 * env.h: what every device is served with. The backend owns it: the Xen
 * handles, the display and its ops, the grant <-> dma-buf facility, the
 * per-frontend limits and the be-alloc policy. Devices and their parts
 * borrow it, read-only.
 */
#ifndef ZD_ENV_H
#define ZD_ENV_H

#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "policy.h"

struct zd_display;
struct zd_display_ops;
struct zd_loop;
struct zd_zcopy;

/* Per-frontend limits; each at most the hard maximum in displif-use.h. */
struct zd_limits {
	uint32_t max_buffer_bytes;  /* one display buffer */
	uint32_t max_buffers;	    /* display buffers per device */
	uint32_t max_fbs;	    /* framebuffers per device */
	uint32_t max_pages;	    /* pages of all display buffers of a device */
	uint32_t max_granted_pages; /* pages granted to a device (be-alloc), deferred ones too */
	uint32_t display_ms;	    /* blocking display work, ms per second (budget.h); 0: any */
	uint32_t connects_per_min;  /* connects of a device a minute (budget.h); 0: any */
};

struct zd_env {
	const struct zd_loop *loop; /* its rounds and clock: blocking work is rationed by them */
	struct xs_handle *xs;
	xenevtchn_handle *evtchn;
	xengnttab_handle *gnt;
	const struct zd_display_ops *dops; /* NULL: no display (headless) */
	struct zd_display *display;
	struct zd_zcopy *zcopy; /* NULL: none */
	struct zd_limits limits;
	struct zd_be_alloc_policy be_alloc;
	struct zd_output_map outputs; /* unique-id -> output name */
};

#endif /* ZD_ENV_H */
