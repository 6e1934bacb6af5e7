/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop.h: the daemon's single event loop, over poll(2).
 *
 * A source is an fd with a callback. Sources may be added and removed from
 * inside callbacks (including a callback removing its own source): removal
 * only marks the source dead, and dead sources are freed between
 * iterations. The pollfd array is rebuilt only when the set changed.
 */
#ifndef ZD_LOOP_H
#define ZD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct zd_loop;
struct zd_source;

/* Called when fd is readable (or in error/hang-up). */
typedef void (*zd_source_fn)(void *data);

int zd_loop_new(struct zd_loop **out);
void zd_loop_free(struct zd_loop *loop);

struct zd_source *zd_loop_add(struct zd_loop *loop, int fd, zd_source_fn fn, void *data);
void zd_loop_remove(struct zd_loop *loop, struct zd_source *src);

/*
 * Run fn(data) once after the current poll round, without waiting for any
 * fd (work left over when a callback used up its budget). A pair already
 * deferred is not added twice. -ENOMEM.
 */
int zd_loop_defer(struct zd_loop *loop, zd_source_fn fn, void *data);

/*
 * The same, but not before delay_ms from now: the poll rounds in between
 * wait for fds at most until then. A pair already deferred keeps the
 * earlier of its two times.
 */
int zd_loop_defer_in(struct zd_loop *loop, unsigned int delay_ms, zd_source_fn fn, void *data);

/* The loop's clock, in microseconds: CLOCK_MONOTONIC unless a test set one. */
uint64_t zd_loop_now_us(const struct zd_loop *loop);
void zd_loop_set_clock(struct zd_loop *loop, uint64_t (*now_us)(void *data), void *data);

/* One poll round: wait at most timeout_ms (-1: forever). -errno on failure. */
int zd_loop_dispatch(struct zd_loop *loop, int timeout_ms);

/*
 * The current poll round (1 in the first): its callbacks and the deferred
 * calls after them. Work allowed once per round counts by it.
 */
unsigned long zd_loop_round(const struct zd_loop *loop);

/* Make zd_loop_run() return after the current iteration. */
void zd_loop_quit(struct zd_loop *loop);
int zd_loop_run(struct zd_loop *loop);

#endif /* ZD_LOOP_H */
