/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_compositor.h: a small Wayland compositor on libwayland-server, in a
 * thread of the test, for the unit tests of back/daemon/wl. It offers
 * wl_compositor, wl_shm, xdg_wm_base and (unless asked not to)
 * zwp_linux_dmabuf_v1 version 3 with XR24 (implicit modifier) and AR24
 * (implicit and linear). It configures each new toplevel, answers every
 * frame callback at the next commit (none while fc_withhold_frames(), as
 * for a hidden window), releases buffers as fc_set_hold()
 * says (at once, by default), takes every dma-buf buffer except one
 * of width 13 (and, after fc_refuse_unlisted(), XR24 with the linear
 * modifier it did not list), and counts what it saw. The real compositor
 * is the lab's (Weston).
 *
 * fc_start() sets WAYLAND_SOCKET, so the next wl_display_connect(NULL)
 * reaches it. The counters are read through fc_count(), which asks the
 * compositor's thread; fc_close_window() sends xdg_toplevel.close to the
 * newest toplevel, fc_post_error() a protocol error on it (which ends
 * the client's connection); fc_release_held() releases what FC_RELEASE_WHEN_ASKED
 * kept; fc_stop() disconnects the client and ends the thread.
 */
#ifndef ZD_FAKE_COMPOSITOR_H
#define ZD_FAKE_COMPOSITOR_H

#include <stdbool.h>

enum fc_counter {
	FC_TOPLEVELS,	   /* toplevels made so far */
	FC_TOPLEVELS_LIVE, /* not yet destroyed */
	FC_FULLSCREEN,	   /* set_fullscreen requests */
	FC_COMMITS_WITH_BUFFER,
	FC_DMABUF_CREATED,
	FC_DMABUF_FAILED,
	FC_DMABUF_LINEAR, /* created with DRM_FORMAT_MOD_LINEAR */
	FC_SHM_BUFFERS,
	FC_FRAMES_DONE, /* frame callbacks answered */
	FC_RELEASES,	/* wl_buffer.release events sent */
	FC_COUNTERS
};

/* When the compositor gives a committed buffer back. */
enum fc_hold {
	FC_RELEASE_AT_COMMIT,  /* at once: it copies the contents */
	FC_RELEASE_ON_REPLACE, /* when the next buffer replaces it: it scans buffers out */
	FC_RELEASE_WHEN_ASKED, /* replaced ones only on fc_release_held() */
};

int fc_start(bool dmabuf);
unsigned int fc_count(enum fc_counter c);
void fc_refuse_unlisted(bool refuse);
void fc_set_hold(enum fc_hold h);
void fc_release_held(void);
void fc_withhold_frames(bool withhold);
void fc_post_error(void);
void fc_close_window(void);
void fc_stop(void);

#endif /* ZD_FAKE_COMPOSITOR_H */
