// SPDX-License-Identifier: GPL-2.0
/*
 * loop.c: a small poll(2) loop with deferred source destruction, and calls
 * deferred to the end of a round or to a later time.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

struct zd_source {
	int fd;
	zd_source_fn fn;
	void *data;
	bool dead;
	struct zd_source *next;
};

struct zd_deferred {
	zd_source_fn fn;
	void *data;
	uint64_t due_us; /* not run before: the loop's clock */
	struct zd_deferred *next;
};

struct zd_loop {
	unsigned long round; /* poll rounds so far */
	struct zd_source *sources;
	struct zd_deferred *deferred;
	struct pollfd *pfds;
	struct zd_source **pfd_src; /* pfds[i] belongs to pfd_src[i] */
	unsigned int npfds, cap;
	bool dirty, quit;
	uint64_t (*now_us)(void *data); /* NULL: CLOCK_MONOTONIC */
	void *clock_data;
};

int zd_loop_new(struct zd_loop **out)
{
	struct zd_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	*out = loop;
	return 0;
}

void zd_loop_free(struct zd_loop *loop)
{
	struct zd_source *s, *n;
	struct zd_deferred *d;

	if (!loop)
		return;
	while ((d = loop->deferred)) {
		loop->deferred = d->next;
		free(d);
	}
	for (s = loop->sources; s; s = n) {
		n = s->next;
		free(s);
	}
	free(loop->pfds);
	free(loop->pfd_src);
	free(loop);
}

struct zd_source *zd_loop_add(struct zd_loop *loop, int fd, zd_source_fn fn, void *data)
{
	struct zd_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->fn = fn;
	s->data = data;
	s->next = loop->sources;
	loop->sources = s;
	loop->dirty = true;
	return s;
}

void zd_loop_remove(struct zd_loop *loop, struct zd_source *src)
{
	if (!src)
		return;
	src->dead = true;
	loop->dirty = true;
}

/* Free dead sources and rebuild the pollfd array. */
static int rebuild(struct zd_loop *loop)
{
	struct zd_source **pp = &loop->sources, *s;
	unsigned int n = 0;

	while ((s = *pp)) {
		if (s->dead) {
			*pp = s->next;
			free(s);
			continue;
		}
		n++;
		pp = &s->next;
	}
	if (n > loop->cap) {
		struct pollfd *p = realloc(loop->pfds, n * sizeof(*p));
		struct zd_source **q;

		if (!p)
			return -ENOMEM;
		loop->pfds = p;
		q = realloc(loop->pfd_src, n * sizeof(*q));
		if (!q)
			return -ENOMEM;
		loop->pfd_src = q;
		loop->cap = n;
	}
	n = 0;
	for (s = loop->sources; s; s = s->next) {
		loop->pfds[n] = (struct pollfd){.fd = s->fd, .events = POLLIN};
		loop->pfd_src[n++] = s;
	}
	loop->npfds = n;
	loop->dirty = false;
	return 0;
}

uint64_t zd_loop_now_us(const struct zd_loop *loop)
{
	struct timespec t;

	if (loop->now_us)
		return loop->now_us(loop->clock_data);
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

void zd_loop_set_clock(struct zd_loop *loop, uint64_t (*now_us)(void *data), void *data)
{
	loop->now_us = now_us;
	loop->clock_data = data;
}

int zd_loop_defer_in(struct zd_loop *loop, unsigned int delay_ms, zd_source_fn fn, void *data)
{
	uint64_t due = zd_loop_now_us(loop) + (uint64_t)delay_ms * 1000u;
	struct zd_deferred *d;

	for (d = loop->deferred; d; d = d->next) {
		if (d->fn == fn && d->data == data) {
			if (due < d->due_us)
				d->due_us = due;
			return 0;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->data = data;
	d->due_us = due;
	d->next = loop->deferred;
	loop->deferred = d;
	return 0;
}

int zd_loop_defer(struct zd_loop *loop, zd_source_fn fn, void *data)
{
	return zd_loop_defer_in(loop, 0, fn, data);
}

/* How long poll may wait: timeout_ms, or less when a deferred call is due. */
static int poll_timeout(const struct zd_loop *loop, int timeout_ms)
{
	uint64_t now, first = UINT64_MAX, ms;

	if (!loop->deferred)
		return timeout_ms;
	now = zd_loop_now_us(loop);
	for (const struct zd_deferred *d = loop->deferred; d; d = d->next)
		if (d->due_us < first)
			first = d->due_us;
	if (first <= now)
		return 0;
	ms = (first - now + 999) / 1000; /* at, not before, the time */
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < ms)
		return timeout_ms;
	return ms > 60000 ? 60000 : (int)ms;
}

/*
 * Run what was deferred before this round and is due; callbacks may defer
 * again (for a later round). What is not due yet stays.
 */
static void run_deferred(struct zd_loop *loop)
{
	struct zd_deferred *due = NULL, **pp = &loop->deferred, *d, *n;
	uint64_t now;

	if (!loop->deferred)
		return; /* no clock read: a system call, in a PV domain */
	now = zd_loop_now_us(loop);
	while ((d = *pp)) {
		if (d->due_us <= now) {
			*pp = d->next;
			d->next = due;
			due = d;
		} else {
			pp = &d->next;
		}
	}
	for (d = due; d; d = n) {
		n = d->next;
		d->fn(d->data);
		free(d);
	}
}

int zd_loop_dispatch(struct zd_loop *loop, int timeout_ms)
{
	int r;

	if (loop->dirty) {
		r = rebuild(loop);
		if (r)
			return r;
	}
	r = poll(loop->pfds, loop->npfds, poll_timeout(loop, timeout_ms));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	loop->round++;
	for (unsigned int i = 0; i < loop->npfds && r > 0; i++) {
		struct zd_source *s = loop->pfd_src[i];

		if (!loop->pfds[i].revents)
			continue;
		r--;
		/* A callback may have removed this source already. */
		if (!s->dead)
			s->fn(s->data);
	}
	run_deferred(loop);
	return 0;
}

unsigned long zd_loop_round(const struct zd_loop *loop)
{
	return loop->round;
}

void zd_loop_quit(struct zd_loop *loop)
{
	loop->quit = true;
}

int zd_loop_run(struct zd_loop *loop)
{
	int r = 0;

	while (!loop->quit && !r)
		r = zd_loop_dispatch(loop, -1);
	return r;
}
