/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fe_sim.h: a displif frontend (and the toolstack) played through the fake
 * Xen seam, against the real daemon core (zd_backend). Tests use it to
 * drive the handshake, send requests, read responses and events, and
 * misbehave on purpose.
 *
 * One sim is one vdispl device of one frontend domain. The first sim
 * started owns the daemon (backend, loop, fake display); more sims may join
 * it (sim_opts.share) to stage several frontends against one daemon. Stop
 * the joined sims first (a no-op for them), the owner last.
 */
#ifndef FE_SIM_H
#define FE_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "backend.h"
#include "fake_display.h"
#include "zerocopy.h"

#define SIM_FE_DOMID 1
#define SIM_MAX_PAGES 4096
#define SIM_MAX_DIR_PAGES 64

struct sim_conn {
	grant_ref_t req_ref, evt_ref;	 /* 0: not granted */
	unsigned int req_port, evt_port; /* the frontend's ends, 0: none */
	struct xen_displif_front_ring ring;
	struct xendispl_event_page *evt_page;
	uint32_t evt_cons;
	uint16_t next_id;
};

struct sim_opts {
	unsigned int fe_domid; /* 0: SIM_FE_DOMID */
	unsigned int devid;
	unsigned int outputs; /* fake display outputs; 0: headless */
	/* the display's ops; NULL: fake_display_ops */
	const struct zd_display_ops *dops;
	struct sim *share;	     /* join this sim's daemon instead of starting one */
	struct zd_limits limits;     /* all 0: the daemon's defaults; a 0 page limit too */
	bool be_alloc;		     /* the toolstack asks for be-alloc */
	const char *be_alloc_policy; /* the daemon's --be-alloc; NULL: toolstack */
	const char *unique_id;	     /* every connector's; NULL: "Fake-<n>" */
	struct zd_output_map map;    /* the daemon's --map */
	bool no_unique_id;	     /* write no unique-id node */
	bool no_device;		     /* toolstack writes nothing: start the daemon only */
	const char *fe_version;	     /* written by sim_fe_publish(); NULL: "2" */
	/* --zcopy (what it finds: fx_zcopy_present(), none by default) */
	enum zd_zcopy_mode zcopy;
};

struct sim {
	struct zd_loop *loop;
	struct zd_display *display;
	struct zd_zcopy *zcopy;
	struct zd_backend *be;
	bool owner; /* started the daemon (not joined) */
	unsigned int fe_domid, devid, nconns;
	char fe_path[96], be_path[96];
	char fe_version[16];
	struct sim_conn conns[ZD_MAX_CONNECTORS];
};

/*
 * Toolstack part: create the backend and frontend nodes of a device with
 * nconns connectors (resolutions[i] is written verbatim; a NULL entry
 * writes no resolution node), start the daemon core with a fake display of
 * `outputs` outputs (0: headless), and pump until it settles.
 */
int sim_start(struct sim *s, unsigned int nconns, const char *const *resolutions,
	      unsigned int outputs);
int sim_start_opts(struct sim *s, unsigned int nconns, const char *const *resolutions,
		   const struct sim_opts *o);
/*
 * Free the backend (if this sim owns it and sim_free_backend() did not
 * already), the seam, the display and the loop; returns fx_live_handles()
 * afterwards.
 */
unsigned int sim_stop(struct sim *s);
/* The daemon's SIGTERM path: zd_backend_free() only; the display stays. */
void sim_free_backend(struct sim *s);

/* Deliver pending xenstore and event channel events to the daemon. */
void sim_pump(struct sim *s);
/*
 * The daemon's clock from now on is *t, in microseconds, which the test
 * moves (sim_clock_advance(): by us, then run what became due).
 */
void sim_clock_start(struct sim *s, uint64_t *t);
void sim_clock_advance(struct sim *s, uint64_t *t, uint64_t us);
/*
 * Steps the daemon holds for a device's step budget run now: the test
 * clock (sim_clock_start()) moves on by their wait. For harnesses that
 * check the daemon once it has settled.
 */
void sim_run_held_steps(struct sim *s, uint64_t *t);

int sim_be_state(struct sim *s);
void sim_set_fe_state(struct sim *s, int state);
/* The toolstack's "online" node. */
void sim_set_online(struct sim *s, bool online);
/* The toolstack removes the backend directory (and the frontend's). */
void sim_remove_device(struct sim *s, bool frontend_too);
/* The daemon's view of this device; NULL if it serves none. */
struct zd_device *sim_device(struct sim *s);
/*
 * The daemon as its status records show it, read afresh at each call
 * (device.h's accessors). With no such device, connector or buffer: all
 * zero, output "none".
 */
struct zd_device_info sim_devinfo(struct sim *s);
struct zd_conn_info sim_conn(struct sim *s, unsigned int i);
struct zd_dbuf_info sim_dbuf(struct sim *s, uint32_t i);

/* Frontend part: grant rings, bind channels, publish; no state change. */
int sim_fe_publish(struct sim *s);
/* sim_fe_publish() and go Initialised; -EPROTO if not Connected then. */
int sim_fe_connect(struct sim *s);
/* Write a node below the frontend's directory (e.g. "0/req-ring-ref"). */
void sim_fe_write(struct sim *s, const char *node, const char *val);
/*
 * The frontend frees its rings: revoke the ring grants and close its
 * ports. -EBUSY if the backend still maps a ring page or binds a port.
 */
int sim_fe_teardown(struct sim *s);

/* Send one request on connector ci (id assigned) and return the status. */
int32_t sim_request(struct sim *s, unsigned int ci, struct xendispl_req *req,
		    struct xendispl_resp *resp);
/* Raw ring access: queue a request as is (no kick), kick, pop a response. */
void sim_push(struct sim *s, unsigned int ci, const struct xendispl_req *req);
void sim_kick(struct sim *s, unsigned int ci);
bool sim_response(struct sim *s, unsigned int ci, struct xendispl_resp *resp);

/* Pop one event from connector ci's event ring; false if none. */
bool sim_event(struct sim *s, unsigned int ci, struct xendispl_evt *evt);

/*
 * A frontend buffer: npages granted pages, and its page directory
 * (ndir pages) granted too. Returns the first directory gref; data page k
 * is at sim_page(s, grefs[k]). sim_buffer_ro() grants the data pages
 * read-only.
 */
grant_ref_t sim_buffer(struct sim *s, uint32_t size, grant_ref_t *grefs);
grant_ref_t sim_buffer_ro(struct sim *s, uint32_t size, grant_ref_t *grefs);
void *sim_page(struct sim *s, grant_ref_t ref);

/* Convenience requests; return the status. */
int32_t sim_dbuf_create(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			grant_ref_t *grefs_out);
int32_t sim_dbuf_destroy(struct sim *s, uint64_t cookie);
int32_t sim_fb_attach(struct sim *s, uint64_t dbuf, uint64_t fb, uint32_t w, uint32_t h,
		      uint32_t fourcc);
int32_t sim_fb_detach(struct sim *s, uint64_t fb);
int32_t sim_set_config(struct sim *s, unsigned int ci, uint64_t fb, uint32_t w, uint32_t h,
		       uint32_t bpp);
int32_t sim_page_flip(struct sim *s, unsigned int ci, uint64_t fb);

#endif /* FE_SIM_H */
