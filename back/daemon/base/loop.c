// SPDX-License-Identifier: GPL-2.0
/* loop.c: a small poll(2) loop with deferred source destruction. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

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

int zd_loop_defer(struct zd_loop *loop, zd_source_fn fn, void *data)
{
	struct zd_deferred *d;

	for (d = loop->deferred; d; d = d->next)
		if (d->fn == fn && d->data == data)
			return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->data = data;
	d->next = loop->deferred;
	loop->deferred = d;
	return 0;
}

/* Run what was deferred before this round; callbacks may defer again. */
static void run_deferred(struct zd_loop *loop)
{
	struct zd_deferred *d = loop->deferred, *n;

	loop->deferred = NULL;
	for (; d; d = n) {
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
	r = poll(loop->pfds, loop->npfds, loop->deferred ? 0 : timeout_ms);
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
