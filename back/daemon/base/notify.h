/* SPDX-License-Identifier: GPL-2.0 */
/*
 * notify.h: tell the service manager how the daemon is doing, the way
 * systemd's Type=notify services do (sd_notify(3)'s protocol, without
 * libsystemd): one datagram of NAME=VALUE lines to the unix socket named
 * by $NOTIFY_SOCKET (a path, or an abstract name starting with '@').
 * Without $NOTIFY_SOCKET it does nothing.
 */
#ifndef ZD_NOTIFY_H
#define ZD_NOTIFY_H

/* Send state ("READY=1", "STOPPING=1", ...). 0, or -errno (logged). */
int zd_notify(const char *state);

#endif /* ZD_NOTIFY_H */
