/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_display.h: a display (back/daemon/display.h) for host unit tests.
 * Outputs are named "Fake-1".."Fake-N"; each keeps a copy of the last
 * frame it was given (as the copy path would scan it out) and holds flips
 * until the test completes them, so tests see what the guest would see.
 */
#ifndef FAKE_DISPLAY_H
#define FAKE_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "display.h"

#define FAKE_OUTPUTS 2

struct fake_output_state {
	bool claimed, enabled, flip_pending;
	uint32_t mode_w, mode_h, x, y;
	uint32_t fourcc, width, height; /* last frame */
	uint8_t *frame;			/* width * cpp bytes per row, tightly packed */
	uint64_t flips_started, token;
};

/* A display with n outputs (n <= FAKE_OUTPUTS); fail_flip makes flips -EIO. */
struct zd_display *fake_display_new(unsigned int n);
struct fake_output_state *fake_display_output(struct zd_display *d, unsigned int i);
/* Complete output i's pending flip: calls the daemon's flip_done. */
bool fake_display_complete_flip(struct zd_display *d, unsigned int i);

#endif /* FAKE_DISPLAY_H */
