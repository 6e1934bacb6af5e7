// SPDX-License-Identifier: GPL-2.0
/* req.c: one displif request in, one status out. */
#include "req.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/errno.h>

#include "conn.h"
#include "device.h"
#include "edid.h"
#include "../base/log.h"
#include "../base/loop.h"
#include "paths.h"
#include "pgdir.h"
#include "scanout.h"

int32_t zd_status_from_errno(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -EPERM:
		return -XEN_EPERM;
	case -ENOENT:
		return -XEN_ENOENT;
	case -E2BIG:
		return -XEN_E2BIG;
	case -ENOMEM:
		return -XEN_ENOMEM;
	case -EACCES:
		return -XEN_EACCES;
	case -EFAULT:
		return -XEN_EFAULT;
	case -EBUSY:
		return -XEN_EBUSY;
	case -EEXIST:
		return -XEN_EEXIST;
	case -ENODEV:
		return -XEN_ENODEV;
	case -EINVAL:
		return -XEN_EINVAL;
	case -ENOSPC:
		return -XEN_ENOSPC;
	case -ERANGE:
		return -XEN_ERANGE;
	case -EAGAIN:
		return -XEN_EAGAIN;
	case -ENOSYS:
		return -XEN_ENOSYS;
	case -EOPNOTSUPP:
		return -XEN_EOPNOTSUPP;
	default:
		return -XEN_EIO;
	}
}

/* GET_EDID: write our EDID into the frontend's buffer. */
static int get_edid(struct zd_conn *c, const struct xendispl_get_edid_req *q,
		    struct xendispl_get_edid_resp *out)
{
	const struct zd_env *be = c->env;
	uint8_t edid[ZD_EDID_SIZE];
	grant_ref_t *grefs;
	uint32_t npages;
	void *map;
	int r;

	if (q->buffer_sz < ZD_EDID_SIZE || q->buffer_sz > XENDISPL_EDID_MAX_SIZE)
		return -EINVAL;
	r = zd_edid_build(edid, c->width, c->height, c->unique_id[0] ? c->unique_id : "zdispl");
	if (r < 0)
		return r;
	npages = zd_data_pages(q->buffer_sz);
	grefs = calloc(npages, sizeof(*grefs));
	if (!grefs)
		return -ENOMEM;
	r = zd_pgdir_read(be->gnt, c->fe_domid, q->gref_directory, npages, grefs);
	if (r)
		goto out;
	map = xengnttab_map_domain_grant_refs(be->gnt, npages, c->fe_domid, grefs,
					      PROT_READ | PROT_WRITE);
	if (!map) {
		r = -EFAULT;
		goto out;
	}
	memcpy(map, edid, sizeof(edid));
	xengnttab_unmap(be->gnt, map, npages);
	out->edid_sz = sizeof(edid);
out:
	free(grefs);
	return r;
}

/* Buffer requests belong on connector 0's ring (io/displif.h). */
static int control_ring(const struct zd_conn *c)
{
	return c->idx == 0 ? 0 : -EINVAL;
}

/* FB_DETACH: the outputs it took off are off for their connectors too. */
static int fb_detach(struct zd_device *dev, uint64_t cookie)
{
	unsigned int off;
	int r = zd_fb_detach(&dev->bufs, cookie, &off);

	for (unsigned int i = 0; i < dev->nr_conns; i++)
		if (off & (1u << i))
			zd_scanout_went_off(&dev->conns[i].so);
	return r;
}

/* May this request block the loop (see req.h)? */
static bool blocking(const struct zd_conn *c, const struct xendispl_req *req)
{
	switch (req->operation) {
	case XENDISPL_OP_SET_CONFIG:
		return c->so.out != NULL;
	case XENDISPL_OP_DBUF_DESTROY:
	case XENDISPL_OP_FB_DETACH:
		return true;
	default:
		return false;
	}
}

enum zd_req_result zd_req_handle(void *data, struct zd_conn *c, const struct xendispl_req *req,
				 struct xendispl_resp *resp)
{
	struct zd_device *dev = data;
	unsigned long round = zd_loop_round(dev->env->loop);
	bool blocks = blocking(c, req);
	uint64_t t0 = 0;
	int r;

	/* One blocking request a round, and only within the device's budget. */
	if (blocks) {
		if (dev->blocking_round == round || !zd_device_work_allowed(dev))
			return ZD_REQ_LATER;
		dev->blocking_round = round;
		t0 = zd_device_work_start(dev);
	}

	switch (req->operation) {
	case XENDISPL_OP_DBUF_CREATE:
		r = control_ring(c);
		if (!r)
			r = zd_dbuf_create(&dev->bufs, &req->op.dbuf_create);
		break;
	case XENDISPL_OP_DBUF_DESTROY:
		r = control_ring(c);
		if (!r)
			r = zd_dbuf_destroy(&dev->bufs, req->op.dbuf_destroy.dbuf_cookie);
		break;
	case XENDISPL_OP_FB_ATTACH:
		r = control_ring(c);
		if (!r)
			r = zd_fb_attach(&dev->bufs, &req->op.fb_attach);
		break;
	case XENDISPL_OP_FB_DETACH:
		r = control_ring(c);
		if (!r)
			r = fb_detach(dev, req->op.fb_detach.fb_cookie);
		break;
	case XENDISPL_OP_SET_CONFIG:
		r = zd_scanout_set_config(&c->so, &req->op.set_config);
		break;
	case XENDISPL_OP_PG_FLIP:
		r = zd_scanout_page_flip(&c->so, req->op.pg_flip.fb_cookie);
		break;
	case XENDISPL_OP_GET_EDID:
		r = dev->version >= 2 ? get_edid(c, &req->op.get_edid, &resp->op.get_edid)
				      : -EOPNOTSUPP;
		break;
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (blocks)
		zd_device_work_done(dev, t0);
	if (r)
		zd_log_rl(&dev->rl, ZD_LOG_WARN, c->name, "%s (op %#x, id %u): %s",
			  zd_op_name(req->operation), req->operation, req->id, strerror(-r));
	else
		zd_dbg(c->name, "%s (id %u): ok", zd_op_name(req->operation), req->id);
	resp->status = zd_status_from_errno(r);
	c->requests++;
	if (r)
		c->errors++;
	return ZD_REQ_DONE;
}
