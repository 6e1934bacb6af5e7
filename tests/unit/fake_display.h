/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_display.h: a display (back/daemon/core/display.h) for host unit tests.
 * Outputs are named "Fake-1".."Fake-N"; each keeps a copy of the last
 * frame it was given (as the copy path would scan it out) and holds flips
 * until the test completes them, so tests see what the guest would see.
 *
 * Zero-copy: an imported dma-buf framebuffer holds a dup() of the dma-buf
 * fd until it is dropped, as a KMS framebuffer holds its dma-buf; showing
 * one reads the frame out of the dma-buf (fx_dmabuf_read(): the grant
 * pages of a fake export) into the same frame copy, without counting any
 * octet as copied. Dumb buffers are memfds of the asked size.
 */
#ifndef FAKE_DISPLAY_H
#define FAKE_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "display.h"

#define FAKE_OUTPUTS 2

struct fake_output_state {
	bool claimed, enabled, flip_pending;
	struct zd_ratelimit *rl; /* the claimant's limiter, as claim got it */
	uint32_t mode_w, mode_h, x, y;
	uint32_t fourcc, width, height; /* last frame */
	uint8_t *frame;			/* width * cpp bytes per row, tightly packed */
	uint64_t flips_started, token;
	uint64_t set_configs; /* copy-path modesets */
	/* Set by a test: each modeset and disable takes modeset_us of *clock_us. */
	uint64_t *clock_us, modeset_us;

	/* Zero-copy. */
	int import_err;		      /* set by a test: imports fail with it (0: they work) */
	int commit_err;		      /* set by a test: dma-buf commits fail with it */
	bool zero_copy;		      /* the frame on screen is a dma-buf framebuffer */
	bool flip_zero_copy;	      /* the flip pending is one */
	const struct zd_dmafb *shown; /* that framebuffer */
	unsigned int dmafbs;	      /* dma-buf framebuffers alive on this output */
	uint64_t imports, drops, zc_set_configs, zc_flips, offs_for_drop;
	struct zd_fb_layout last_layout; /* of the last import */
};

extern const struct zd_display_ops fake_display_ops;

/* A display with n outputs (n <= FAKE_OUTPUTS). */
struct zd_display *fake_display_new(unsigned int n);
void fake_display_free(struct zd_display *d); /* safe on NULL */
struct fake_output_state *fake_display_output(struct zd_display *d, unsigned int i);
/* Complete output i's pending flip: calls the daemon's flip_done. */
bool fake_display_complete_flip(struct zd_display *d, unsigned int i);
/* Dumb buffers alive (created and not destroyed). */
unsigned int fake_display_dumbs(struct zd_display *d);

#endif /* FAKE_DISPLAY_H */
