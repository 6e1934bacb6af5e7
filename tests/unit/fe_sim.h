/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fe_sim.h: a displif frontend (and the toolstack) played through the fake
 * Xen seam, against the real daemon core (zd_backend). Tests use it to
 * drive the handshake, send requests, read responses and events, and
 * misbehave on purpose.
 */
#ifndef FE_SIM_H
#define FE_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "backend.h"
#include "fake_display.h"

#define SIM_FE_DOMID 1
#define SIM_MAX_PAGES 4096

struct sim_conn {
	grant_ref_t req_ref, evt_ref;
	unsigned int req_port, evt_port; /* the frontend's ends */
	struct xen_displif_front_ring ring;
	struct xendispl_event_page *evt_page;
	uint32_t evt_cons;
	uint16_t next_id;
};

struct sim {
	struct zd_loop *loop;
	struct zd_display *display;
	struct zd_backend *be;
	unsigned int fe_domid, devid, nconns;
	char fe_path[96], be_path[96];
	struct sim_conn conns[ZD_MAX_CONNECTORS];
};

/*
 * Toolstack part: create the backend and frontend nodes of a device with
 * nconns connectors ("WxH" each), start the daemon core with a fake display
 * of `outputs` outputs (0: headless), and pump until it settles.
 */
int sim_start(struct sim *s, unsigned int nconns, const char *const *resolutions,
	      unsigned int outputs);
/* Free the backend and everything; returns fx_live_handles() afterwards. */
unsigned int sim_stop(struct sim *s);

/* Deliver pending xenstore and event channel events to the daemon. */
void sim_pump(struct sim *s);

int sim_be_state(struct sim *s);
void sim_set_fe_state(struct sim *s, int state);

/* Frontend part: grant rings, bind channels, publish, go Initialised. */
int sim_fe_connect(struct sim *s);

/* Send one request on connector ci and return the response status. */
int32_t sim_request(struct sim *s, unsigned int ci, struct xendispl_req *req,
		    struct xendispl_resp *resp);

/* Pop one event from connector ci's event ring; false if none. */
bool sim_event(struct sim *s, unsigned int ci, struct xendispl_evt *evt);

/*
 * A frontend buffer: npages granted pages, and its page directory
 * (ndir pages) granted too. Returns the first directory gref; data page k
 * is at sim_page(s, grefs[k]).
 */
grant_ref_t sim_buffer(struct sim *s, uint32_t size, grant_ref_t *grefs);
void *sim_page(struct sim *s, grant_ref_t ref);

/* Convenience requests; return the status. */
int32_t sim_dbuf_create(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			grant_ref_t *grefs_out);
int32_t sim_fb_attach(struct sim *s, uint64_t dbuf, uint64_t fb, uint32_t w, uint32_t h,
		      uint32_t fourcc);
int32_t sim_set_config(struct sim *s, unsigned int ci, uint64_t fb, uint32_t w, uint32_t h,
		       uint32_t bpp);
int32_t sim_page_flip(struct sim *s, unsigned int ci, uint64_t fb);

#endif /* FE_SIM_H */
