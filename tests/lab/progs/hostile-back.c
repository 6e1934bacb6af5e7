// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-hostile-back: a displif backend in dom0 that misbehaves on
 * purpose, to prove in the lab that a frontend survives it.
 *
 *   zdispl-hostile-back --case NAME [--timeout S] [--lifetime S]
 *   zdispl-hostile-back --list
 *
 * It plays the backend of one vdispl device, its first connector only:
 *   1. watches /local/domain/<us>/backend/vdispl until the toolstack adds a
 *      device (backend state Initialising, with a "frontend" node);
 *   2. offers versions "1,2" and goes to InitWait (xl create waits for it);
 *   3. waits for the frontend to be Initialised, maps connector 0's request
 *      ring and event page, binds both event channels, goes to Connected;
 *   4. serves requests as CASE says (see the table `cases` below: each case
 *      is one function that bends the well-behaved answer to a request).
 * Every wait has a timeout (--timeout, default 120 s, for the device and for
 * the frontend; --lifetime, default 900 s, for serving). One line on stdout
 * per event. It ends at SIGTERM/SIGINT, when the frontend has closed
 * (Closed, or its directory gone; before connecting, Closing too) or when
 * the toolstack takes the device offline; then it writes Closed, which
 * libxl waits for before it removes the device. A frontend that goes to
 * Closing while connected is left there: this backend never follows it,
 * so a scenario can see where the frontend stops. Exit status: 0 then;
 * 1 on a timeout or an error; 2 on a usage error.
 *
 * What it reads from the frontend is read the careful way (the producer
 * index once, a barrier, an overflow check, a private copy of each request):
 * the frontend is a peer here too, and this program must not be the thing
 * that breaks.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>
#include <zdispl/displif-use.h>

#include "../../../back/daemon/core/edid.h"
#include "../../../back/daemon/core/xsutil.h"
#include "say.h"

#define HB_SKEW 1000u /* how far past the truth the overflow cases publish */
/* Flip-event cookies no frontend was given: ours start here, never 0. */
#define HB_FOREIGN_COOKIE 0xbad0000000000000ull
#define HB_BAD_EVT_TYPE 0x7f
#define HB_EDID_OVERSIZE 100000u

/* ---- The backend's state ------------------------------------------------ */

struct hb_case;

struct hb {
	const struct hb_case *cs;
	struct xs_handle *xs;
	xenevtchn_handle *evtchn;
	xengnttab_handle *gnt;
	int sigfd;
	bool stop;	 /* a signal came */
	bool xs_changed; /* a watch fired since the last look */
	bool offline;	 /* the toolstack set our "online" to 0 */
	uint32_t fe_domid;
	char root[64];		/* /local/domain/<us>/backend/vdispl */
	char be_path[128];	/* <root>/<domid>/<dev> */
	char fe_path[128];	/* the frontend's device directory */
	uint32_t width, height; /* connector 0's resolution */

	struct xen_displif_back_ring ring;
	void *req_page;	  /* the ring's mapping */
	bool ring_broken; /* the frontend broke it: not read again */
	struct xendispl_event_page *evt_page;
	uint32_t evt_prod; /* ours: never read back from the shared page */
	uint16_t evt_id;
	int req_port, evt_port; /* local ports, -1 when unbound */
	uint64_t foreign_cookie;
	unsigned long nreq;
};

/* ---- What the backend does with one request ----------------------------- */

enum edid_write {
	EDID_NONE,	   /* leave the buffer untouched */
	EDID_VALID,	   /* a valid base block for the connector's resolution */
	EDID_BAD_CHECKSUM, /* the same with its checksum off by one */
};

/*
 * The plan for one request. good_plan() fills in what a well-behaved
 * backend does; a case's bend() then changes it; serve_request() carries
 * it out.
 */
struct plan {
	bool answer; /* push rsp */
	struct xendispl_resp rsp;
	enum edid_write edid; /* GET_EDID: what goes into the buffer */
	bool flip_event;      /* after the response, send evt */
	struct xendispl_evt evt;
	bool rsp_prod_overflow; /* publish rsp_prod HB_SKEW beyond the truth */
	bool evt_prod_overflow; /* write in_prod = in_cons + HB_SKEW */
};

struct hb_case {
	const char *name;
	const char *what;
	void (*bend)(struct hb *hb, const struct xendispl_req *req, struct plan *p);
};

static bool is_op(const struct xendispl_req *req, uint8_t op)
{
	return req->operation == op;
}

static void bend_good(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req, (void)p;
}

static void bend_silent(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req;
	p->answer = false;
	p->edid = EDID_NONE;
	p->flip_event = false;
}

static void bend_bad_status(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req;
	p->rsp.status = 7;
}

static void bend_unknown_id(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb;
	p->rsp.id = (uint16_t)(req->id + HB_SKEW);
}

static void bend_rsp_prod_overflow(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req;
	p->rsp_prod_overflow = true;
}

static void bend_evt_prod_overflow(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb;
	if (is_op(req, XENDISPL_OP_PG_FLIP)) {
		p->flip_event = false;
		p->evt_prod_overflow = true;
	}
}

static void bend_unknown_cookie(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)req;
	p->evt.op.pg_flip.fb_cookie = HB_FOREIGN_COOKIE + ++hb->foreign_cookie;
}

static void bend_no_flip_event(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req;
	p->flip_event = false;
}

static void bend_edid_oversize(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb;
	if (is_op(req, XENDISPL_OP_GET_EDID)) {
		p->edid = EDID_NONE;
		p->rsp.op.get_edid.edid_sz = HB_EDID_OVERSIZE;
	}
}

static void bend_edid_bad_checksum(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb;
	if (is_op(req, XENDISPL_OP_GET_EDID))
		p->edid = EDID_BAD_CHECKSUM;
}

static void bend_bad_event_type(struct hb *hb, const struct xendispl_req *req, struct plan *p)
{
	(void)hb, (void)req;
	p->evt.type = HB_BAD_EVT_TYPE;
}

static const struct hb_case cases[] = {
	{"good", "answer every request with status 0, a valid EDID, a flip event per PG_FLIP",
	 bend_good},
	{"silent", "never answer anything", bend_silent},
	{"bad-status", "answer every request with status +7", bend_bad_status},
	{"unknown-id", "answers carry the request's id + 1000", bend_unknown_id},
	{"rsp-prod-overflow", "publish rsp_prod 1000 beyond the responses written",
	 bend_rsp_prod_overflow},
	{"evt-prod-overflow", "answer ok; at PG_FLIP write in_prod = in_cons + 1000",
	 bend_evt_prod_overflow},
	{"unknown-cookie", "answer ok; flip events carry a cookie never used", bend_unknown_cookie},
	{"no-flip-event", "answer ok; never send an event", bend_no_flip_event},
	{"edid-oversize", "GET_EDID answered ok with edid_sz 100000", bend_edid_oversize},
	{"edid-bad-checksum", "GET_EDID: a 128-octet EDID with a wrong checksum",
	 bend_edid_bad_checksum},
	{"bad-event-type", "answer ok; flip events have type 0x7f", bend_bad_event_type},
};

static const struct hb_case *case_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

static struct plan good_plan(const struct xendispl_req *req)
{
	struct plan p = {.answer = true};

	p.rsp.id = req->id;
	p.rsp.operation = req->operation;
	if (is_op(req, XENDISPL_OP_GET_EDID)) {
		p.edid = EDID_VALID;
		p.rsp.op.get_edid.edid_sz = ZD_EDID_SIZE;
	}
	if (is_op(req, XENDISPL_OP_PG_FLIP)) {
		p.flip_event = true;
		p.evt.type = XENDISPL_EVT_PG_FLIP;
		p.evt.op.pg_flip.fb_cookie = req->op.pg_flip.fb_cookie;
	}
	return p;
}

/* ---- GET_EDID: write into the buffer the frontend granted ------------- */

/*
 * The request names a page directory (granted read-only); its first gref
 * is the buffer's first data page (granted writable). A base block fits in
 * it. Returns 0 or a negative Xen errno for the response.
 */
static int edid_write(struct hb *hb, const struct xendispl_req *req, enum edid_write how)
{
	const struct xendispl_get_edid_req *q = &req->op.get_edid;
	uint8_t edid[ZD_EDID_SIZE];
	grant_ref_t data;
	void *map;

	if (q->buffer_sz < ZD_EDID_SIZE || q->gref_directory == ZD_GREF_INVALID)
		return -XEN_EINVAL;
	if (zd_edid_build(edid, hb->width, hb->height, "hostile") != ZD_EDID_SIZE)
		return -XEN_EINVAL;
	if (how == EDID_BAD_CHECKSUM)
		edid[ZD_EDID_SIZE - 1]++;

	map = xengnttab_map_grant_ref(hb->gnt, hb->fe_domid, q->gref_directory, PROT_READ);
	if (!map) {
		say("GET_EDID: cannot map the page directory (gref %u): %s", q->gref_directory,
		    strerror(errno));
		return -XEN_EFAULT;
	}
	/* Once: the frontend could change it under us. */
	data = __atomic_load_n(&((struct xendispl_page_directory *)map)->gref[0], __ATOMIC_RELAXED);
	xengnttab_unmap(hb->gnt, map, 1);
	if (data == ZD_GREF_INVALID)
		return -XEN_EINVAL;
	map = xengnttab_map_grant_ref(hb->gnt, hb->fe_domid, data, PROT_READ | PROT_WRITE);
	if (!map) {
		say("GET_EDID: cannot map the buffer (gref %u): %s", data, strerror(errno));
		return -XEN_EFAULT;
	}
	memcpy(map, edid, sizeof(edid));
	xengnttab_unmap(hb->gnt, map, 1);
	say("GET_EDID: wrote a %s EDID of %u octets for %ux%u",
	    how == EDID_VALID ? "valid" : "bad-checksum", ZD_EDID_SIZE, hb->width, hb->height);
	return 0;
}

/* ---- Responses and events ----------------------------------------------- */

static void notify(struct hb *hb, int port)
{
	if (xenevtchn_notify(hb->evtchn, (evtchn_port_t)port) < 0)
		say("notify port %d: %s", port, strerror(errno));
}

static void push_response(struct hb *hb, const struct xendispl_resp *rsp, bool overflow)
{
	struct xen_displif_back_ring *r = &hb->ring;

	*RING_GET_RESPONSE(r, r->rsp_prod_pvt) = *rsp;
	r->rsp_prod_pvt++;
	xen_wmb(); /* the slot before the index */
	r->sring->rsp_prod = r->rsp_prod_pvt + (overflow ? HB_SKEW : 0);
	xen_mb();
	if (overflow)
		say("published rsp_prod=%u with %u responses written", r->sring->rsp_prod,
		    r->rsp_prod_pvt);
	notify(hb, hb->req_port);
}

static void send_event(struct hb *hb, struct xendispl_evt *evt)
{
	uint32_t cons = __atomic_load_n(&hb->evt_page->in_cons, __ATOMIC_RELAXED);

	if (hb->evt_prod - cons >= XENDISPL_IN_RING_LEN) {
		say("event page full (in_prod %u in_cons %u): event dropped", hb->evt_prod, cons);
		return;
	}
	evt->id = hb->evt_id++;
	XENDISPL_IN_RING_REF(hb->evt_page, hb->evt_prod) = *evt;
	hb->evt_prod++;
	xen_wmb(); /* the event before the index */
	hb->evt_page->in_prod = hb->evt_prod;
	xen_mb();
	say("event id=%u type=%#x fb_cookie=%#" PRIx64, evt->id, evt->type,
	    evt->op.pg_flip.fb_cookie);
	notify(hb, hb->evt_port);
}

static void evt_prod_overflow(struct hb *hb)
{
	uint32_t cons = __atomic_load_n(&hb->evt_page->in_cons, __ATOMIC_RELAXED);

	hb->evt_page->in_prod = cons + HB_SKEW;
	xen_mb();
	say("wrote in_prod=%u with in_cons=%u", cons + HB_SKEW, cons);
	notify(hb, hb->evt_port);
}

static void serve_request(struct hb *hb, const struct xendispl_req *req)
{
	struct plan p = good_plan(req);
	char edid[32] = "";

	hb->cs->bend(hb, req, &p);
	if (p.answer && p.edid != EDID_NONE) {
		int r = edid_write(hb, req, p.edid);

		if (r) {
			p.rsp.status = r;
			p.rsp.op.get_edid.edid_sz = 0;
		}
	}
	if (is_op(req, XENDISPL_OP_GET_EDID))
		snprintf(edid, sizeof(edid), " edid_sz=%u", p.rsp.op.get_edid.edid_sz);
	hb->nreq++;
	if (p.answer)
		say("request id=%u op=%s(%#x) -> response id=%u status=%d%s", req->id,
		    zd_op_name(req->operation), req->operation, p.rsp.id, p.rsp.status, edid);
	else
		say("request id=%u op=%s(%#x) -> no response", req->id, zd_op_name(req->operation),
		    req->operation);
	if (p.answer)
		push_response(hb, &p.rsp, p.rsp_prod_overflow);
	if (p.flip_event)
		send_event(hb, &p.evt);
	if (p.evt_prod_overflow)
		evt_prod_overflow(hb);
}

/* Take every request the frontend published. -EIO if it broke the ring. */
static int take_requests(struct hb *hb)
{
	struct xen_displif_back_ring *r = &hb->ring;
	int more;

	do {
		RING_IDX prod = __atomic_load_n(&r->sring->req_prod, __ATOMIC_RELAXED);

		xen_rmb(); /* the slots after the index */
		if (RING_REQUEST_PROD_OVERFLOW(r, prod)) {
			say("the frontend published req_prod=%u with req_cons=%u: ring broken",
			    prod, r->req_cons);
			return -EIO;
		}
		while (r->req_cons != prod) {
			struct xendispl_req req;

			memcpy(&req, RING_GET_REQUEST(r, r->req_cons), sizeof(req));
			r->req_cons++;
			serve_request(hb, &req);
		}
		RING_FINAL_CHECK_FOR_REQUESTS(r, more);
	} while (more);
	return 0;
}

/* ---- xenstore ------------------------------------------------------------ */

/* Our backend state, written only while our directory exists. */
static int be_write_state(struct hb *hb, enum xenbus_state s, const char *versions)
{
	char path[160], val[4];

	snprintf(val, sizeof(val), "%d", (int)s);
	for (int tries = 0; tries < 16; tries++) {
		xs_transaction_t t = xs_transaction_start(hb->xs);
		unsigned int len;
		char *dir;
		bool ok, exists;

		if (t == XBT_NULL)
			return -errno;
		dir = xs_read(hb->xs, t, hb->be_path, &len);
		exists = dir != NULL;
		free(dir);
		if (!exists) {
			xs_transaction_end(hb->xs, t, true);
			return -ENOENT;
		}
		snprintf(path, sizeof(path), "%s/%s", hb->be_path, XENDISPL_FIELD_BE_VERSIONS);
		ok = !versions || xs_write(hb->xs, t, path, versions, strlen(versions));
		snprintf(path, sizeof(path), "%s/state", hb->be_path);
		ok = ok && xs_write(hb->xs, t, path, val, strlen(val));
		if (!ok) {
			xs_transaction_end(hb->xs, t, true);
			return -errno;
		}
		if (xs_transaction_end(hb->xs, t, false)) {
			say("backend state %d%s%s", (int)s, versions ? ", versions " : "",
			    versions ? versions : "");
			return 0;
		}
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/* The frontend's state; -ENOENT when it is gone. */
static int fe_state(struct hb *hb)
{
	uint32_t v;
	int r = zd_xs_read_uint(hb->xs, hb->fe_path, "state", 0, XenbusStateReconfigured, &v);

	return r ? r : (int)v;
}

/* Gone or Closed; with closing, Closing counts too. */
static bool fe_closed(int state, bool closing)
{
	return state < 0 || state == XenbusStateClosed || (closing && state == XenbusStateClosing);
}

/* A device the toolstack has just made: Initialising, with its frontend named. */
static bool find_device(struct hb *hb)
{
	unsigned int ndom, ndev;
	char **doms = xs_directory(hb->xs, XBT_NULL, hb->root, &ndom);
	bool found = false;

	for (unsigned int i = 0; doms && !found && i < ndom; i++) {
		char dir[96];
		char **devs;

		snprintf(dir, sizeof(dir), "%s/%s", hb->root, doms[i]);
		devs = xs_directory(hb->xs, XBT_NULL, dir, &ndev);
		for (unsigned int j = 0; devs && !found && j < ndev; j++) {
			uint32_t state = 0, domid = 0;

			snprintf(hb->be_path, sizeof(hb->be_path), "%s/%s", dir, devs[j]);
			found = !zd_xs_read_uint(hb->xs, hb->be_path, "state", 0, 9, &state) &&
				state == XenbusStateInitialising &&
				!zd_xs_read_uint(hb->xs, hb->be_path, "frontend-id", 1, 0x7fef,
						 &domid) &&
				!zd_xs_read_str(hb->xs, hb->be_path, "frontend", hb->fe_path,
						sizeof(hb->fe_path));
			if (found)
				hb->fe_domid = domid;
		}
		free(devs);
	}
	free(doms);
	return found;
}

/* Drain the watch events; the caller looks at the nodes again. */
static void xs_drain(struct hb *hb)
{
	char **w;

	while ((w = xs_check_watch(hb->xs))) {
		hb->xs_changed = true;
		free(w);
	}
}

/* ---- The loop ------------------------------------------------------------ */

static void evtchn_drain(struct hb *hb)
{
	xenevtchn_port_or_error_t port;

	while ((port = xenevtchn_pending(hb->evtchn)) >= 0) {
		xenevtchn_unmask(hb->evtchn, (evtchn_port_t)port);
		if (port == hb->req_port && !hb->ring_broken && take_requests(hb))
			hb->ring_broken = true;
	}
}

/*
 * Wait for the next xenstore, event channel or signal event and handle it.
 * Returns 0, or -ETIMEDOUT once deadline (ms, now_ms()) has passed.
 */
static int poll_once(struct hb *hb, int64_t deadline)
{
	struct pollfd pfd[3] = {
		{.fd = xs_fileno(hb->xs), .events = POLLIN},
		{.fd = hb->sigfd, .events = POLLIN},
		{.fd = xenevtchn_fd(hb->evtchn), .events = POLLIN},
	};
	int64_t left = deadline - now_ms();
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(pfd, 3, (int)(left > 1000 ? 1000 : left));
	if (n < 0 && errno != EINTR) {
		say("poll: %s", strerror(errno));
		return -errno;
	}
	if (n <= 0)
		return 0;
	if (pfd[0].revents)
		xs_drain(hb);
	if (pfd[1].revents) {
		struct signalfd_siginfo si;

		if (read(hb->sigfd, &si, sizeof(si)) == sizeof(si)) {
			say("signal %u: stopping", si.ssi_signo);
			hb->stop = true;
		}
	}
	if (pfd[2].revents)
		evtchn_drain(hb);
	return 0;
}

/* Poll until done(hb) holds, a signal comes, or timeout_s passes. */
static int wait_for(struct hb *hb, int timeout_s, bool (*done)(struct hb *), const char *what)
{
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	int r;

	hb->xs_changed = true;
	while (!hb->stop) {
		if (hb->xs_changed) {
			hb->xs_changed = false;
			if (done(hb))
				return 0;
		}
		r = poll_once(hb, deadline);
		if (r == -ETIMEDOUT) {
			say("timed out after %d s waiting for %s", timeout_s, what);
			return r;
		}
		if (r)
			return r;
	}
	return 0;
}

static int last_fe_state = -1000;

/* The frontend's state, logged when it changes. */
static int fe_state_logged(struct hb *hb)
{
	int s = fe_state(hb);

	if (s != last_fe_state)
		say("frontend state %d%s", s, s < 0 ? " (gone)" : "");
	last_fe_state = s;
	return s;
}

static bool fe_initialised_or_closed(struct hb *hb)
{
	int s = fe_state_logged(hb);

	return s == XenbusStateInitialised || s == XenbusStateConnected || fe_closed(s, true);
}

/* The toolstack is removing the device (xl destroy, xl vdispl-detach). */
static bool be_offline(struct hb *hb)
{
	uint32_t v;

	return zd_xs_read_uint(hb->xs, hb->be_path, "online", 0, 1, &v) == 0 && v == 0;
}

/* Serving ends here: the frontend is gone or Closed, or the device offline. */
static bool serving_ends(struct hb *hb)
{
	if (!hb->offline && be_offline(hb)) {
		say("the toolstack took the device offline");
		hb->offline = true;
	}
	return fe_closed(fe_state_logged(hb), false) || hb->offline;
}

/* ---- Connecting ---------------------------------------------------------- */

static int read_connector(struct hb *hb, uint32_t *req_ref, uint32_t *req_chan, uint32_t *evt_ref,
			  uint32_t *evt_chan)
{
	char dir[160], res[ZD_MAX_XS_VALUE];
	int r;

	snprintf(dir, sizeof(dir), "%s/0", hb->fe_path);
	r = zd_xs_read_str(hb->xs, dir, XENDISPL_FIELD_RESOLUTION, res, sizeof(res));
	if (!r)
		r = zd_parse_resolution(res, ZD_MAX_DIMENSION, &hb->width, &hb->height);
	if (!r)
		r = zd_xs_read_uint(hb->xs, dir, XENDISPL_FIELD_REQ_RING_REF, 1, UINT32_MAX,
				    req_ref);
	if (!r)
		r = zd_xs_read_uint(hb->xs, dir, XENDISPL_FIELD_REQ_CHANNEL, 0, UINT32_MAX,
				    req_chan);
	if (!r)
		r = zd_xs_read_uint(hb->xs, dir, XENDISPL_FIELD_EVT_RING_REF, 1, UINT32_MAX,
				    evt_ref);
	if (!r)
		r = zd_xs_read_uint(hb->xs, dir, XENDISPL_FIELD_EVT_CHANNEL, 0, UINT32_MAX,
				    evt_chan);
	if (r)
		say("connector 0: bad or missing nodes under %s: %s", dir, strerror(-r));
	return r;
}

static int bind_port(struct hb *hb, uint32_t remote, int *local)
{
	xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(hb->evtchn, hb->fe_domid, remote);

	if (p < 0) {
		say("cannot bind event channel %u of dom%u: %s", remote, hb->fe_domid,
		    strerror(errno));
		return -errno;
	}
	*local = p;
	return 0;
}

static int connect_conn0(struct hb *hb)
{
	uint32_t req_ref, req_chan, evt_ref, evt_chan;
	int r = read_connector(hb, &req_ref, &req_chan, &evt_ref, &evt_chan);

	if (r)
		return r;
	hb->req_page =
		xengnttab_map_grant_ref(hb->gnt, hb->fe_domid, req_ref, PROT_READ | PROT_WRITE);
	if (!hb->req_page) {
		say("cannot map the request ring (gref %u): %s", req_ref, strerror(errno));
		return -errno;
	}
	BACK_RING_INIT(&hb->ring, (struct xen_displif_sring *)hb->req_page, ZD_PAGE_SIZE);
	hb->evt_page =
		xengnttab_map_grant_ref(hb->gnt, hb->fe_domid, evt_ref, PROT_READ | PROT_WRITE);
	if (!hb->evt_page) {
		say("cannot map the event page (gref %u): %s", evt_ref, strerror(errno));
		return -errno;
	}
	hb->evt_prod = __atomic_load_n(&hb->evt_page->in_prod, __ATOMIC_RELAXED);
	r = bind_port(hb, req_chan, &hb->req_port);
	if (!r)
		r = bind_port(hb, evt_chan, &hb->evt_port);
	if (r)
		return r;
	say("connector 0: %ux%u, req-ring-ref %u req-event-channel %u (local %d), "
	    "evt-ring-ref %u evt-event-channel %u (local %d)",
	    hb->width, hb->height, req_ref, req_chan, hb->req_port, evt_ref, evt_chan,
	    hb->evt_port);
	return be_write_state(hb, XenbusStateConnected, NULL);
}

/* ---- Setup and teardown -------------------------------------------------- */

static int hb_open(struct hb *hb)
{
	sigset_t set;
	uint32_t domid;
	int fl;

	hb->req_port = hb->evt_port = -1;
	hb->sigfd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) ||
	    (hb->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		say("signalfd: %s", strerror(errno));
		return -errno;
	}
	hb->xs = xs_open(0);
	hb->evtchn = xenevtchn_open(NULL, 0);
	hb->gnt = xengnttab_open(NULL, 0);
	if (!hb->xs || !hb->evtchn || !hb->gnt) {
		say("cannot open xenstore, event channels or grant tables: %s", strerror(errno));
		return -errno;
	}
	fl = fcntl(xenevtchn_fd(hb->evtchn), F_GETFL);
	if (fl < 0 || fcntl(xenevtchn_fd(hb->evtchn), F_SETFL, fl | O_NONBLOCK) < 0) {
		say("cannot make the event channel fd non-blocking: %s", strerror(errno));
		return -errno;
	}
	if (zd_xs_read_uint(hb->xs, NULL, "domid", 0, UINT16_MAX - 1, &domid))
		domid = 0;
	snprintf(hb->root, sizeof(hb->root), "/local/domain/%u/backend/%s", domid,
		 XENDISPL_DRIVER_NAME);
	if (!xs_watch(hb->xs, hb->root, "root")) {
		say("cannot watch %s: %s", hb->root, strerror(errno));
		return -errno;
	}
	return 0;
}

static void hb_close(struct hb *hb)
{
	if (hb->evt_port >= 0)
		xenevtchn_unbind(hb->evtchn, (evtchn_port_t)hb->evt_port);
	if (hb->req_port >= 0)
		xenevtchn_unbind(hb->evtchn, (evtchn_port_t)hb->req_port);
	if (hb->evt_page)
		xengnttab_unmap(hb->gnt, hb->evt_page, 1);
	if (hb->req_page)
		xengnttab_unmap(hb->gnt, hb->req_page, 1);
	if (hb->gnt)
		xengnttab_close(hb->gnt);
	if (hb->evtchn)
		xenevtchn_close(hb->evtchn);
	if (hb->xs)
		xs_close(hb->xs);
	if (hb->sigfd >= 0)
		close(hb->sigfd);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: zdispl-hostile-back --case NAME [--timeout S] [--lifetime S]\n"
		   "       zdispl-hostile-back --list\n"
		   "A displif backend for one vdispl device that misbehaves as NAME says.\n"
		   "  --timeout S   wait at most S s for the device and the frontend (120)\n"
		   "  --lifetime S  serve at most S s (900)\n");
}

static int run(struct hb *hb, int timeout_s, int lifetime_s)
{
	int r, s;

	say("case %s: %s", hb->cs->name, hb->cs->what);
	say("watching %s", hb->root);
	r = wait_for(hb, timeout_s, find_device, "a new vdispl device");
	if (r || hb->stop)
		return r;
	say("device %s, frontend %s (dom%u)", hb->be_path, hb->fe_path, hb->fe_domid);
	r = be_write_state(hb, XenbusStateInitWait, ZD_BE_VERSIONS);
	if (r) {
		say("cannot offer the device: %s", strerror(-r));
		return r;
	}
	if (!xs_watch(hb->xs, hb->fe_path, "frontend")) {
		say("cannot watch %s: %s", hb->fe_path, strerror(errno));
		return -errno;
	}
	r = wait_for(hb, timeout_s, fe_initialised_or_closed, "the frontend to be Initialised");
	if (r || hb->stop)
		return r;
	if (fe_closed(last_fe_state, true)) {
		say("the frontend closed before connecting; exiting");
		be_write_state(hb, XenbusStateClosed, NULL);
		return 0;
	}
	r = connect_conn0(hb);
	if (r)
		return r;
	/* Requests the frontend made before our bind: their kick is lost. */
	hb->ring_broken = take_requests(hb) != 0;
	r = wait_for(hb, lifetime_s, serving_ends, "the frontend to close");
	s = last_fe_state;
	say("%s; served %lu requests; exiting",
	    hb->stop		  ? "stopped"
	    : r			  ? "gave up"
	    : s < 0		  ? "the frontend is gone"
	    : fe_closed(s, false) ? "the frontend closed"
				  : "the device is offline",
	    hb->nreq);
	/* The toolstack waits for Closed before it removes the device. */
	be_write_state(hb, XenbusStateClosed, NULL);
	return r;
}

static int parse_seconds(const char *s, int *out)
{
	uint32_t v;

	if (zd_parse_uint(s, 1, 24 * 3600, &v))
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"case", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'},
		{"lifetime", required_argument, NULL, 'l'},
		{"list", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hb hb = {0};
	int timeout_s = 120, lifetime_s = 900, opt, r;

	say_init();
	while ((opt = getopt_long(argc, argv, "c:t:l:Lh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			hb.cs = case_by_name(optarg);
			if (!hb.cs) {
				fprintf(stderr, "error: unknown case '%s' (see --list)\n", optarg);
				return 2;
			}
			break;
		case 't':
		case 'l':
			if (parse_seconds(optarg, opt == 't' ? &timeout_s : &lifetime_s)) {
				fprintf(stderr, "error: seconds 1..86400 wanted, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'L':
			for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				printf("%-18s %s\n", cases[i].name, cases[i].what);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!hb.cs || optind < argc) {
		usage(stderr);
		return 2;
	}
	r = hb_open(&hb);
	if (!r)
		r = run(&hb, timeout_s, lifetime_s);
	hb_close(&hb);
	say("exit %d", r ? 1 : 0);
	return r ? 1 : 0;
}
