/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scanout.h: what one connector shows, and how its framebuffers reach its
 * output: SET_CONFIG, PG_FLIP and their completion. The connector's
 * transport is not here (conn.h): completions leave through the event
 * callback the connector registers.
 *
 * At most one flip per connector is on its way to the display; one more
 * PG_FLIP may wait behind it. A newer PG_FLIP replaces the waiting one,
 * whose completion is reported at once (the frontend waits for one event
 * per flip). Without an output (headless), a flip completes at once.
 */
#ifndef ZD_SCANOUT_H
#define ZD_SCANOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "buffers.h"
#include "env.h"

/* A flip of fb_cookie is done (shown, superseded or refused): tell the frontend. */
typedef int (*zd_flip_event_fn)(void *ctx, uint64_t fb_cookie);

struct zd_scanout {
	/* Set by zd_scanout_init. */
	const char *name;	 /* the connector's log prefix */
	struct zd_ratelimit *rl; /* the device's, for display on and off */
	unsigned int idx;	 /* the connector's index: its column in the fb tables */
	struct zd_buffers *bufs;
	zd_flip_event_fn event;
	void *event_ctx;

	/* Set by zd_scanout_start. */
	uint32_t width, height; /* the connector's resolution */
	const struct zd_display_ops *dops;
	struct zd_output *out; /* NULL: headless */

	bool configured;    /* SET_CONFIG applied and not reset */
	uint64_t config_fb; /* fb cookie given to SET_CONFIG */
	uint32_t cfg_x, cfg_y, cfg_w, cfg_h;
	bool flip_busy;	  /* a flip is on its way to the display */
	uint64_t flip_fb; /* its fb cookie */
	bool queued;	  /* a PG_FLIP waits for the display */
	uint64_t queued_fb;

	/* Counters (status interface). */
	uint64_t flips, bytes_copied;
};

void zd_scanout_init(struct zd_scanout *s, const char *name, struct zd_ratelimit *rl,
		     unsigned int idx, struct zd_buffers *bufs, zd_flip_event_fn event,
		     void *event_ctx);
/*
 * Claim an output of env's display for a width x height connector: the
 * one named output (NULL: any free one), titled title where outputs have
 * titles (a window's). Without a display or a free
 * output the connector runs headless (logged); never fails.
 */
void zd_scanout_start(struct zd_scanout *s, const struct zd_env *env, const char *output,
		      const char *title, uint32_t width, uint32_t height);
/* Framebuffers off the output, the output released, state forgotten. Idempotent. */
void zd_scanout_stop(struct zd_scanout *s);
/* The output's name, or "none". */
const char *zd_scanout_output_name(const struct zd_scanout *s);

int zd_scanout_set_config(struct zd_scanout *s, const struct xendispl_set_config_req *q);
int zd_scanout_page_flip(struct zd_scanout *s, uint64_t fb_cookie);
/* The output went off under it (its framebuffer went away). */
void zd_scanout_went_off(struct zd_scanout *s);

#endif /* ZD_SCANOUT_H */
