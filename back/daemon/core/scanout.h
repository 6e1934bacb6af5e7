/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scanout.h: how a connector's framebuffers reach its output: SET_CONFIG,
 * PG_FLIP and the flip-completion event.
 *
 * At most one flip per connector is on its way to the display; one more
 * PG_FLIP may wait behind it. A newer PG_FLIP replaces the waiting one,
 * whose XENDISPL_EVT_PG_FLIP is sent at once (the frontend waits for one
 * event per flip). Without an output (headless), a flip completes at once.
 */
#ifndef ZD_SCANOUT_H
#define ZD_SCANOUT_H

#include <stdint.h>
#include <zdispl/displif-use.h>

struct zd_conn;

int zd_scanout_set_config(struct zd_conn *c, const struct xendispl_set_config_req *q);
int zd_scanout_page_flip(struct zd_conn *c, uint64_t fb_cookie);
void zd_scanout_flip_done(struct zd_conn *c, uint64_t fb_cookie);
/* Forget configuration and flips (disconnect). */
void zd_scanout_reset(struct zd_conn *c);

#endif /* ZD_SCANOUT_H */
