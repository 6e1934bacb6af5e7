// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-ring.c: each connector's transport to the backend. A request ring
 * (one page, io/ring.h) carries our requests and the backend's responses;
 * an event page carries the backend's page-flip events. Each has its own
 * event channel, bound "late EOI" so that a backend raising events with
 * nothing behind them is throttled by Xen's event core, not by us.
 *
 * One request is in flight per ring. zfront_ring_call() pushes it and
 * waits, killable and with a timeout, for the response whose id it
 * carries; a response that comes after its request timed out is dropped.
 * The backend is read the careful way: the producer index once, a barrier,
 * a range check, then a private copy of each slot before it is looked at
 * (zfront-proto.c). An impossible index or packet breaks the ring: every
 * call on it fails from then on and the device is told (zfront_backend_broken).
 */
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "../zfront.h"

/* One zeroed page granted to the backend; its grant is ended at free. */
static void *shared_page_alloc(struct zfront_info *info, grant_ref_t *ref)
{
	void *p = (void *)get_zeroed_page(GFP_KERNEL);
	int r;

	*ref = INVALID_GRANT_REF;
	if (!p)
		return NULL;
	r = gnttab_grant_foreign_access(info->xb->otherend_id, virt_to_gfn(p), 0);
	if (r < 0) {
		free_page((unsigned long)p);
		return NULL;
	}
	*ref = r;
	return p;
}

/*
 * End the grant, then free the page; if the backend still maps it, the
 * grant table code keeps the page until the backend lets go.
 */
static void shared_page_free(void *p, grant_ref_t *ref)
{
	if (*ref != INVALID_GRANT_REF)
		gnttab_end_foreign_access(*ref, virt_to_page(p));
	else if (p)
		free_page((unsigned long)p);
	*ref = INVALID_GRANT_REF;
}

/* The backend broke the protocol on r: fail everything, tell the device. */
static void ring_broken(struct zfront_ring *r, const char *why)
{
	lockdep_assert_held(&r->lock);
	if (r->dead)
		return;
	zf_warn_rl(r->info, "connector %u: %s; the ring is closed\n", r->idx, why);
	r->dead = true;
	if (r->waiting) {
		r->waiting = false;
		r->status = -EIO;
		complete(&r->done);
	}
	schedule_work(&r->info->broken_work);
}

/* Take every published response; returns whether any was there. */
static bool ring_take_responses(struct zfront_ring *r)
{
	bool any = false;
	int more;

	do {
		RING_IDX prod = READ_ONCE(r->ring.sring->rsp_prod);
		int n;

		virt_rmb(); /* the slots after the index */
		n = zfront_rsp_avail(prod, r->ring.rsp_cons, r->ring.req_prod_pvt,
				     RING_SIZE(&r->ring));
		if (n < 0) {
			ring_broken(r, "response producer index out of range");
			return true;
		}
		for (; n > 0; n--) {
			struct xendispl_resp rsp;
			int status = 0, ok;
			u32 edid_sz = 0;

			memcpy(&rsp, RING_GET_RESPONSE(&r->ring, r->ring.rsp_cons), sizeof(rsp));
			barrier(); /* use the copy only */
			r->ring.rsp_cons++;
			any = true;
			ok = zfront_rsp_check(&rsp, r->waiting ? &r->wait : NULL, &status,
					      &edid_sz);
			if (ok < 0) {
				ring_broken(r, "malformed response");
				return true;
			}
			if (!ok) {
				atomic_inc(&r->info->n_rsp_dropped);
				zf_warn_rl(r->info, "connector %u: dropped a response to no request in flight (id %u)\n",
					   r->idx, rsp.id);
				continue;
			}
			r->waiting = false;
			r->status = status;
			r->edid_sz = edid_sz;
			complete(&r->done);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&r->ring, more);
	} while (more);
	return any;
}

static irqreturn_t req_irq_handler(int irq, void *arg)
{
	struct zfront_ring *r = arg;
	unsigned int eoi = XEN_EOI_FLAG_SPURIOUS;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	if (!r->dead && ring_take_responses(r))
		eoi = 0;
	spin_unlock_irqrestore(&r->lock, flags);
	if (eoi)
		atomic_inc(&r->info->n_spurious);
	xen_irq_lateeoi(irq, eoi);
	return IRQ_HANDLED;
}

static irqreturn_t evt_irq_handler(int irq, void *arg)
{
	struct zfront_ring *r = arg;
	unsigned int eoi = XEN_EOI_FLAG_SPURIOUS;
	struct xendispl_event_page *page = r->evt_page;
	unsigned long flags;
	u32 prod, cons;
	int n;

	spin_lock_irqsave(&r->lock, flags);
	if (r->dead)
		goto out;
	prod = READ_ONCE(page->in_prod);
	virt_rmb(); /* the events after the index */
	/* Our consumer index is our own; the page's copy is only for the backend. */
	cons = r->evt_cons;
	n = zfront_evt_avail(prod, cons);
	if (n < 0) {
		ring_broken(r, "event producer index out of range");
		goto out;
	}
	if (n)
		eoi = 0;
	for (; n > 0; n--, cons++) {
		struct xendispl_evt evt;
		u64 cookie;

		memcpy(&evt, &XENDISPL_IN_RING_REF(page, cons), sizeof(evt));
		barrier();
		if (zfront_evt_check(&evt, &cookie)) {
			atomic_inc(&r->info->n_evt_dropped);
			zf_warn_rl(r->info, "connector %u: dropped an unknown event (type %u)\n",
				   r->idx, evt.type);
			continue;
		}
		if (!r->drm || !zfront_kms_flip_done(r->drm, r->idx, cookie)) {
			atomic_inc(&r->info->n_evt_dropped);
			zf_warn_rl(r->info, "connector %u: dropped a flip event for no flip in flight (cookie %llu)\n",
				   r->idx, cookie);
		}
	}
	r->evt_cons = cons;
	virt_mb(); /* done with the slots before the backend may reuse them */
	WRITE_ONCE(page->in_cons, cons);
out:
	spin_unlock_irqrestore(&r->lock, flags);
	if (eoi)
		atomic_inc(&r->info->n_spurious);
	xen_irq_lateeoi(irq, eoi);
	return IRQ_HANDLED;
}

int zfront_ring_call(struct zfront_ring *r, struct xendispl_req *req, u32 edid_buf_sz,
		     u32 *edid_sz)
{
	long left;
	int notify, ret;

	mutex_lock(&r->call_lock);
	spin_lock_irq(&r->lock);
	if (r->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	if (RING_FULL(&r->ring)) {
		/* The backend took no request for a whole ring's worth of calls. */
		ret = -EBUSY;
		goto unlock;
	}
	req->id = r->next_id++;
	*RING_GET_REQUEST(&r->ring, r->ring.req_prod_pvt) = *req;
	r->ring.req_prod_pvt++;
	r->wait.id = req->id;
	r->wait.operation = req->operation;
	r->wait.edid_buf_sz = edid_buf_sz;
	r->waiting = true;
	reinit_completion(&r->done);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->ring, notify);
	spin_unlock_irq(&r->lock);

	if (notify)
		notify_remote_via_irq(r->req_irq);
	left = wait_for_completion_killable_timeout(&r->done,
						    msecs_to_jiffies(zfront_req_timeout_ms));

	spin_lock_irq(&r->lock);
	if (r->waiting) {
		/* Timed out or killed: a late answer will be dropped. */
		r->waiting = false;
		ret = left < 0 ? -EINTR : -ETIMEDOUT;
		if (!left)
			atomic_inc(&r->info->n_timeouts);
		if (!left)
			zf_warn_rl(r->info, "connector %u: no response to request %u (op %#x) within %u ms\n",
				   r->idx, req->id, req->operation, zfront_req_timeout_ms);
	} else {
		ret = r->status;
		if (edid_sz)
			*edid_sz = r->edid_sz;
	}
unlock:
	spin_unlock_irq(&r->lock);
	mutex_unlock(&r->call_lock);
	return ret;
}

static int ring_bind(struct zfront_ring *r, evtchn_port_t *port, int *irq,
		     irq_handler_t handler, const char *what)
{
	int ret = xenbus_alloc_evtchn(r->info->xb, port);

	if (ret)
		return ret;
	ret = bind_evtchn_to_irqhandler_lateeoi(*port, handler, 0, what, r);
	if (ret < 0) {
		xenbus_free_evtchn(r->info->xb, *port);
		*port = 0;
		return ret;
	}
	*irq = ret;
	return 0;
}

static void ring_free(struct zfront_ring *r)
{
	/* Unbinding also closes the event channel. */
	if (r->evt_irq > 0)
		unbind_from_irqhandler(r->evt_irq, r);
	if (r->req_irq > 0)
		unbind_from_irqhandler(r->req_irq, r);
	r->evt_irq = r->req_irq = 0;
	r->evt_port = r->req_port = 0;
	shared_page_free(r->evt_page, &r->evt_ref);
	r->evt_page = NULL;
	shared_page_free(r->ring.sring, &r->ring_ref);
	r->ring.sring = NULL;
}

static int ring_create(struct zfront_info *info, unsigned int idx)
{
	struct zfront_ring *r = &info->ring[idx];
	struct xen_displif_sring *sring;
	int ret;

	memset(r, 0, sizeof(*r));
	r->info = info;
	r->idx = idx;
	r->ring_ref = r->evt_ref = INVALID_GRANT_REF;
	mutex_init(&r->call_lock);
	spin_lock_init(&r->lock);
	init_completion(&r->done);

	sring = shared_page_alloc(info, &r->ring_ref);
	if (!sring)
		return -ENOMEM;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&r->ring, sring, XEN_PAGE_SIZE);
	r->evt_page = shared_page_alloc(info, &r->evt_ref);
	if (!r->evt_page) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = ring_bind(r, &r->req_port, &r->req_irq, req_irq_handler, ZFRONT_NAME "-req");
	if (ret)
		goto fail;
	ret = ring_bind(r, &r->evt_port, &r->evt_irq, evt_irq_handler, ZFRONT_NAME "-evt");
	if (ret)
		goto fail;
	return 0;
fail:
	ring_free(r);
	return ret;
}

int zfront_rings_create(struct zfront_info *info)
{
	unsigned int i;
	int ret;

	for (i = 0; i < info->cfg.nconn; i++) {
		ret = ring_create(info, i);
		if (ret) {
			zfront_rings_free(info);
			return ret;
		}
		info->nrings = i + 1;
	}
	return 0;
}

static int publish(struct zfront_info *info, struct xenbus_transaction xbt)
{
	const char *node = info->xb->nodename;
	unsigned int i;
	int ret;

	ret = xenbus_printf(xbt, node, XENDISPL_FIELD_FE_VERSION, "%u", info->cfg.version);
	for (i = 0; !ret && i < info->nrings; i++) {
		struct zfront_ring *r = &info->ring[i];
		char dir[32];

		snprintf(dir, sizeof(dir), "%s/%u", node, i);
		ret = xenbus_printf(xbt, dir, XENDISPL_FIELD_REQ_RING_REF, "%u", r->ring_ref) ?:
		      xenbus_printf(xbt, dir, XENDISPL_FIELD_REQ_CHANNEL, "%u", r->req_port) ?:
		      xenbus_printf(xbt, dir, XENDISPL_FIELD_EVT_RING_REF, "%u", r->evt_ref) ?:
		      xenbus_printf(xbt, dir, XENDISPL_FIELD_EVT_CHANNEL, "%u", r->evt_port);
	}
	return ret;
}

int zfront_rings_publish(struct zfront_info *info)
{
	struct xenbus_transaction xbt;
	int ret;

	do {
		ret = xenbus_transaction_start(&xbt);
		if (ret)
			return ret;
		ret = publish(info, xbt);
		if (ret) {
			xenbus_transaction_end(xbt, 1);
			return ret;
		}
		ret = xenbus_transaction_end(xbt, 0);
	} while (ret == -EAGAIN);
	return ret;
}

void zfront_rings_connect(struct zfront_info *info, struct zfront_drm *drm)
{
	unsigned int i;

	for (i = 0; i < info->nrings; i++) {
		struct zfront_ring *r = &info->ring[i];

		spin_lock_irq(&r->lock);
		r->drm = drm;
		spin_unlock_irq(&r->lock);
	}
}

void zfront_rings_kill(struct zfront_info *info)
{
	unsigned int i;

	for (i = 0; i < info->nrings; i++) {
		struct zfront_ring *r = &info->ring[i];

		spin_lock_irq(&r->lock);
		r->dead = true;
		r->drm = NULL;
		if (r->waiting) {
			r->waiting = false;
			r->status = -ENODEV;
			complete(&r->done);
		}
		spin_unlock_irq(&r->lock);
	}
}

void zfront_rings_free(struct zfront_info *info)
{
	unsigned int i;

	zfront_rings_kill(info);
	for (i = 0; i < info->nrings; i++) {
		/* Wait for a caller still holding the ring to see it dead. */
		mutex_lock(&info->ring[i].call_lock);
		mutex_unlock(&info->ring[i].call_lock);
		ring_free(&info->ring[i]);
	}
	info->nrings = 0;
}
