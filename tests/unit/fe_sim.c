// SPDX-License-Identifier: GPL-2.0
/* fe_sim.c: see fe_sim.h. */
#include "fe_sim.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "loop.h"

static void xs_set(const char *dir, const char *node, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	fx_xs_write(0, path, val);
}

static void fe_set(struct sim *s, const char *node, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", s->fe_path, node);
	fx_xs_write(s->fe_domid, path, val);
}

static bool sim_fd_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

static bool sim_conn_more(const struct zd_device *d, unsigned int i)
{
	struct zd_conn_info ci;

	return zd_device_conn_info(d, i, &ci) == 0 && ci.more;
}

static bool leftovers(struct zd_backend *be)
{
	for (struct zd_device *d = be->devices; d; d = d->next)
		for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++)
			if (sim_conn_more(d, i))
				return true;
	return false;
}

void sim_pump(struct sim *s)
{
	if (!s->be)
		return;
	/*
	 * Through the daemon's own loop, as in production (deferred work
	 * included). Bounded: a daemon that keeps generating events is a
	 * test failure.
	 */
	for (int i = 0; i < 64; i++) {
		bool xs = sim_fd_readable(xs_fileno(s->be->env.xs));
		bool ev = sim_fd_readable(xenevtchn_fd(s->be->env.evtchn));

		if (!xs && !ev && !leftovers(s->be))
			return;
		zd_loop_dispatch(s->loop, 0);
	}
}

int sim_be_state(struct sim *s)
{
	char path[160];
	const char *v;

	snprintf(path, sizeof(path), "%s/state", s->be_path);
	v = fx_xs_read(path);
	return v ? atoi(v) : -1;
}

void sim_set_fe_state(struct sim *s, int state)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%d", state);
	fe_set(s, "state", buf);
	sim_pump(s);
}

void sim_set_online(struct sim *s, bool online)
{
	xs_set(s->be_path, "online", online ? "1" : "0");
	sim_pump(s);
}

void sim_remove_device(struct sim *s, bool frontend_too)
{
	fx_xs_rm(0, s->be_path);
	if (frontend_too)
		fx_xs_rm(0, s->fe_path);
	sim_pump(s);
}

struct zd_device *sim_device(struct sim *s)
{
	return s->be ? zd_backend_find(s->be, s->fe_domid, s->devid) : NULL;
}

struct zd_device_info sim_devinfo(struct sim *s)
{
	struct zd_device *d = sim_device(s);
	struct zd_device_info di = {0};

	if (d)
		zd_device_info(d, &di);
	return di;
}

struct zd_conn_info sim_conn(struct sim *s, unsigned int i)
{
	struct zd_device *d = sim_device(s);
	struct zd_conn_info ci = {.output = "none", .req_port = -1, .evt_port = -1};

	if (d)
		zd_device_conn_info(d, i, &ci);
	return ci;
}

struct zd_dbuf_info sim_dbuf(struct sim *s, uint32_t i)
{
	struct zd_device *d = sim_device(s);
	struct zd_dbuf_info bi = {.dmabuf_fd = -1};

	if (d)
		zd_device_dbuf_info(d, i, &bi);
	return bi;
}

/* What libxl writes for vdispl = [ '...' ], all in one transaction. */
static void write_device(struct sim *s, unsigned int nconns, const char *const *resolutions,
			 const struct sim_opts *o)
{
	char buf[64];

	xs_set(s->be_path, "frontend", s->fe_path);
	snprintf(buf, sizeof(buf), "%u", s->fe_domid);
	xs_set(s->be_path, "frontend-id", buf);
	xs_set(s->be_path, "online", "1");
	xs_set(s->be_path, "state", "1");
	xs_set(s->fe_path, "backend", s->be_path);
	xs_set(s->fe_path, "backend-id", "0");
	xs_set(s->fe_path, "state", "1");
	xs_set(s->fe_path, "be-alloc", o->be_alloc ? "1" : "0");
	for (unsigned int i = 0; i < nconns; i++) {
		char dir[128];

		snprintf(dir, sizeof(dir), "%s/%u", s->fe_path, i);
		/* NULL: no resolution node (unique-id still makes the directory). */
		if (resolutions[i])
			xs_set(dir, "resolution", resolutions[i]);
		if (o->no_unique_id)
			continue;
		if (o->unique_id) {
			xs_set(dir, "unique-id", o->unique_id);
		} else {
			snprintf(buf, sizeof(buf), "Fake-%u", i + 1);
			xs_set(dir, "unique-id", buf);
		}
	}
}

int sim_start_opts(struct sim *s, unsigned int nconns, const char *const *resolutions,
		   const struct sim_opts *o)
{
	static const struct sim_opts defaults;
	/* No display budget and no connect budget unless a test asks. */
	struct zd_limits lim = {.max_buffer_bytes = ZD_DEF_BUFFER_BYTES,
				.max_buffers = ZD_DEF_BUFFERS,
				.max_fbs = ZD_DEF_FBS,
				.max_pages = ZD_DEF_DEVICE_PAGES,
				.max_granted_pages = ZD_DEF_GRANTED_PAGES};
	struct zd_be_alloc_policy pol = {0};
	int r;

	if (!o)
		o = &defaults;
	if (nconns > ZD_MAX_CONNECTORS)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->fe_domid = o->fe_domid ? o->fe_domid : SIM_FE_DOMID;
	s->devid = o->devid;
	s->nconns = nconns;
	snprintf(s->fe_version, sizeof(s->fe_version), "%s",
		 o->fe_version ? o->fe_version : XENDISPL_PROTOCOL_VERSION);
	snprintf(s->fe_path, sizeof(s->fe_path), "/local/domain/%u/device/vdispl/%u", s->fe_domid,
		 s->devid);
	snprintf(s->be_path, sizeof(s->be_path), "/local/domain/0/backend/vdispl/%u/%u",
		 s->fe_domid, s->devid);
	if (!o->no_device)
		write_device(s, nconns, resolutions, o);

	if (o->share) {
		/* Another device of an already running daemon. */
		s->loop = o->share->loop;
		s->display = o->share->display;
		s->zcopy = o->share->zcopy;
		s->be = o->share->be;
		sim_pump(s);
		return 0;
	}

	s->owner = true;
	fx_xs_write(0, "/local/domain/0/domid", "0");
	if (o->limits.max_buffer_bytes || o->limits.max_buffers || o->limits.max_fbs) {
		lim = o->limits;
		if (!lim.max_pages)
			lim.max_pages = ZD_DEF_DEVICE_PAGES;
		if (!lim.max_granted_pages)
			lim.max_granted_pages = ZD_DEF_GRANTED_PAGES;
	}
	if (o->be_alloc_policy && zd_be_alloc_policy_parse(o->be_alloc_policy, &pol))
		return -EINVAL;
	r = zd_loop_new(&s->loop);
	if (r)
		return r;
	if (o->outputs) {
		s->display = fake_display_new(o->outputs);
		if (!s->display)
			return -ENOMEM;
	}
	r = zd_zcopy_open(o->zcopy, &s->zcopy);
	if (r)
		return r;
	r = zd_backend_new(s->loop, o->dops ? o->dops : &fake_display_ops, s->display, s->zcopy,
			   &lim, &pol, &o->map, &s->be);
	if (r)
		return r;
	sim_pump(s);
	return 0;
}

int sim_start(struct sim *s, unsigned int nconns, const char *const *resolutions,
	      unsigned int outputs)
{
	struct sim_opts o = {.outputs = outputs};

	return sim_start_opts(s, nconns, resolutions, &o);
}

void sim_free_backend(struct sim *s)
{
	if (!s->owner)
		return;
	zd_backend_free(s->be);
	s->be = NULL;
}

unsigned int sim_stop(struct sim *s)
{
	if (s->owner) {
		sim_free_backend(s);
		zd_zcopy_close(s->zcopy);
		fake_display_free(s->display);
		zd_loop_free(s->loop);
		s->zcopy = NULL;
		s->display = NULL;
		s->loop = NULL;
	}
	s->be = NULL;
	return fx_live_handles();
}

void sim_fe_write(struct sim *s, const char *node, const char *val)
{
	fe_set(s, node, val);
}

static void conn_node(struct sim *s, unsigned int i, const char *node, unsigned int val)
{
	char n[64], v[16];

	snprintf(n, sizeof(n), "%u/%s", i, node);
	snprintf(v, sizeof(v), "%u", val);
	fe_set(s, n, v);
}

int sim_fe_publish(struct sim *s)
{
	fe_set(s, XENDISPL_FIELD_FE_VERSION, s->fe_version);
	for (unsigned int i = 0; i < s->nconns; i++) {
		struct sim_conn *c = &s->conns[i];
		struct xen_displif_sring *sring;
		int r;

		memset(c, 0, sizeof(*c));
		r = fx_gnt_grant(s->fe_domid, 0, false);
		if (r < 0)
			return r;
		c->req_ref = (grant_ref_t)r;
		r = fx_gnt_grant(s->fe_domid, 0, false);
		if (r < 0)
			return r;
		c->evt_ref = (grant_ref_t)r;
		sring = fx_gnt_page(s->fe_domid, c->req_ref);
		c->evt_page = fx_gnt_page(s->fe_domid, c->evt_ref);
		if (!sring || !c->evt_page)
			return -ENOMEM;
		SHARED_RING_INIT(sring);
		FRONT_RING_INIT(&c->ring, sring, ZD_PAGE_SIZE);
		r = fx_evtchn_alloc_unbound(s->fe_domid, 0);
		if (r < 0)
			return r;
		c->req_port = (unsigned int)r;
		r = fx_evtchn_alloc_unbound(s->fe_domid, 0);
		if (r < 0)
			return r;
		c->evt_port = (unsigned int)r;

		conn_node(s, i, XENDISPL_FIELD_REQ_RING_REF, c->req_ref);
		conn_node(s, i, XENDISPL_FIELD_REQ_CHANNEL, c->req_port);
		conn_node(s, i, XENDISPL_FIELD_EVT_RING_REF, c->evt_ref);
		conn_node(s, i, XENDISPL_FIELD_EVT_CHANNEL, c->evt_port);
	}
	return 0;
}

int sim_fe_connect(struct sim *s)
{
	int r = sim_fe_publish(s);

	if (r)
		return r;
	sim_set_fe_state(s, XenbusStateInitialised);
	return sim_be_state(s) == XenbusStateConnected ? 0 : -EPROTO;
}

int sim_fe_teardown(struct sim *s)
{
	int err = 0;

	for (unsigned int i = 0; i < s->nconns; i++) {
		struct sim_conn *c = &s->conns[i];
		grant_ref_t refs[2] = {c->req_ref, c->evt_ref};
		unsigned int ports[2] = {c->req_port, c->evt_port};

		for (unsigned int k = 0; k < 2; k++) {
			/* A backend still holding a page or a port is the bug we look for. */
			if (refs[k] && fx_gnt_revoke(s->fe_domid, refs[k]) == -EBUSY)
				err = -EBUSY;
			if (ports[k] && fx_evtchn_is_bound(ports[k]) == 1)
				err = -EBUSY;
			if (ports[k])
				fx_evtchn_close(ports[k]);
		}
		memset(c, 0, sizeof(*c));
	}
	return err;
}

void sim_push(struct sim *s, unsigned int ci, const struct xendispl_req *req)
{
	struct sim_conn *c = &s->conns[ci];
	int notify;

	*RING_GET_REQUEST(&c->ring, c->ring.req_prod_pvt) = *req;
	c->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&c->ring, notify);
	(void)notify; /* sim_kick() always kicks: spurious ones must be harmless */
}

void sim_kick(struct sim *s, unsigned int ci)
{
	fx_evtchn_notify_from_peer(s->conns[ci].req_port);
	sim_pump(s);
}

bool sim_response(struct sim *s, unsigned int ci, struct xendispl_resp *resp)
{
	struct sim_conn *c = &s->conns[ci];

	if (c->ring.rsp_cons == c->ring.sring->rsp_prod)
		return false;
	*resp = *RING_GET_RESPONSE(&c->ring, c->ring.rsp_cons);
	c->ring.rsp_cons++;
	return true;
}

int32_t sim_request(struct sim *s, unsigned int ci, struct xendispl_req *req,
		    struct xendispl_resp *resp)
{
	struct xendispl_resp r;

	req->id = s->conns[ci].next_id++;
	sim_push(s, ci, req);
	sim_kick(s, ci);
	if (!sim_response(s, ci, &r))
		return INT32_MIN; /* no response */
	if (resp)
		*resp = r;
	return r.id == req->id && r.operation == req->operation ? r.status : INT32_MIN + 1;
}

bool sim_event(struct sim *s, unsigned int ci, struct xendispl_evt *evt)
{
	struct sim_conn *c = &s->conns[ci];

	if (c->evt_cons == c->evt_page->in_prod)
		return false;
	*evt = XENDISPL_IN_RING_REF(c->evt_page, c->evt_cons);
	c->evt_page->in_cons = ++c->evt_cons;
	return true;
}

void *sim_page(struct sim *s, grant_ref_t ref)
{
	return fx_gnt_page(s->fe_domid, ref);
}

static grant_ref_t make_buffer(struct sim *s, uint32_t size, grant_ref_t *grefs, bool data_ro)
{
	uint32_t npages = zd_data_pages(size), ndir = zd_dir_pages(npages);
	grant_ref_t dir[SIM_MAX_DIR_PAGES];

	if (ndir > SIM_MAX_DIR_PAGES || npages > SIM_MAX_PAGES)
		return 0;
	for (uint32_t k = 0; k < npages; k++)
		grefs[k] = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, data_ro);
	for (uint32_t d = 0; d < ndir; d++)
		dir[d] = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, true);
	for (uint32_t d = 0; d < ndir; d++) {
		/* As slots: struct xendispl_page_directory declares gref[1]. */
		grant_ref_t *pd = sim_page(s, dir[d]);
		uint32_t first = d * (uint32_t)ZD_GREFS_PER_DIR_PAGE;

		pd[0] = d + 1 < ndir ? dir[d + 1] : 0;
		for (uint32_t k = first; k < npages && k < first + ZD_GREFS_PER_DIR_PAGE; k++)
			pd[1 + k - first] = grefs[k];
	}
	return dir[0];
}

grant_ref_t sim_buffer(struct sim *s, uint32_t size, grant_ref_t *grefs)
{
	return make_buffer(s, size, grefs, false);
}

grant_ref_t sim_buffer_ro(struct sim *s, uint32_t size, grant_ref_t *grefs)
{
	return make_buffer(s, size, grefs, true);
}

int32_t sim_dbuf_create(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			grant_ref_t *grefs_out)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};
	uint32_t size = w * h * (bpp / 8);
	static grant_ref_t scratch[SIM_MAX_PAGES];

	req.op.dbuf_create.dbuf_cookie = cookie;
	req.op.dbuf_create.width = w;
	req.op.dbuf_create.height = h;
	req.op.dbuf_create.bpp = bpp;
	req.op.dbuf_create.buffer_sz = size;
	req.op.dbuf_create.gref_directory = sim_buffer(s, size, grefs_out ? grefs_out : scratch);
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_dbuf_destroy(struct sim *s, uint64_t cookie)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_DESTROY};

	req.op.dbuf_destroy.dbuf_cookie = cookie;
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_fb_attach(struct sim *s, uint64_t dbuf, uint64_t fb, uint32_t w, uint32_t h,
		      uint32_t fourcc)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_FB_ATTACH};

	req.op.fb_attach.dbuf_cookie = dbuf;
	req.op.fb_attach.fb_cookie = fb;
	req.op.fb_attach.width = w;
	req.op.fb_attach.height = h;
	req.op.fb_attach.pixel_format = fourcc;
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_fb_detach(struct sim *s, uint64_t fb)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_FB_DETACH};

	req.op.fb_detach.fb_cookie = fb;
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_set_config(struct sim *s, unsigned int ci, uint64_t fb, uint32_t w, uint32_t h,
		       uint32_t bpp)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_SET_CONFIG};

	req.op.set_config.fb_cookie = fb;
	req.op.set_config.width = w;
	req.op.set_config.height = h;
	req.op.set_config.bpp = bpp;
	return sim_request(s, ci, &req, NULL);
}

int32_t sim_page_flip(struct sim *s, unsigned int ci, uint64_t fb)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_PG_FLIP};

	req.op.pg_flip.fb_cookie = fb;
	return sim_request(s, ci, &req, NULL);
}

static uint64_t sim_test_clock(void *data)
{
	return *(const uint64_t *)data;
}

void sim_clock_start(struct sim *s, uint64_t *t)
{
	*t = zd_loop_now_us(s->loop);
	zd_loop_set_clock(s->loop, sim_test_clock, t);
}

void sim_clock_advance(struct sim *s, uint64_t *t, uint64_t us)
{
	*t += us;
	zd_loop_dispatch(s->loop, 0);
	sim_pump(s); /* and what the timers brought: a held step's watch event */
}

void sim_run_held_steps(struct sim *s, uint64_t *t)
{
	/* Each round runs every held step that is due; a few always do. */
	for (int round = 0; round < 8 && s->be; round++) {
		unsigned int ms = 0;
		bool held = false;

		for (struct zd_device *d = s->be->devices; d; d = d->next) {
			if (!d->step_scheduled)
				continue;
			held = true;
			if (zd_device_step_wait_ms(d) > ms)
				ms = zd_device_step_wait_ms(d);
		}
		if (!held)
			return;
		sim_clock_advance(s, t, (ms + 1) * 1000ull);
	}
}
