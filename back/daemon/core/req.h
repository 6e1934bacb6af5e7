/* SPDX-License-Identifier: GPL-2.0 */
/*
 * req.h: displif request dispatch. Handlers return 0 or -errno; the one
 * translation to a displif status (-XEN_Exxx) is zd_status_from_errno(),
 * applied to every response here.
 */
#ifndef ZD_REQ_H
#define ZD_REQ_H

#include <stdint.h>
#include <zdispl/displif-use.h>

#include "conn.h"

/*
 * A request that came on c's ring; dev (a struct zd_device) is c's device.
 * A zd_req_fn (conn.h): req is a private copy; resp has id and operation set.
 *
 * Requests that may block the loop on the display or on a release (a
 * SET_CONFIG with an output: a modeset; DBUF_DESTROY: its release wait;
 * FB_DETACH: a flip wait) are served at most one per device per loop
 * round: a later one is put off (ZD_REQ_LATER) to the next round, after
 * the other guests had theirs.
 */
enum zd_req_result zd_req_handle(void *dev, struct zd_conn *c, const struct xendispl_req *req,
				 struct xendispl_resp *resp);

int32_t zd_status_from_errno(int err);

#endif /* ZD_REQ_H */
