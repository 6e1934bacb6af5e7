// SPDX-License-Identifier: GPL-2.0
/* fake_display.c: see fake_display.h. */
#include "fake_display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakexen/fakexen.h"
#include "format.h"

struct zd_output {
	struct zd_display *d;
	char name[16];
	unsigned int reserved; /* fake_output_reserve() */
	zd_flip_done_fn fn;
	void *data;
	const struct zd_dmafb *pending; /* the dma-buf framebuffer a flip brings */
	struct fake_output_state st;
};

struct zd_display {
	unsigned int n;
	unsigned int dumbs;
	struct zd_output out[FAKE_OUTPUTS];
};

struct zd_dmafb {
	struct zd_output *o;
	int fd; /* our reference to the dma-buf */
	struct zd_fb_layout l;
};

struct zd_dumb {
	struct zd_display *d;
	int fd;
};

struct zd_display *fake_display_new(unsigned int n)
{
	struct zd_display *d = calloc(1, sizeof(*d));

	if (!d || n > FAKE_OUTPUTS) {
		free(d);
		return NULL;
	}
	d->n = n;
	for (unsigned int i = 0; i < n; i++) {
		d->out[i].d = d;
		snprintf(d->out[i].name, sizeof(d->out[i].name), "Fake-%u", i + 1);
	}
	return d;
}

struct fake_output_state *fake_display_output(struct zd_display *d, unsigned int i)
{
	return i < d->n ? &d->out[i].st : NULL;
}

bool fake_display_complete_flip(struct zd_display *d, unsigned int i)
{
	struct zd_output *o = &d->out[i];

	if (i >= d->n || !o->st.flip_pending)
		return false;
	o->st.flip_pending = false;
	o->st.zero_copy = o->st.flip_zero_copy;
	o->st.shown = o->pending;
	o->pending = NULL;
	o->fn(o->data, o->st.token);
	return true;
}

unsigned int fake_display_dumbs(struct zd_display *d)
{
	return d->dumbs;
}

void fake_display_free(struct zd_display *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->n; i++)
		free(d->out[i].st.frame);
	free(d);
}

static int fake_output_claim(struct zd_display *d, const char *name, const char *log_prefix,
			     struct zd_ratelimit *rl, zd_flip_done_fn fn, void *data,
			     struct zd_output **out)
{
	struct zd_output *pick = NULL;

	(void)log_prefix;
	for (unsigned int i = 0; i < d->n && name; i++)
		if (!d->out[i].st.claimed && !strcmp(d->out[i].name, name))
			pick = &d->out[i];
	for (unsigned int i = 0; i < d->n && !pick; i++)
		if (!d->out[i].st.claimed && !d->out[i].reserved)
			pick = &d->out[i];
	if (!pick)
		return -ENODEV;
	pick->st.rl = rl;
	pick->st.claimed = true;
	pick->fn = fn;
	pick->data = data;
	*out = pick;
	return 0;
}

static void fake_output_reserve(struct zd_display *d, const char *name, bool on)
{
	for (unsigned int i = 0; i < d->n; i++) {
		if (strcmp(d->out[i].name, name))
			continue;
		if (on)
			d->out[i].reserved++;
		else if (d->out[i].reserved)
			d->out[i].reserved--;
	}
}

static void fake_output_release(struct zd_output *o)
{
	struct fake_output_state keep = o->st;

	free(o->st.frame);
	memset(&o->st, 0, sizeof(o->st));
	/* What tests set, and dma-buf framebuffers, outlive a claim. */
	o->st.import_err = keep.import_err;
	o->st.commit_err = keep.commit_err;
	o->st.dmafbs = keep.dmafbs;
	o->st.imports = keep.imports;
	o->st.drops = keep.drops;
	o->st.zc_set_configs = keep.zc_set_configs;
	o->st.zc_flips = keep.zc_flips;
	o->st.offs_for_drop = keep.offs_for_drop;
	o->st.last_layout = keep.last_layout;
	o->pending = NULL;
	o->fn = NULL;
	o->data = NULL;
}

static const char *fake_output_name(const struct zd_output *o)
{
	return o->name;
}

/* Keep a packed copy of img, reading it the way the copy path does. */
static int take_frame(struct zd_output *o, const struct zd_image *img, uint64_t *bytes)
{
	uint32_t cpp = img->fourcc == 0x36314752 /* RG16 */ ? 2 : 4;
	size_t row = (size_t)img->width * cpp;
	uint8_t *f = malloc(row * img->height + 1);

	if (!f)
		return -ENOMEM;
	for (uint32_t y = 0; y < img->height; y++)
		memcpy(f + row * y, img->pixels + (size_t)img->pitch * y, row);
	free(o->st.frame);
	o->st.frame = f;
	o->st.fourcc = img->fourcc;
	o->st.width = img->width;
	o->st.height = img->height;
	*bytes += row * img->height;
	return 0;
}

/* A modeset's time, on the test's clock. */
static void takes_time(struct zd_output *o)
{
	if (o->st.clock_us)
		*o->st.clock_us += o->st.modeset_us;
}

static int fake_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
				  uint32_t y, const struct zd_image *img, uint64_t *bytes_copied)
{
	takes_time(o);
	o->st.set_configs++;
	o->st.mode_w = width;
	o->st.mode_h = height;
	o->st.x = x;
	o->st.y = y;
	o->st.enabled = true;
	o->st.zero_copy = false;
	o->st.shown = NULL;
	return take_frame(o, img, bytes_copied);
}

static int fake_output_disable(struct zd_output *o)
{
	takes_time(o);
	o->st.enabled = false;
	o->st.zero_copy = false;
	o->st.shown = NULL;
	return 0;
}

static int fake_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
			    uint64_t *bytes_copied)
{
	int r;

	if (o->st.flip_pending)
		return -EBUSY;
	r = take_frame(o, img, bytes_copied);
	if (r)
		return r;
	o->st.flip_zero_copy = false;
	o->pending = NULL;
	o->st.flip_pending = true;
	o->st.token = token;
	o->st.flips_started++;
	return 0;
}

/* ---- zero-copy ---- */

/* As kms.c checks it, and the buffer must really be that large. */
static int check_layout(int fd, const struct zd_fb_layout *l)
{
	uint32_t cpp = zd_format_cpp(l->fourcc);
	uint64_t end;

	if (!cpp || !l->width || !l->height || (uint64_t)l->width * cpp > l->pitch)
		return -EINVAL;
	end = l->offset + (uint64_t)l->pitch * (l->height - 1) + (uint64_t)l->width * cpp;
	if (end > l->size || fx_dmabuf_size(fd) < (long long)l->size)
		return -EINVAL;
	return 0;
}

static int import_fd(struct zd_output *o, int fd, const struct zd_fb_layout *l,
		     struct zd_dmafb **out)
{
	struct zd_dmafb *fb;
	int r;

	if (!o->st.claimed)
		return -EINVAL;
	if (o->st.import_err)
		return -o->st.import_err;
	r = check_layout(fd, l);
	if (r)
		return r;
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	fb->fd = dup(fd);
	if (fb->fd < 0) {
		free(fb);
		return -EBADF;
	}
	fb->o = o;
	fb->l = *l;
	o->st.dmafbs++;
	o->st.imports++;
	o->st.last_layout = *l;
	*out = fb;
	return 0;
}

static int fake_output_import(struct zd_output *o, int fd, const struct zd_fb_layout *l,
			      struct zd_dmafb **out)
{
	return import_fd(o, fd, l, out);
}

static int fake_output_import_dumb(struct zd_output *o, struct zd_dumb *b,
				   const struct zd_fb_layout *l, struct zd_dmafb **out)
{
	return import_fd(o, b->fd, l, out);
}

/* The frame a scanout of fb's top-left w x h reads from the dma-buf. */
static int scan_frame(struct zd_output *o, const struct zd_dmafb *fb, uint32_t w, uint32_t h)
{
	uint32_t cpp = zd_format_cpp(fb->l.fourcc);
	size_t row = (size_t)w * cpp;
	uint8_t *f = malloc(row * h + 1);

	if (!f)
		return -ENOMEM;
	for (uint32_t y = 0; y < h; y++) {
		if (fx_dmabuf_read(fb->fd, fb->l.offset + (uint64_t)fb->l.pitch * y, f + row * y,
				   row)) {
			free(f);
			return -EIO;
		}
	}
	free(o->st.frame);
	o->st.frame = f;
	o->st.fourcc = fb->l.fourcc;
	o->st.width = w;
	o->st.height = h;
	return 0;
}

static int fake_output_set_config_dmafb(struct zd_output *o, uint32_t width, uint32_t height,
					uint32_t x, uint32_t y, struct zd_dmafb *fb, uint32_t w,
					uint32_t h)
{
	if (!o->st.claimed || !fb || fb->o != o || !w || !h || w > fb->l.width || h > fb->l.height)
		return -EINVAL;
	if (o->st.commit_err)
		return -o->st.commit_err;
	o->st.mode_w = width;
	o->st.mode_h = height;
	o->st.x = x;
	o->st.y = y;
	o->st.enabled = true;
	o->st.zero_copy = true;
	o->st.shown = fb;
	o->st.zc_set_configs++;
	return scan_frame(o, fb, w, h);
}

static int fake_output_flip_dmafb(struct zd_output *o, struct zd_dmafb *fb, uint32_t w, uint32_t h,
				  uint64_t token)
{
	int r;

	if (!o->st.claimed || !o->st.enabled || !fb || fb->o != o || !w || !h || w > fb->l.width ||
	    h > fb->l.height)
		return -EINVAL;
	if (o->st.flip_pending)
		return -EBUSY;
	if (o->st.commit_err)
		return -o->st.commit_err;
	r = scan_frame(o, fb, w, h);
	if (r)
		return r;
	o->pending = fb;
	o->st.flip_zero_copy = true;
	o->st.flip_pending = true;
	o->st.token = token;
	o->st.flips_started++;
	o->st.zc_flips++;
	return 0;
}

/*
 * Nothing completes a flip here but the test: a flip bringing fb stays
 * pending (its completion still comes) while the output goes off.
 */
static bool fake_dmafb_drop(struct zd_dmafb *fb)
{
	struct zd_output *o;
	bool in_use, off = false;

	if (!fb)
		return false;
	o = fb->o;
	in_use = o->st.claimed &&
		 (o->st.flip_pending ? o->pending == fb : o->st.shown == fb && o->st.enabled);
	if (in_use) {
		off = o->st.enabled;
		fake_output_disable(o);
		o->st.offs_for_drop += off;
	}
	if (o->pending == fb)
		o->pending = NULL;
	if (o->st.shown == fb)
		o->st.shown = NULL;
	close(fb->fd);
	o->st.dmafbs--;
	o->st.drops++;
	free(fb);
	return off;
}

static int fake_output_dumb_create(struct zd_output *o, uint32_t npages, struct zd_dumb **out)
{
	struct zd_dumb *b;

	if (!o->st.claimed || !npages)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fd = memfd_create("fake-dumb", MFD_CLOEXEC);
	if (b->fd < 0 || ftruncate(b->fd, (off_t)npages * 4096)) {
		if (b->fd >= 0)
			close(b->fd);
		free(b);
		return -ENOMEM;
	}
	b->d = o->d;
	o->d->dumbs++;
	*out = b;
	return 0;
}

static int fake_dumb_fd(const struct zd_dumb *b)
{
	return b ? b->fd : -1;
}

static void fake_dumb_destroy(struct zd_dumb *b)
{
	if (!b)
		return;
	close(b->fd);
	b->d->dumbs--;
	free(b);
}

const struct zd_display_ops fake_display_ops = {
	.claim = fake_output_claim,
	.reserve = fake_output_reserve,
	.release = fake_output_release,
	.name = fake_output_name,
	.set_config = fake_output_set_config,
	.disable = fake_output_disable,
	.flip = fake_output_flip,
	.import = fake_output_import,
	.import_dumb = fake_output_import_dumb,
	.dmafb_drop = fake_dmafb_drop,
	.set_config_dmafb = fake_output_set_config_dmafb,
	.flip_dmafb = fake_output_flip_dmafb,
	.dumb_create = fake_output_dumb_create,
	.dumb_fd = fake_dumb_fd,
	.dumb_destroy = fake_dumb_destroy,
};
