/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status.h: the daemon's status socket. A client (zdispl-status) connects
 * to a UNIX stream socket (default ZD_STATUS_SOCKET, mode 0600) and reads
 * one snapshot, then EOF. The snapshot is text, one record per line, each
 * a keyword followed by key=value fields (values have no spaces, except
 * the final why="..." which runs to the end of the line):
 *
 *   zdispl-back version=1 devices=N zcopy=helper|gntdev|none
 *   process fds=15 rss-kib=2024          (the daemon's own, from /proc/self)
 *   device name=dom1/vdispl/0 state=Connected frontend=Connected version=2
 *          be-alloc=0 buffers=2 fbs=2 pages=600 granted-pages=0
 *          deferred-pages=0                        (one line)
 *   conn name=dom1/vdispl/0/0 resolution=640x480 output=Virtual-1
 *        configured=1 flips=120 bytes-copied=147456000 events-dropped=0
 *        requests=130 errors=2         (answered; of them, with an error)
 *   buffer device=dom1/vdispl/0 cookie=0x1 size=640x480x32 bytes=1228800
 *          pages=300 path=zero-copy|partial|copy why="zero-copy via helper"
 *
 * Nothing in it comes from a guest unchecked: names are ours, numbers are
 * printed as numbers.
 */
#ifndef ZD_STATUS_H
#define ZD_STATUS_H

#include <stdio.h>

#define ZD_STATUS_SOCKET "/run/zdispl-back.sock"

struct zd_backend;
struct zd_status;

/*
 * -EADDRINUSE if a daemon answers on path already (another zdispl-back
 * runs); 0 if nothing does (no socket, or a stale one that open replaces).
 */
int zd_status_probe(const char *path);
/* Listen on path (mode 0600); -EADDRINUSE as zd_status_probe(). */
int zd_status_open(struct zd_backend *be, const char *path, struct zd_status **out);
void zd_status_close(struct zd_status *st);

/*
 * Write the snapshot to f (also used by tests). zd_status_write_devices():
 * the same without the process line, whose /proc reads no guest can
 * change (for the fuzzer, which writes it after every op).
 */
void zd_status_write(struct zd_backend *be, FILE *f);
void zd_status_write_devices(struct zd_backend *be, FILE *f);

#endif /* ZD_STATUS_H */
