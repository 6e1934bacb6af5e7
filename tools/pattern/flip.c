// SPDX-License-Identifier: MIT
/* Page flip and wait for its event (see flip.h). */
#include "flip.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

struct pending_flip {
	int done;
	struct zd_flip_event ev;
};

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec, void *data)
{
	struct pending_flip *p = data;

	(void)fd;
	p->ev = (struct zd_flip_event){.seq = seq, .sec = sec, .usec = usec};
	p->done = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int zd_flip_and_wait(int fd, uint32_t crtc, uint32_t fb, int timeout_ms,
		     volatile sig_atomic_t *stop, struct zd_flip_event *ev)
{
	drmEventContext ctx = {.version = 2, .page_flip_handler = on_flip};
	struct pending_flip pending = {0};
	int64_t deadline;

	if (drmModePageFlip(fd, crtc, fb, DRM_MODE_PAGE_FLIP_EVENT, &pending)) {
		fprintf(stderr, "error: drmModePageFlip crtc %u fb %u: %s\n", crtc, fb,
			strerror(errno));
		return -1;
	}
	deadline = now_ms() + timeout_ms;
	while (!pending.done) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		int n;

		if (*stop)
			return -2;
		if (left <= 0) {
			/* A missing event means the display path lost the flip
			 * (no vblank, a stuck backend): say so instead of hanging. */
			fprintf(stderr, "error: no page flip event within %d ms (crtc %u fb %u)\n",
				timeout_ms, crtc, fb);
			return -1;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "error: poll on the DRM fd: %s\n", strerror(errno));
			return -1;
		}
		if (n > 0 && drmHandleEvent(fd, &ctx)) {
			fprintf(stderr, "error: reading DRM events: %s\n", strerror(errno));
			return -1;
		}
	}
	*ev = pending.ev;
	return 0;
}
