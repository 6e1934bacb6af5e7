// SPDX-License-Identifier: GPL-2.0
/* fake_compositor.c: see fake_compositor.h. */
#include "fake_compositor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-server.h>

#include "linux-dmabuf-unstable-v1-server-protocol.h"
#include "xdg-shell-server-protocol.h"

#define XR24 0x34325258
#define AR24 0x34325241
#define MOD_INVALID 0x00ffffffffffffffull
#define MOD_LINEAR 0ull
#define MAX_FRAMES 8
#define MAX_HELD 8

static struct {
	struct wl_display *display;
	struct wl_client *client;
	pthread_t thread;
	int cmd[2];
	struct wl_event_source *cmd_src;
	bool dmabuf, running;
	bool refuse_unlisted; /* fail XR24 with an explicit linear modifier */
	enum fc_hold hold;
	bool withhold_frames;	 /* answer no frame callback (a hidden window) */
	struct surface *held_by; /* the surface whose buffers wait for fc_release_held() */
	uint64_t mod;		 /* the modifier of the params' last add */
	pthread_mutex_t mu;
	unsigned int n[FC_COUNTERS];
	struct wl_resource *last_toplevel;
	uint32_t serial;
} fc = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* A buffer the compositor still reads; forgotten if the client destroys it. */
struct held {
	struct wl_resource *buf;
	struct wl_listener gone;
};

struct surface {
	struct wl_resource *frames[MAX_FRAMES];
	unsigned int nframes;
	struct wl_resource *pending; /* the buffer attached since the last commit */
	bool attached, configured;
	struct wl_resource *xdg, *toplevel;
	struct held current;	       /* what it shows (FC_RELEASE_ON_REPLACE and after) */
	struct held retired[MAX_HELD]; /* replaced, kept until fc_release_held() */
};

static void count(enum fc_counter c, int by)
{
	pthread_mutex_lock(&fc.mu);
	fc.n[c] += (unsigned int)by;
	pthread_mutex_unlock(&fc.mu);
}

static void destroy_resource(struct wl_client *c, struct wl_resource *r)
{
	(void)c;
	wl_resource_destroy(r);
}

/* ---- buffers ---------------------------------------------------------------- */

static const struct wl_buffer_interface buffer_impl = {.destroy = destroy_resource};

static struct wl_resource *new_buffer(struct wl_client *c, uint32_t id)
{
	struct wl_resource *b = wl_resource_create(c, &wl_buffer_interface, 1, id);

	if (b)
		wl_resource_set_implementation(b, &buffer_impl, NULL, NULL);
	return b;
}

static void pool_create_buffer(struct wl_client *c, struct wl_resource *pool, uint32_t id,
			       int32_t offset, int32_t w, int32_t h, int32_t stride,
			       uint32_t format)
{
	(void)pool, (void)offset, (void)w, (void)h, (void)stride, (void)format;
	if (new_buffer(c, id))
		count(FC_SHM_BUFFERS, 1);
}

static void pool_resize(struct wl_client *c, struct wl_resource *r, int32_t size)
{
	(void)c, (void)r, (void)size;
}

static const struct wl_shm_pool_interface pool_impl = {
	.create_buffer = pool_create_buffer,
	.destroy = destroy_resource,
	.resize = pool_resize,
};

static void shm_create_pool(struct wl_client *c, struct wl_resource *shm, uint32_t id, int32_t fd,
			    int32_t size)
{
	struct wl_resource *p = wl_resource_create(c, &wl_shm_pool_interface, 1, id);

	(void)shm, (void)size;
	close(fd);
	if (p)
		wl_resource_set_implementation(p, &pool_impl, NULL, NULL);
}

static const struct wl_shm_interface shm_impl = {.create_pool = shm_create_pool};

static void bind_shm(struct wl_client *c, void *data, uint32_t version, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &wl_shm_interface, (int)version, id);

	(void)data;
	wl_resource_set_implementation(r, &shm_impl, NULL, NULL);
	wl_shm_send_format(r, WL_SHM_FORMAT_ARGB8888);
	wl_shm_send_format(r, WL_SHM_FORMAT_XRGB8888);
}

/* ---- linux-dmabuf ------------------------------------------------------------ */

static void params_add(struct wl_client *c, struct wl_resource *r, int32_t fd, uint32_t plane,
		       uint32_t offset, uint32_t stride, uint32_t hi, uint32_t lo)
{
	(void)c, (void)r, (void)plane, (void)offset, (void)stride;
	fc.mod = (uint64_t)hi << 32 | lo;
	close(fd);
}

static void params_create(struct wl_client *c, struct wl_resource *r, int32_t w, int32_t h,
			  uint32_t format, uint32_t flags)
{
	struct wl_resource *b;

	bool refuse;

	(void)h, (void)flags;
	pthread_mutex_lock(&fc.mu);
	refuse = fc.refuse_unlisted && format == XR24 && fc.mod == MOD_LINEAR;
	pthread_mutex_unlock(&fc.mu);
	if (w == 13 || refuse || !(b = new_buffer(c, 0))) {
		count(FC_DMABUF_FAILED, 1);
		zwp_linux_buffer_params_v1_send_failed(r);
		return;
	}
	count(FC_DMABUF_CREATED, 1);
	if (fc.mod == MOD_LINEAR)
		count(FC_DMABUF_LINEAR, 1);
	zwp_linux_buffer_params_v1_send_created(r, b);
}

static void params_create_immed(struct wl_client *c, struct wl_resource *r, uint32_t id, int32_t w,
				int32_t h, uint32_t format, uint32_t flags)
{
	(void)r, (void)w, (void)h, (void)format, (void)flags;
	new_buffer(c, id);
}

static const struct zwp_linux_buffer_params_v1_interface params_impl = {
	.destroy = destroy_resource,
	.add = params_add,
	.create = params_create,
	.create_immed = params_create_immed,
};

static void dmabuf_create_params(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	struct wl_resource *p = wl_resource_create(c, &zwp_linux_buffer_params_v1_interface, 3, id);

	(void)r;
	if (p)
		wl_resource_set_implementation(p, &params_impl, NULL, NULL);
}

static const struct zwp_linux_dmabuf_v1_interface dmabuf_impl = {
	.destroy = destroy_resource,
	.create_params = dmabuf_create_params,
};

static void bind_dmabuf(struct wl_client *c, void *data, uint32_t version, uint32_t id)
{
	struct wl_resource *r =
		wl_resource_create(c, &zwp_linux_dmabuf_v1_interface, (int)version, id);
	static const struct {
		uint32_t fourcc;
		uint64_t mod;
	} formats[] = {{XR24, MOD_INVALID}, {AR24, MOD_INVALID}, {AR24, MOD_LINEAR}};

	(void)data;
	wl_resource_set_implementation(r, &dmabuf_impl, NULL, NULL);
	for (unsigned int i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		zwp_linux_dmabuf_v1_send_modifier(r, formats[i].fourcc,
						  (uint32_t)(formats[i].mod >> 32),
						  (uint32_t)formats[i].mod);
}

/* ---- xdg-shell ----------------------------------------------------------------- */

static void top_noop(struct wl_client *c, struct wl_resource *r)
{
	(void)c, (void)r;
}

static void top_str(struct wl_client *c, struct wl_resource *r, const char *s)
{
	(void)c, (void)r, (void)s;
}

static void top_size(struct wl_client *c, struct wl_resource *r, int32_t w, int32_t h)
{
	(void)c, (void)r, (void)w, (void)h;
}

static void top_parent(struct wl_client *c, struct wl_resource *r, struct wl_resource *p)
{
	(void)c, (void)r, (void)p;
}

static void top_menu(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
		     uint32_t serial, int32_t x, int32_t y)
{
	(void)c, (void)r, (void)seat, (void)serial, (void)x, (void)y;
}

static void top_move(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
		     uint32_t serial)
{
	(void)c, (void)r, (void)seat, (void)serial;
}

static void top_resize(struct wl_client *c, struct wl_resource *r, struct wl_resource *seat,
		       uint32_t serial, uint32_t edges)
{
	(void)c, (void)r, (void)seat, (void)serial, (void)edges;
}

static void top_fullscreen(struct wl_client *c, struct wl_resource *r, struct wl_resource *out)
{
	(void)c, (void)r, (void)out;
	count(FC_FULLSCREEN, 1);
}

static const struct xdg_toplevel_interface top_impl = {
	.destroy = destroy_resource,
	.set_parent = top_parent,
	.set_title = top_str,
	.set_app_id = top_str,
	.show_window_menu = top_menu,
	.move = top_move,
	.resize = top_resize,
	.set_max_size = top_size,
	.set_min_size = top_size,
	.set_maximized = top_noop,
	.unset_maximized = top_noop,
	.set_fullscreen = top_fullscreen,
	.unset_fullscreen = top_noop,
	.set_minimized = top_noop,
};

static void top_destroyed(struct wl_resource *r)
{
	struct surface *s = wl_resource_get_user_data(r);

	if (fc.last_toplevel == r)
		fc.last_toplevel = NULL;
	if (s)
		s->toplevel = NULL;
	count(FC_TOPLEVELS_LIVE, -1);
}

static void xs_get_toplevel(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	struct surface *s = wl_resource_get_user_data(r);
	struct wl_resource *t = s ? wl_resource_create(c, &xdg_toplevel_interface, 1, id) : NULL;

	if (!t)
		return;
	wl_resource_set_implementation(t, &top_impl, s, top_destroyed);
	s->toplevel = t;
	fc.last_toplevel = t;
	count(FC_TOPLEVELS, 1);
	count(FC_TOPLEVELS_LIVE, 1);
}

static void xs_get_popup(struct wl_client *c, struct wl_resource *r, uint32_t id,
			 struct wl_resource *parent, struct wl_resource *pos)
{
	(void)c, (void)id, (void)parent, (void)pos;
	wl_resource_post_error(r, XDG_WM_BASE_ERROR_ROLE, "no popups here");
}

static void xs_geometry(struct wl_client *c, struct wl_resource *r, int32_t x, int32_t y, int32_t w,
			int32_t h)
{
	(void)c, (void)r, (void)x, (void)y, (void)w, (void)h;
}

static void xs_ack(struct wl_client *c, struct wl_resource *r, uint32_t serial)
{
	(void)c, (void)r, (void)serial;
}

static const struct xdg_surface_interface xs_impl = {
	.destroy = destroy_resource,
	.get_toplevel = xs_get_toplevel,
	.get_popup = xs_get_popup,
	.set_window_geometry = xs_geometry,
	.ack_configure = xs_ack,
};

static void xs_destroyed(struct wl_resource *r)
{
	struct surface *s = wl_resource_get_user_data(r);

	if (s) {
		s->xdg = NULL;
		s->configured = false;
	}
}

static void wm_get_xdg_surface(struct wl_client *c, struct wl_resource *r, uint32_t id,
			       struct wl_resource *surface)
{
	struct surface *s = wl_resource_get_user_data(surface);
	struct wl_resource *x = wl_resource_create(c, &xdg_surface_interface, 1, id);

	(void)r;
	if (!x)
		return;
	wl_resource_set_implementation(x, &xs_impl, s, xs_destroyed);
	s->xdg = x;
}

static void wm_create_positioner(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	(void)c, (void)id;
	wl_resource_post_error(r, XDG_WM_BASE_ERROR_ROLE, "no positioners here");
}

static void wm_pong(struct wl_client *c, struct wl_resource *r, uint32_t serial)
{
	(void)c, (void)r, (void)serial;
}

static const struct xdg_wm_base_interface wm_impl = {
	.destroy = destroy_resource,
	.create_positioner = wm_create_positioner,
	.get_xdg_surface = wm_get_xdg_surface,
	.pong = wm_pong,
};

static void bind_wm(struct wl_client *c, void *data, uint32_t version, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &xdg_wm_base_interface, (int)version, id);

	(void)data;
	wl_resource_set_implementation(r, &wm_impl, NULL, NULL);
}

/* ---- surfaces ------------------------------------------------------------------ */

static void held_gone(struct wl_listener *l, void *data)
{
	struct held *h = wl_container_of(l, h, gone);

	(void)data;
	wl_list_remove(&h->gone.link);
	h->buf = NULL;
}

static void hold(struct held *h, struct wl_resource *buf)
{
	h->buf = buf;
	h->gone.notify = held_gone;
	wl_resource_add_destroy_listener(buf, &h->gone);
}

/* Let go of h's buffer; with send, tell the client it may reuse it. */
static void unhold(struct held *h, bool send)
{
	if (!h->buf)
		return;
	if (send) {
		wl_buffer_send_release(h->buf);
		count(FC_RELEASES, 1);
	}
	wl_list_remove(&h->gone.link);
	h->buf = NULL;
}

static void release_held(struct surface *s)
{
	for (unsigned int i = 0; i < MAX_HELD; i++)
		unhold(&s->retired[i], true);
}

/* s shows buf from now on: what it showed before is released, or kept. */
static void show(struct surface *s, struct wl_resource *buf, enum fc_hold h)
{
	unsigned int i;

	if (buf == s->current.buf)
		return;
	if (h == FC_RELEASE_WHEN_ASKED && s->current.buf) {
		for (i = 0; i < MAX_HELD && s->retired[i].buf; i++)
			;
		if (i < MAX_HELD) {
			hold(&s->retired[i], s->current.buf);
			unhold(&s->current, false);
		}
		fc.held_by = s;
	}
	unhold(&s->current, true);
	hold(&s->current, buf);
}

static void surf_attach(struct wl_client *c, struct wl_resource *r, struct wl_resource *buffer,
			int32_t x, int32_t y)
{
	struct surface *s = wl_resource_get_user_data(r);

	(void)c, (void)x, (void)y;
	s->attached = buffer != NULL;
	s->pending = buffer;
}

static void surf_rect(struct wl_client *c, struct wl_resource *r, int32_t x, int32_t y, int32_t w,
		      int32_t h)
{
	(void)c, (void)r, (void)x, (void)y, (void)w, (void)h;
}

static void surf_frame(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	struct surface *s = wl_resource_get_user_data(r);
	struct wl_resource *cb = wl_resource_create(c, &wl_callback_interface, 1, id);

	if (!cb)
		return;
	wl_resource_set_implementation(cb, NULL, NULL, NULL);
	if (s->nframes < MAX_FRAMES)
		s->frames[s->nframes++] = cb;
}

static void surf_region(struct wl_client *c, struct wl_resource *r, struct wl_resource *region)
{
	(void)c, (void)r, (void)region;
}

static void surf_int(struct wl_client *c, struct wl_resource *r, int32_t v)
{
	(void)c, (void)r, (void)v;
}

/* A toplevel's first commit gets its configure; every commit its frames. */
static void surf_commit(struct wl_client *c, struct wl_resource *r)
{
	struct surface *s = wl_resource_get_user_data(r);
	struct wl_array states;
	enum fc_hold h;
	bool withhold;

	(void)c;
	if (s->toplevel && !s->configured) {
		s->configured = true;
		wl_array_init(&states);
		xdg_toplevel_send_configure(s->toplevel, 0, 0, &states);
		wl_array_release(&states);
		xdg_surface_send_configure(s->xdg, ++fc.serial);
	}
	if (s->attached)
		count(FC_COMMITS_WITH_BUFFER, 1);
	pthread_mutex_lock(&fc.mu);
	h = fc.hold;
	withhold = fc.withhold_frames;
	pthread_mutex_unlock(&fc.mu);
	for (unsigned int i = 0; i < s->nframes && !withhold; i++) {
		wl_callback_send_done(s->frames[i], 0);
		wl_resource_destroy(s->frames[i]);
		count(FC_FRAMES_DONE, 1);
	}
	if (!withhold)
		s->nframes = 0;
	/*
	 * A copying compositor takes the contents at once; one that scans
	 * buffers out keeps each until the next replaces it (released after
	 * the frame callback, the order that asks most of the client).
	 */
	if (s->pending && h == FC_RELEASE_AT_COMMIT) {
		wl_buffer_send_release(s->pending);
		count(FC_RELEASES, 1);
	} else if (s->pending) {
		show(s, s->pending, h);
	}
	s->pending = NULL;
}

static const struct wl_surface_interface surf_impl = {
	.destroy = destroy_resource,
	.attach = surf_attach,
	.damage = surf_rect,
	.frame = surf_frame,
	.set_opaque_region = surf_region,
	.set_input_region = surf_region,
	.commit = surf_commit,
	.set_buffer_transform = surf_int,
	.set_buffer_scale = surf_int,
	.damage_buffer = surf_rect,
};

static void surf_destroyed(struct wl_resource *r)
{
	struct surface *s = wl_resource_get_user_data(r);

	/* Its roles may outlive it (a client that disconnects). */
	if (s->xdg)
		wl_resource_set_user_data(s->xdg, NULL);
	if (s->toplevel)
		wl_resource_set_user_data(s->toplevel, NULL);
	unhold(&s->current, false);
	for (unsigned int i = 0; i < MAX_HELD; i++)
		unhold(&s->retired[i], false);
	if (fc.held_by == s)
		fc.held_by = NULL;
	free(s);
}

static void comp_create_surface(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	struct surface *s = calloc(1, sizeof(*s));
	struct wl_resource *sr = s ? wl_resource_create(c, &wl_surface_interface, 4, id) : NULL;

	(void)r;
	if (!sr) {
		free(s);
		wl_client_post_no_memory(c);
		return;
	}
	wl_resource_set_implementation(sr, &surf_impl, s, surf_destroyed);
}

static void comp_create_region(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
	(void)c, (void)id;
	wl_resource_post_error(r, 0, "no regions here");
}

static const struct wl_compositor_interface comp_impl = {
	.create_surface = comp_create_surface,
	.create_region = comp_create_region,
};

static void bind_compositor(struct wl_client *c, void *data, uint32_t version, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &wl_compositor_interface, (int)version, id);

	(void)data;
	wl_resource_set_implementation(r, &comp_impl, NULL, NULL);
}

/* ---- the thread ----------------------------------------------------------------- */

static int on_command(int fd, uint32_t mask, void *data)
{
	char c;

	(void)mask, (void)data;
	if (read(fd, &c, 1) != 1)
		return 0;
	if (c == 'c' && fc.last_toplevel) {
		xdg_toplevel_send_close(fc.last_toplevel);
		wl_display_flush_clients(fc.display);
	} else if (c == 'e' && fc.last_toplevel) {
		wl_resource_post_error(fc.last_toplevel, 0, "the test says so");
		wl_display_flush_clients(fc.display);
	} else if (c == 'r' && fc.held_by) {
		release_held(fc.held_by);
		wl_display_flush_clients(fc.display);
	} else if (c == 'q') {
		if (fc.client)
			wl_client_destroy(fc.client); /* client_gone() clears it */
		wl_display_terminate(fc.display);
	}
	return 0;
}

/* The client may hang up first: then it is gone. */
static void client_gone(struct wl_listener *l, void *data)
{
	(void)l, (void)data;
	fc.client = NULL;
}

static struct wl_listener client_listener = {.notify = client_gone};

static void *run(void *arg)
{
	(void)arg;
	wl_display_run(fc.display);
	return NULL;
}

int fc_start(bool dmabuf)
{
	int sv[2];
	char s[16];

	fc.dmabuf = dmabuf;
	fc.hold = FC_RELEASE_AT_COMMIT;
	fc.withhold_frames = false;
	fc.held_by = NULL;
	fc.display = wl_display_create();
	if (!fc.display || pipe(fc.cmd) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	wl_global_create(fc.display, &wl_compositor_interface, 4, NULL, bind_compositor);
	wl_global_create(fc.display, &wl_shm_interface, 1, NULL, bind_shm);
	wl_global_create(fc.display, &xdg_wm_base_interface, 1, NULL, bind_wm);
	if (dmabuf)
		wl_global_create(fc.display, &zwp_linux_dmabuf_v1_interface, 3, NULL, bind_dmabuf);
	fc.cmd_src = wl_event_loop_add_fd(wl_display_get_event_loop(fc.display), fc.cmd[0],
					  WL_EVENT_READABLE, on_command, NULL);
	fc.client = wl_client_create(fc.display, sv[0]);
	if (!fc.client)
		return -1;
	wl_client_add_destroy_listener(fc.client, &client_listener);
	snprintf(s, sizeof(s), "%d", sv[1]);
	setenv("WAYLAND_SOCKET", s, 1);
	if (pthread_create(&fc.thread, NULL, run, NULL))
		return -1;
	fc.running = true;
	return 0;
}

unsigned int fc_count(enum fc_counter c)
{
	unsigned int v;

	pthread_mutex_lock(&fc.mu);
	v = fc.n[c];
	pthread_mutex_unlock(&fc.mu);
	return v;
}

void fc_refuse_unlisted(bool refuse)
{
	pthread_mutex_lock(&fc.mu);
	fc.refuse_unlisted = refuse;
	pthread_mutex_unlock(&fc.mu);
}

void fc_set_hold(enum fc_hold h)
{
	pthread_mutex_lock(&fc.mu);
	fc.hold = h;
	pthread_mutex_unlock(&fc.mu);
}

void fc_withhold_frames(bool withhold)
{
	pthread_mutex_lock(&fc.mu);
	fc.withhold_frames = withhold;
	pthread_mutex_unlock(&fc.mu);
}

void fc_post_error(void)
{
	if (write(fc.cmd[1], "e", 1) != 1)
		perror("fake compositor");
}

void fc_release_held(void)
{
	if (write(fc.cmd[1], "r", 1) != 1)
		perror("fake compositor");
}

void fc_close_window(void)
{
	if (write(fc.cmd[1], "c", 1) != 1)
		perror("fake compositor");
}

void fc_stop(void)
{
	if (!fc.running)
		return;
	if (write(fc.cmd[1], "q", 1) != 1)
		perror("fake compositor");
	pthread_join(fc.thread, NULL);
	fc.running = false;
	wl_event_source_remove(fc.cmd_src);
	wl_display_destroy(fc.display);
	fc.display = NULL;
	close(fc.cmd[0]);
	close(fc.cmd[1]);
}
