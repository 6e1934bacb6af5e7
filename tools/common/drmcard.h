/* SPDX-License-Identifier: MIT */
/*
 * DRM device and connector lookup shared by zdispl-pattern and
 * zdispl-capture: open /dev/dri/cardN, name connectors the way the kernel
 * and modetest do ("Virtual-1" = type name, '-', per-type index), and find a
 * connector by index or by name.
 */
#ifndef ZDISPL_DRMCARD_H
#define ZDISPL_DRMCARD_H

#include <stddef.h>
#include <xf86drmMode.h>

#define ZD_CARD_PATH_MAX 64

/* Format "TYPE-N" into buf. */
void zd_connector_name(const drmModeConnector *conn, char *buf, size_t len);

/*
 * The connector of res that spec selects: NULL selects the first connected
 * one; a decimal number is an index into res->connectors; anything else is
 * matched against the connector names. With probe != 0 the connectors are
 * probed (drmModeGetConnector, as a client about to set a mode needs); with
 * 0 only the kernel's current state is read (drmModeGetConnectorCurrent),
 * which never disturbs the display. Returns NULL with errno ENOENT when
 * nothing matches. Free with drmModeFreeConnector.
 */
drmModeConnector *zd_find_connector(int fd, const drmModeRes *res, const char *spec, int probe);

/*
 * Open a card for modesetting. With path, open that one; otherwise try
 * /dev/dri/card0, card1, ... in order and keep the first for which
 * accept(fd, ctx) returns nonzero. The chosen path goes to path_out.
 * Returns the fd (O_RDWR|O_CLOEXEC), or -1 with a message on stderr.
 */
int zd_open_card(const char *path, int (*accept)(int fd, void *ctx), void *ctx, char *path_out,
		 size_t path_len);

#endif
