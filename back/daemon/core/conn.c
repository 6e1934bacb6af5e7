// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c: a connector's transport: configuration nodes, the request ring
 * (consumed as from a hostile peer) and the event ring (produced by us).
 */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "display.h"
#include "xsutil.h"

#define READ_ONCE_U32(p) __atomic_load_n((p), __ATOMIC_RELAXED)

static int flip_event(void *ctx, uint64_t fb_cookie)
{
	return zd_conn_send_event(ctx, XENDISPL_EVT_PG_FLIP, fb_cookie);
}

void zd_conn_init(struct zd_conn *c, const struct zd_env *env, unsigned int fe_domid,
		  const char *fe_path, const char *dev_name, struct zd_ratelimit *rl,
		  struct zd_ratelimit *rl_state, struct zd_buffers *bufs, unsigned int idx)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->fe_domid = fe_domid;
	c->rl = rl;
	c->rl_state = rl_state;
	c->idx = idx;
	c->req_ref = ZD_GREF_INVALID;
	c->evt_ref = ZD_GREF_INVALID;
	c->req_port = -1;
	c->evt_port = -1;
	snprintf(c->dir, sizeof(c->dir), "%s/%u", fe_path, idx);
	snprintf(c->name, sizeof(c->name), "%s/%u", dev_name, idx);
	zd_scanout_init(&c->so, c->name, rl_state, idx, bufs, flip_event, c);
}

int zd_conn_read_config(struct zd_conn *c)
{
	struct xs_handle *xs = c->env->xs;
	const char *dir = c->dir;
	char buf[ZD_MAX_XS_VALUE];
	int r;

	r = zd_xs_read_str(xs, dir, XENDISPL_FIELD_RESOLUTION, buf, sizeof(buf));
	if (!r)
		r = zd_parse_resolution(buf, ZD_MAX_DIMENSION, &c->width, &c->height);
	if (r) {
		zd_err(c->name, "bad or missing %s: %s", XENDISPL_FIELD_RESOLUTION, strerror(-r));
		return r;
	}
	r = zd_xs_read_str(xs, dir, XENDISPL_FIELD_UNIQUE_ID, c->unique_id, sizeof(c->unique_id));
	if (r == -ENOENT) {
		c->unique_id[0] = '\0';
	} else if (r) {
		zd_err(c->name, "bad %s: %s", XENDISPL_FIELD_UNIQUE_ID, strerror(-r));
		return r;
	}
	c->want = zd_output_map_lookup(&c->env->outputs, c->unique_id);
	if (c->want != c->unique_id)
		zd_dbg(c->name, "%ux%u, unique-id '%s', mapped to output %s", c->width, c->height,
		       c->unique_id, c->want);
	else
		zd_dbg(c->name, "%ux%u, unique-id '%s'", c->width, c->height, c->unique_id);
	if (c->want[0] && c->env->dops && c->env->display) {
		c->env->dops->reserve(c->env->display, c->want, true);
		c->reserved = true;
	}
	return 0;
}

void zd_conn_unreserve(struct zd_conn *c)
{
	if (!c->reserved)
		return;
	c->env->dops->reserve(c->env->display, c->want, false);
	c->reserved = false;
}

static void *map_page(struct zd_conn *c, grant_ref_t ref)
{
	return xengnttab_map_grant_ref(c->env->gnt, c->fe_domid, ref, PROT_READ | PROT_WRITE);
}

static int bind_port(struct zd_conn *c, uint32_t remote, int *local)
{
	xenevtchn_port_or_error_t p =
		xenevtchn_bind_interdomain(c->env->evtchn, c->fe_domid, remote);

	if (p < 0)
		return -errno;
	*local = p;
	return 0;
}

/*
 * What an output with a title (a window) is called: "NAME: ID (CONN)",
 * NAME the guest's domain name as the toolstack wrote it, ID the
 * connector's unique-id, CONN its log name. Only printable ASCII of the
 * name is kept; without a readable name, "CONN ID".
 */
static void conn_title(const struct zd_conn *c, const struct zd_env *env, char *buf, size_t size)
{
	char dir[48], name[65];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "/local/domain/%u", c->fe_domid);
	if (zd_xs_read_str(env->xs, dir, "name", name, sizeof(name)) == 0)
		for (size_t i = 0; name[i]; i++)
			if (name[i] >= ' ' && name[i] <= '~')
				name[n++] = name[i];
	name[n] = '\0';
	if (n)
		snprintf(buf, size, "%s: %s (%s)", name, c->unique_id, c->name);
	else
		snprintf(buf, size, "%s %s", c->name, c->unique_id);
}

int zd_conn_connect(struct zd_conn *c)
{
	const struct zd_env *be = c->env;
	const char *dir = c->dir;
	char title[ZD_MAX_UNIQUE_ID + 160];
	int r;

	/* Grant refs: 0 is invalid; ports: any 32-bit value, Xen validates. */
	if ((r = zd_xs_read_uint(be->xs, dir, XENDISPL_FIELD_REQ_RING_REF, 1, UINT32_MAX,
				 &c->req_ref)) ||
	    (r = zd_xs_read_uint(be->xs, dir, XENDISPL_FIELD_REQ_CHANNEL, 0, UINT32_MAX,
				 &c->req_remote_port)) ||
	    (r = zd_xs_read_uint(be->xs, dir, XENDISPL_FIELD_EVT_RING_REF, 1, UINT32_MAX,
				 &c->evt_ref)) ||
	    (r = zd_xs_read_uint(be->xs, dir, XENDISPL_FIELD_EVT_CHANNEL, 0, UINT32_MAX,
				 &c->evt_remote_port))) {
		zd_err(c->name, "bad or missing transport parameters: %s", strerror(-r));
		goto err;
	}

	c->req_page = map_page(c, c->req_ref);
	if (!c->req_page) {
		r = -errno;
		zd_err(c->name, "cannot map the request ring (gref %u): %s", c->req_ref,
		       strerror(errno));
		goto err;
	}
	/* The frontend initialised the shared ring; we only track our side. */
	BACK_RING_INIT(&c->ring, (struct xen_displif_sring *)c->req_page, ZD_PAGE_SIZE);

	c->evt_page = map_page(c, c->evt_ref);
	if (!c->evt_page) {
		r = -errno;
		zd_err(c->name, "cannot map the event ring (gref %u): %s", c->evt_ref,
		       strerror(errno));
		goto err;
	}
	c->evt_prod = 0;
	c->evt_page->in_prod = 0;

	r = bind_port(c, c->req_remote_port, &c->req_port);
	if (r) {
		zd_err(c->name, "cannot bind request event channel %u: %s", c->req_remote_port,
		       strerror(-r));
		goto err;
	}
	r = bind_port(c, c->evt_remote_port, &c->evt_port);
	if (r) {
		zd_err(c->name, "cannot bind event channel %u: %s", c->evt_remote_port,
		       strerror(-r));
		goto err;
	}

	conn_title(c, be, title, sizeof(title));
	zd_scanout_start(&c->so, be, c->want && c->want[0] ? c->want : NULL, title, c->width,
			 c->height);
	zd_log_rl(c->rl_state, ZD_LOG_INFO, c->name, "connected: %ux%u, output %s", c->width,
		  c->height, zd_scanout_output_name(&c->so));
	return 0;

err:
	zd_conn_disconnect(c);
	return r;
}

void zd_conn_disconnect(struct zd_conn *c)
{
	const struct zd_env *be = c->env;

	zd_scanout_stop(&c->so);
	if (c->evt_port >= 0)
		xenevtchn_unbind(be->evtchn, (evtchn_port_t)c->evt_port);
	if (c->req_port >= 0)
		xenevtchn_unbind(be->evtchn, (evtchn_port_t)c->req_port);
	c->evt_port = c->req_port = -1;
	if (c->evt_page)
		xengnttab_unmap(be->gnt, c->evt_page, 1);
	if (c->req_page)
		xengnttab_unmap(be->gnt, c->req_page, 1);
	c->evt_page = NULL;
	c->req_page = NULL;
	c->more = false;
	c->req_ref = c->evt_ref = ZD_GREF_INVALID;
}

static int notify(struct zd_conn *c, int port)
{
	if (xenevtchn_notify(c->env->evtchn, (evtchn_port_t)port) < 0)
		return -errno;
	return 0;
}

int zd_conn_process(struct zd_conn *c, zd_req_fn fn, void *ctx)
{
	struct xendispl_resp resp;
	struct xendispl_req req;
	unsigned int budget = ZD_REQ_BUDGET;
	RING_IDX rc, rp;
	int more, push;

	c->more = false;
	if (!c->req_page)
		return 0;
	do {
		rc = c->ring.req_cons;
		rp = READ_ONCE_U32(&c->ring.sring->req_prod);
		xen_rmb(); /* requests up to rp are visible */
		if (RING_REQUEST_PROD_OVERFLOW(&c->ring, rp)) {
			zd_err(c->name, "request producer %u is %u ahead of consumer %u", rp,
			       rp - rc, rc);
			return -EPROTO;
		}
		while (rc != rp) {
			if (RING_REQUEST_CONS_OVERFLOW(&c->ring, rc))
				break;
			if (!budget--) {
				c->more = true;
				return 1;
			}
			RING_COPY_REQUEST(&c->ring, rc, &req);
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			resp.operation = req.operation;
			if (fn(ctx, c, &req, &resp) == ZD_REQ_LATER) {
				/* Copied again, and checked again, next round. */
				c->more = true;
				return 1;
			}
			c->ring.req_cons = ++rc;
			*RING_GET_RESPONSE(&c->ring, c->ring.rsp_prod_pvt) = resp;
			c->ring.rsp_prod_pvt++;
			RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&c->ring, push);
			if (push)
				notify(c, c->req_port);
			if (!c->req_page) /* the request closed the device */
				return 0;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&c->ring, more);
	} while (more);
	return 0;
}

int zd_conn_send_event(struct zd_conn *c, uint8_t type, uint64_t fb_cookie)
{
	struct xendispl_evt evt;
	uint32_t cons;

	if (!c->evt_page)
		return -ENOTCONN;
	cons = READ_ONCE_U32(&c->evt_page->in_cons);
	xen_rmb();
	/* Full, or a consumer index that is not behind us: drop, don't wait. */
	if (c->evt_prod - cons >= XENDISPL_IN_RING_LEN) {
		c->events_dropped++;
		zd_log_rl(c->rl, ZD_LOG_WARN, c->name,
			  "event ring full or corrupt (prod %u, cons %u): event dropped",
			  c->evt_prod, cons);
		return -ENOSPC;
	}
	memset(&evt, 0, sizeof(evt));
	evt.id = c->evt_id++;
	evt.type = type;
	evt.op.pg_flip.fb_cookie = fb_cookie;
	memcpy(&XENDISPL_IN_RING_REF(c->evt_page, c->evt_prod), &evt, sizeof(evt));
	xen_wmb(); /* event visible before the index */
	c->evt_prod++;
	__atomic_store_n(&c->evt_page->in_prod, c->evt_prod, __ATOMIC_RELAXED);
	xen_wmb();
	return notify(c, c->evt_port);
}

void zd_conn_info(const struct zd_conn *c, struct zd_conn_info *out)
{
	*out = (struct zd_conn_info){
		.name = c->name,
		.unique_id = c->unique_id,
		.output = zd_scanout_output_name(&c->so),
		.width = c->width,
		.height = c->height,
		.rings_mapped = (c->req_page != NULL) + (c->evt_page != NULL),
		.req_port = c->req_port,
		.evt_port = c->evt_port,
		.configured = c->so.configured,
		.flip_busy = c->so.flip_busy,
		.queued = c->so.queued,
		.more = c->more,
		.flip_fb = c->so.flip_fb,
		.evt_prod = c->evt_prod,
		.flips = c->so.flips,
		.bytes_copied = c->so.bytes_copied,
		.events_dropped = c->events_dropped,
		.requests = c->requests,
		.errors = c->errors,
	};
}
