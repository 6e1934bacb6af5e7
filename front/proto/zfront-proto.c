// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-proto.c: displif v2 requests, responses, events, status codes and
 * xenstore values, for zdispl's frontend (see zfront-proto.h). Builds in
 * the kernel and on the host.
 */
#include "zfront-proto.h"

static void req_init(struct xendispl_req *req, uint16_t id, uint8_t op)
{
	memset(req, 0, sizeof(*req));
	req->id = id;
	req->operation = op;
}

void zfront_req_dbuf_create(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie,
			    uint32_t width, uint32_t height, uint32_t bpp, uint32_t size,
			    uint32_t data_ofs, grant_ref_t gref_dir, bool be_alloc)
{
	struct xendispl_dbuf_create_req *q = &req->op.dbuf_create;

	req_init(req, id, XENDISPL_OP_DBUF_CREATE);
	q->dbuf_cookie = dbuf_cookie;
	q->width = width;
	q->height = height;
	q->bpp = bpp;
	q->buffer_sz = size;
	q->flags = be_alloc ? XENDISPL_DBUF_FLG_REQ_ALLOC : 0;
	q->gref_directory = gref_dir;
	q->data_ofs = data_ofs;
}

void zfront_req_dbuf_destroy(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie)
{
	req_init(req, id, XENDISPL_OP_DBUF_DESTROY);
	req->op.dbuf_destroy.dbuf_cookie = dbuf_cookie;
}

void zfront_req_fb_attach(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie,
			  uint64_t fb_cookie, uint32_t width, uint32_t height, uint32_t fourcc)
{
	struct xendispl_fb_attach_req *q = &req->op.fb_attach;

	req_init(req, id, XENDISPL_OP_FB_ATTACH);
	q->dbuf_cookie = dbuf_cookie;
	q->fb_cookie = fb_cookie;
	q->width = width;
	q->height = height;
	q->pixel_format = fourcc;
}

void zfront_req_fb_detach(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie)
{
	req_init(req, id, XENDISPL_OP_FB_DETACH);
	req->op.fb_detach.fb_cookie = fb_cookie;
}

void zfront_req_set_config(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie, uint32_t x,
			   uint32_t y, uint32_t width, uint32_t height, uint32_t bpp)
{
	struct xendispl_set_config_req *q = &req->op.set_config;

	req_init(req, id, XENDISPL_OP_SET_CONFIG);
	q->fb_cookie = fb_cookie;
	q->x = x;
	q->y = y;
	q->width = width;
	q->height = height;
	q->bpp = bpp;
}

void zfront_req_pg_flip(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie)
{
	req_init(req, id, XENDISPL_OP_PG_FLIP);
	req->op.pg_flip.fb_cookie = fb_cookie;
}

void zfront_req_get_edid(struct xendispl_req *req, uint16_t id, uint32_t buffer_sz,
			 grant_ref_t gref_dir)
{
	req_init(req, id, XENDISPL_OP_GET_EDID);
	req->op.get_edid.buffer_sz = buffer_sz;
	req->op.get_edid.gref_directory = gref_dir;
}

int zfront_dumb_geometry(uint32_t width, uint32_t height, uint32_t bpp, uint32_t *pitch,
			 uint32_t *size)
{
	uint32_t p, s;

	if (!width || !height || width > ZD_MAX_DIMENSION || height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (bpp < 8 || bpp > 32 || bpp % 8)
		return -EINVAL;
	if (!zd_mul_u32(width, bpp / 8, &p) || !zd_mul_u32(p, height, &s))
		return -EINVAL;
	if (s > ZD_MAX_BUFFER_BYTES)
		return -EINVAL;
	*pitch = p;
	*size = s;
	return 0;
}

int zfront_fb_geometry(uint32_t width, uint32_t height, uint32_t cpp, uint32_t pitch,
		       uint32_t offset, uint32_t obj_size, uint32_t *dbuf_width)
{
	uint32_t row, rows, end;

	if (!width || !height || width > ZD_MAX_DIMENSION || height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (cpp < 1 || cpp > 4 || pitch % cpp || pitch / cpp > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (!zd_mul_u32(width, cpp, &row) || row > pitch)
		return -EINVAL;
	/* The last row need only hold its pixels, not a whole pitch. */
	if (!zd_mul_u32(pitch, height - 1, &rows) || !zd_add_u32(rows, row, &rows) ||
	    !zd_add_u32(rows, offset, &end) || end > obj_size)
		return -EINVAL;
	*dbuf_width = pitch / cpp;
	return 0;
}

int zfront_rsp_avail(RING_IDX rsp_prod, RING_IDX rsp_cons, RING_IDX req_prod_pvt,
		     unsigned int ring_size)
{
	/* Unsigned differences: both indices run free and wrap together. */
	RING_IDX n = rsp_prod - rsp_cons, outstanding = req_prod_pvt - rsp_cons;

	if (n > outstanding || outstanding > ring_size)
		return -EIO;
	return (int)n;
}

int zfront_rsp_check(const struct xendispl_resp *rsp, const struct zfront_wait *w, int *status,
		     uint32_t *edid_sz)
{
	int err;

	switch (rsp->operation) {
	case XENDISPL_OP_DBUF_CREATE:
	case XENDISPL_OP_DBUF_DESTROY:
	case XENDISPL_OP_FB_ATTACH:
	case XENDISPL_OP_FB_DETACH:
	case XENDISPL_OP_SET_CONFIG:
	case XENDISPL_OP_PG_FLIP:
	case XENDISPL_OP_GET_EDID:
		break;
	default:
		return -EIO;
	}
	if (rsp->status > 0 || rsp->status < -ZFRONT_MAX_STATUS_ERRNO)
		return -EIO;
	if (!w || rsp->id != w->id)
		return 0;
	if (rsp->operation != w->operation)
		return -EIO;
	err = zfront_status_errno(rsp->status);
	*edid_sz = 0;
	if (w->operation == XENDISPL_OP_GET_EDID && !err) {
		uint32_t sz = rsp->op.get_edid.edid_sz;

		if (sz < ZFRONT_EDID_MIN_SIZE || sz > w->edid_buf_sz)
			return -EIO;
		*edid_sz = sz;
	}
	*status = err;
	return 1;
}

int zfront_evt_avail(uint32_t in_prod, uint32_t in_cons)
{
	uint32_t n = in_prod - in_cons;

	if (n > XENDISPL_IN_RING_LEN)
		return -EIO;
	return (int)n;
}

int zfront_evt_check(const struct xendispl_evt *evt, uint64_t *fb_cookie)
{
	if (evt->type != XENDISPL_EVT_PG_FLIP || !evt->op.pg_flip.fb_cookie)
		return -EIO;
	*fb_cookie = evt->op.pg_flip.fb_cookie;
	return 0;
}

int zfront_status_errno(int32_t status)
{
	if (status == 0)
		return 0;
	if (status < 0 && status >= -ZFRONT_MAX_STATUS_ERRNO)
		return status;
	return -EIO;
}

/* A decimal number 1..max from *s, advancing *s; false on anything else. */
static bool parse_dim(const char **s, uint32_t max, uint32_t *out)
{
	const char *p = *s;
	uint32_t v = 0;

	if (*p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > max)
			return false;
	}
	*s = p;
	*out = v;
	return true;
}

int zfront_parse_resolution(const char *s, uint32_t *width, uint32_t *height)
{
	uint32_t w, h;

	if (!s || !parse_dim(&s, ZD_MAX_DIMENSION, &w) || *s++ != 'x' ||
	    !parse_dim(&s, ZD_MAX_DIMENSION, &h) || *s)
		return -EINVAL;
	*width = w;
	*height = h;
	return 0;
}

bool zfront_versions_offer(const char *versions, unsigned int v)
{
	const char *p = versions;
	uint32_t n;

	if (!p)
		return false;
	while (*p) {
		if (parse_dim(&p, 1000, &n) && (*p == ',' || !*p)) {
			if (n == v)
				return true;
		} else {
			/* Skip a malformed entry. */
			while (*p && *p != ',')
				p++;
		}
		if (*p == ',')
			p++;
	}
	return false;
}
