/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wl.h: the display on a Wayland compositor (zdispl-back --output=wayland).
 * Every claimed output is a toplevel window (xdg-shell) of the compositor
 * in $WAYLAND_DISPLAY. Display buffers go to it as zwp_linux_dmabuf_v1
 * buffers made from their dma-bufs (the compositor does the PRIME import),
 * copied frames as wl_shm buffers; a flip completes on the compositor's
 * frame callback. The core sees it only as zwl_display_ops.
 */
#ifndef ZD_WL_H
#define ZD_WL_H

#include "../base/loop.h"
#include "../core/display.h"

/*
 * Connect to the compositor ($WAYLAND_DISPLAY, as libwayland finds it) and
 * bind its globals. Errors: -ECONNREFUSED no compositor answers; -ENOTSUP
 * it lacks wl_compositor, wl_shm or xdg_wm_base. With fullscreen, every
 * window asks the compositor to be fullscreen on its output (a kiosk or a
 * car's screen: one guest display each).
 */
int zwl_display_open(struct zd_loop *loop, bool fullscreen, struct zd_display **out);
void zwl_display_close(struct zd_display *d);

extern const struct zd_display_ops zwl_display_ops;

#endif /* ZD_WL_H */
