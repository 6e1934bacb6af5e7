/* SPDX-License-Identifier: MIT */
/*
 * Page flips with completion events: queue a flip to a framebuffer, then
 * wait, with a deadline, for the kernel to report that it happened.
 */
#ifndef ZDISPL_PATTERN_FLIP_H
#define ZDISPL_PATTERN_FLIP_H

#include <signal.h>
#include <stdint.h>

/* What the kernel's flip event says: the CRTC's vblank counter and the
 * time of the vblank at which the new framebuffer went on screen. */
struct zd_flip_event {
	unsigned int seq;
	unsigned int sec, usec;
};

/* Queue a flip of crtc to fb and wait for its event for at most timeout_ms;
 * the event goes to *ev. Returns 0; -1 after a message on stderr (no event
 * in time, an ioctl error); -2 when *stop became nonzero while waiting (a
 * signal). */
int zd_flip_and_wait(int fd, uint32_t crtc, uint32_t fb, int timeout_ms,
		     volatile sig_atomic_t *stop, struct zd_flip_event *ev);

#endif
