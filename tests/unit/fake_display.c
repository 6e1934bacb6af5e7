// SPDX-License-Identifier: GPL-2.0
/* fake_display.c: see fake_display.h. */
#include "fake_display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zd_output {
	struct zd_display *d;
	char name[16];
	zd_flip_done_fn fn;
	void *data;
	struct fake_output_state st;
};

struct zd_display {
	unsigned int n;
	struct zd_output out[FAKE_OUTPUTS];
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
	o->fn(o->data, o->st.token);
	return true;
}

int zd_display_open(struct zd_loop *loop, const char *const *paths, unsigned int npaths,
		    struct zd_display **out)
{
	(void)loop;
	(void)paths;
	(void)npaths;
	*out = fake_display_new(1);
	return *out ? 0 : -ENOMEM;
}

void zd_display_close(struct zd_display *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->n; i++)
		free(d->out[i].st.frame);
	free(d);
}

int zd_output_claim(struct zd_display *d, const char *name, const char *log_prefix,
		    zd_flip_done_fn fn, void *data, struct zd_output **out)
{
	struct zd_output *pick = NULL;

	(void)log_prefix;
	for (unsigned int i = 0; i < d->n && name; i++)
		if (!d->out[i].st.claimed && !strcmp(d->out[i].name, name))
			pick = &d->out[i];
	for (unsigned int i = 0; i < d->n && !pick; i++)
		if (!d->out[i].st.claimed)
			pick = &d->out[i];
	if (!pick)
		return -ENODEV;
	pick->st.claimed = true;
	pick->fn = fn;
	pick->data = data;
	*out = pick;
	return 0;
}

void zd_output_release(struct zd_output *o)
{
	free(o->st.frame);
	memset(&o->st, 0, sizeof(o->st));
	o->fn = NULL;
	o->data = NULL;
}

const char *zd_output_name(const struct zd_output *o)
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

int zd_output_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			 uint32_t y, const struct zd_image *img, uint64_t *bytes_copied)
{
	o->st.mode_w = width;
	o->st.mode_h = height;
	o->st.x = x;
	o->st.y = y;
	o->st.enabled = true;
	return take_frame(o, img, bytes_copied);
}

int zd_output_disable(struct zd_output *o)
{
	o->st.enabled = false;
	return 0;
}

int zd_output_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
		   uint64_t *bytes_copied)
{
	int r;

	if (o->st.flip_pending)
		return -EBUSY;
	r = take_frame(o, img, bytes_copied);
	if (r)
		return r;
	o->st.flip_pending = true;
	o->st.token = token;
	o->st.flips_started++;
	return 0;
}
