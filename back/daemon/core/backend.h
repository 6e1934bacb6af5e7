/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h: the daemon as a whole. It owns the Xen handles (one xenstore
 * connection, one event channel handle, one grant table handle), the
 * display, and the list of vdispl devices served: every device under
 * /local/domain/<self>/backend/vdispl/<frontend-domid>/<dev>.
 *
 * xenstore watches use string tokens, never pointers:
 *   "be"               the backend directory (devices appear/disappear)
 *   "fe/<domid>/<dev>" a frontend's state node
 */
#ifndef ZD_BACKEND_H
#define ZD_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "../base/loop.h"
#include "env.h"

struct zd_device;

struct zd_backend {
	struct zd_loop *loop;
	struct zd_env env; /* what every device is served with */
	struct zd_source *xs_src, *evtchn_src;
	unsigned int domid; /* the domain we run in */
	char path[64];	    /* /local/domain/<domid>/backend/vdispl */
	struct zd_device *devices;
};

/*
 * dops and display (both NULL: no output, as in tests), and zcopy (NULL:
 * none) stay the caller's: close them after zd_backend_free(). be_alloc
 * NULL: as the toolstack configures each device. outputs NULL: every
 * connector asks for the output its unique-id names.
 */
int zd_backend_new(struct zd_loop *loop, const struct zd_display_ops *dops,
		   struct zd_display *display, struct zd_zcopy *zcopy,
		   const struct zd_limits *limits, const struct zd_be_alloc_policy *be_alloc,
		   const struct zd_output_map *outputs, struct zd_backend **out);
/* Closes every device as if its frontend had gone, then frees. */
void zd_backend_free(struct zd_backend *be);

/*
 * xenstore watch events handled per zd_backend_xs_event() call. Each
 * device they name is stepped once, however often its watch fired: a
 * guest that keeps rewriting its state node costs one step per turn and
 * cannot keep the loop from other guests, DRM events or signals. The
 * rest stay queued, and xenstore's fd readable, for the next turn.
 */
#define ZD_XS_EVENTS_PER_TURN 64

/* Event handlers, also called directly by unit tests. */
void zd_backend_xs_event(void *be);
void zd_backend_evtchn_event(void *be);

/* Lookup for tests and the status interface. */
struct zd_device *zd_backend_find(struct zd_backend *be, unsigned int fe_domid, unsigned int devid);

#endif /* ZD_BACKEND_H */
