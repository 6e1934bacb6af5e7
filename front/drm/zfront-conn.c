// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-conn.c: a displif connector as a DRM connector. Its modes come
 * from the backend's EDID (GET_EDID, protocol version 2), which zfront-req.c
 * has validated, parsed by the kernel's EDID parser: every mode of the EDID,
 * the preferred first. Without an EDID, the "resolution" node gives one
 * mode. Modes larger than the resolution are dropped (zfront-kms.c).
 */
#include <drm/drm_atomic_state_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>
#include <linux/slab.h>

#include "zfront-drm.h"

static struct zfront_pipe *conn_to_pipe(struct drm_connector *conn)
{
	return container_of(conn, struct zfront_pipe, conn);
}

static int resolution_mode(struct zfront_pipe *p)
{
	struct drm_display_mode *mode;

	mode = drm_cvt_mode(p->conn.dev, p->width, p->height, 60, false, false, false);
	if (!mode)
		return 0;
	mode->type |= DRM_MODE_TYPE_PREFERRED;
	drm_mode_probed_add(&p->conn, mode);
	return 1;
}

static int zfront_conn_get_modes(struct drm_connector *conn)
{
	struct zfront_pipe *p = conn_to_pipe(conn);
	struct edid *edid = (struct edid *)p->edid;
	int n = 0;

	if (edid) {
		drm_connector_update_edid_property(conn, edid);
		n = drm_add_edid_modes(conn, edid);
	}
	if (!n) {
		drm_connector_update_edid_property(conn, NULL);
		n = resolution_mode(p);
	}
	return n;
}

static const struct drm_connector_helper_funcs zfront_conn_helpers = {
	.get_modes = zfront_conn_get_modes,
};

static enum drm_connector_status zfront_conn_detect(struct drm_connector *conn, bool force)
{
	return drm_dev_is_unplugged(conn->dev) ? connector_status_disconnected :
						 connector_status_connected;
}

static const struct drm_connector_funcs zfront_conn_funcs = {
	.detect = zfront_conn_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* Ask the backend for the connector's EDID; keep it if it is valid. */
void zfront_conn_probe_edid(struct zfront_pipe *p)
{
	struct zfront_info *info = p->zd->info;
	u32 size;
	u8 *edid;
	int ret;

	ret = zfront_get_edid(info, p->idx, &edid, &size);
	if (ret) {
		zf_info(info, "connector %u: no EDID (%d), mode %ux%u from the resolution node\n",
			p->idx, ret, p->width, p->height);
		return;
	}
	if (!drm_edid_is_valid((struct edid *)edid)) {
		zf_warn(info, "connector %u: the kernel rejects the backend's EDID\n", p->idx);
		kfree(edid);
		return;
	}
	zf_info(info, "connector %u: EDID of %u octets\n", p->idx, size);
	p->edid = edid;
	p->edid_sz = size;
}

int zfront_conn_init(struct zfront_pipe *p)
{
	int ret;

	ret = drm_connector_init(p->zd->drm, &p->conn, &zfront_conn_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&p->conn, &zfront_conn_helpers);
	/* DRM gives a virtual connector no EDID property; ours has an EDID. */
	drm_connector_attach_edid_property(&p->conn);
	return 0;
}
