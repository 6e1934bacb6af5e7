/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render.h: zdisplctl's views of a snapshot, for people (text) or for
 * scripts (JSON: each record's fields as they are, numbers as numbers,
 * connectors and buffers inside their device).
 */
#ifndef ZCTL_RENDER_H
#define ZCTL_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"

/* Devices, their connectors (states, modes, outputs), the daemon's process. */
void zctl_show_status(const struct zctl_snapshot *s, bool json, FILE *f);
/* Every buffer: size, format, path (zero-copy, partial, copy) and why. */
void zctl_show_buffers(const struct zctl_snapshot *s, bool json, FILE *f);
/*
 * Per connector: flips, bytes copied, requests, errors and events dropped,
 * and the rates since prev (NULL: totals only).
 */
void zctl_show_stats(const struct zctl_snapshot *s, const struct zctl_snapshot *prev, bool json,
		     FILE *f);

#endif /* ZCTL_RENDER_H */
