// SPDX-License-Identifier: GPL-2.0
/*
 * test_zcopy.c: the grant <-> dma-buf seam (back/daemon/core/zerocopy.c): which
 * facility it chooses and why, and that exports, allocations and imports
 * hold grants exactly as long as they should (against the fake in
 * tests/fakexen).
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_display.h"
#include "fakexen/fakexen.h"
#include "test.h"
#include "zerocopy.h"

#define FE 1

static struct zd_zcopy *open_mode(enum zd_zcopy_mode m)
{
	struct zd_zcopy *z = NULL;

	CHECK_EQ_INT(zd_zcopy_open(m, &z), 0);
	CHECK_NOT_NULL(z);
	return z;
}

/* Wait for an export: never any busy refs (those are an allocation's). */
static int wait_export(struct zd_zcopy *z, uint32_t id, uint32_t timeout_ms)
{
	uint32_t busy = 7;
	int r = zd_zcopy_wait_released(z, id, timeout_ms, &busy);

	CHECK_EQ_INT(busy, 0);
	return r;
}

static void check_clean(void)
{
	struct fx_zcopy_stats st;

	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_alive, 0);
	CHECK_EQ_INT(st.pages_mapped, 0);
	CHECK_EQ_INT(st.imports_alive, 0);
	CHECK_EQ_INT(st.allocs_alive, 0);
	CHECK_EQ_INT(st.grants_alive, 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(zcopy_parse_mode)
{
	enum zd_zcopy_mode m;

	CHECK_EQ_INT(zd_zcopy_parse_mode("auto", &m), 0);
	CHECK_EQ_INT(m, ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_parse_mode("helper", &m), 0);
	CHECK_EQ_INT(m, ZD_ZCOPY_HELPER);
	CHECK_EQ_INT(zd_zcopy_parse_mode("gntdev", &m), 0);
	CHECK_EQ_INT(m, ZD_ZCOPY_GNTDEV);
	CHECK_EQ_INT(zd_zcopy_parse_mode("off", &m), 0);
	CHECK_EQ_INT(m, ZD_ZCOPY_OFF);
	CHECK_EQ_INT(zd_zcopy_parse_mode("on", &m), -EINVAL);
	CHECK_EQ_INT(zd_zcopy_parse_mode("", &m), -EINVAL);
}

TEST(zcopy_auto_prefers_the_helper)
{
	struct zd_zcopy *z;

	fx_zcopy_present(true, true, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_STR_EQ(zd_zcopy_name(z), "helper");
	CHECK(zd_zcopy_can_export(z));
	CHECK(zd_zcopy_can_alloc(z));
	CHECK_STR_EQ(zd_zcopy_why(z), "");
	CHECK_EQ_INT(fx_live_handles(), 1);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_auto_falls_back_to_gntdev)
{
	struct zd_zcopy *z;

	fx_zcopy_present(false, true, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_STR_EQ(zd_zcopy_name(z), "gntdev");
	CHECK(zd_zcopy_can_export(z));
	CHECK(zd_zcopy_can_import(z));
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_gntdev_in_a_pv_domain_only_imports)
{
	struct zd_zcopy *z;
	uint32_t ref = (uint32_t)fx_gnt_grant(FE, 0, false), id;
	int fd;

	fx_zcopy_present(false, true, true);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_STR_EQ(zd_zcopy_name(z), "gntdev");
	CHECK(!zd_zcopy_can_export(z));
	CHECK(zd_zcopy_can_import(z));
	CHECK(strstr(zd_zcopy_why(z), "PV domain") != NULL);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd, &id), -EOPNOTSUPP);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_auto_with_nothing_says_why)
{
	struct zd_zcopy *z;
	uint32_t ref = (uint32_t)fx_gnt_grant(FE, 0, false), id, busy;
	int fd = -1;

	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_STR_EQ(zd_zcopy_name(z), "none");
	CHECK(!zd_zcopy_can_export(z));
	CHECK(!zd_zcopy_can_import(z));
	CHECK_STR_EQ(zd_zcopy_why(z), "no grant->dma-buf support in this kernel (helper not "
				      "loaded, gntdev without dma-buf)");
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd, &id), -EOPNOTSUPP);
	CHECK_EQ_INT(zd_zcopy_import(z, 0, FE, 1, &ref, &id), -EOPNOTSUPP);
	CHECK_EQ_INT(zd_zcopy_import_release(z, 1, &busy), -EOPNOTSUPP);
	CHECK_EQ_INT(fd, -1);
	CHECK_EQ_INT(fx_live_handles(), 0);
	zd_zcopy_close(z);
	/* A NULL seam is "none" too. */
	CHECK_STR_EQ(zd_zcopy_name(NULL), "none");
	CHECK(!zd_zcopy_can_export(NULL));
}

TEST(zcopy_auto_names_unusual_errors)
{
	struct zd_zcopy *z;

	fx_fail(FX_ZC_OPEN, EACCES, 0);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_STR_EQ(zd_zcopy_name(z), "none");
	CHECK(strstr(zd_zcopy_why(z), "helper: Permission denied") != NULL);
	zd_zcopy_close(z);
}

TEST(zcopy_off_uses_nothing)
{
	struct zd_zcopy *z;

	fx_zcopy_present(true, true, false);
	z = open_mode(ZD_ZCOPY_OFF);
	CHECK_STR_EQ(zd_zcopy_name(z), "none");
	CHECK_STR_EQ(zd_zcopy_why(z), "zero-copy disabled (--zcopy=off)");
	CHECK_EQ_INT(fx_calls(FX_ZC_OPEN), 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
	zd_zcopy_close(z);
}

TEST(zcopy_forced_facility_must_be_there)
{
	struct zd_zcopy *z = NULL;

	CHECK_EQ_INT(zd_zcopy_open(ZD_ZCOPY_HELPER, &z), -ENOENT);
	CHECK_EQ_INT(zd_zcopy_open(ZD_ZCOPY_GNTDEV, &z), -EOPNOTSUPP);
	CHECK_NULL(z);
	fx_zcopy_present(true, false, false);
	CHECK_EQ_INT(zd_zcopy_open(ZD_ZCOPY_GNTDEV, &z), -EOPNOTSUPP);
	z = open_mode(ZD_ZCOPY_HELPER);
	CHECK_STR_EQ(zd_zcopy_name(z), "helper");
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_export_lives_until_its_last_fd_closes)
{
	struct fx_zcopy_stats st;
	struct zd_zcopy *z;
	uint32_t refs[3], id;
	uint8_t buf[8];
	int fd, dup_fd;

	for (int i = 0; i < 3; i++)
		refs[i] = (uint32_t)fx_gnt_grant(FE, 0, false);
	memcpy((uint8_t *)fx_gnt_page(FE, refs[2]) + 100, "pixels", 7);
	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, refs, 3, false, &fd, &id), 0);
	CHECK(fd >= 0);
	CHECK_EQ_INT(fx_dmabuf_size(fd), 3 * 4096);
	CHECK_EQ_INT(fx_dmabuf_read(fd, 2 * 4096 + 100, buf, 7), 0);
	CHECK_STR_EQ((char *)buf, "pixels");
	CHECK_EQ_INT(fx_dmabuf_read(fd, 3 * 4096 - 4, buf, 8), -EINVAL);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_alive, 1);
	CHECK_EQ_INT(st.pages_mapped, 3);
	/* Mapped by the helper: the frontend cannot take its pages back. */
	CHECK_EQ_INT(fx_gnt_revoke(FE, refs[0]), -EBUSY);

	/* A second user (a KMS framebuffer) keeps it alive. */
	dup_fd = dup(fd);
	close(fd);
	CHECK_EQ_INT(wait_export(z, id, 2000), -ETIMEDOUT);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_alive, 1);
	CHECK_EQ_INT(st.waits_timed_out, 1);
	close(dup_fd);
	CHECK_EQ_INT(wait_export(z, id, 2000), 0);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_unwaited, 0);
	/* The id is forgotten once waited for. */
	CHECK_EQ_INT(wait_export(z, id, 0), -ENOENT);
	CHECK_EQ_INT(fx_gnt_revoke(FE, refs[0]), 0);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_export_of_bad_grants_holds_nothing)
{
	struct fx_zcopy_stats st;
	struct zd_zcopy *z;
	uint32_t refs[2], id;
	int fd = -1;

	refs[0] = (uint32_t)fx_gnt_grant(FE, 0, false);
	refs[1] = (uint32_t)fx_gnt_grant(FE, 0, true);
	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	/* Writable export of a read-only grant; then a ref never granted. */
	CHECK_EQ_INT(zd_zcopy_export(z, FE, refs, 2, true, &fd, &id), -ENXIO);
	refs[1] = 4000;
	CHECK_EQ_INT(zd_zcopy_export(z, FE, refs, 2, false, &fd, &id), -ENXIO);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, refs, 0, false, &fd, &id), -EINVAL);
	CHECK_EQ_INT(fd, -1);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_total, 0);
	CHECK_EQ_INT(fx_gnt_revoke(FE, refs[0]), 0);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_import_grants_pages_until_released)
{
	struct fx_zcopy_stats st;
	struct zd_zcopy *z;
	uint32_t refs[2], id, busy = 9;
	int fd = memfd_create("dumb", MFD_CLOEXEC);

	CHECK(fd >= 0);
	CHECK_EQ_INT(ftruncate(fd, 2 * 4096), 0);
	fx_zcopy_present(false, true, false); /* gntdev imports */
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_import(z, fd, FE, 3, refs, &id), -EINVAL); /* not 3 pages */
	CHECK_EQ_INT(zd_zcopy_import(z, -1, FE, 2, refs, &id), -EBADF);
	CHECK_EQ_INT(zd_zcopy_import(z, fd, FE, 2, refs, &id), 0);
	/* Granted by us (domain 0) to the frontend. */
	CHECK_NOT_NULL(fx_gnt_page(0, refs[0]));
	CHECK_NOT_NULL(fx_gnt_page(0, refs[1]));
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.imports_alive, 1);
	CHECK_EQ_INT(st.grants_alive, 2);
	CHECK_EQ_INT(zd_zcopy_import_release(z, id, &busy), 0);
	CHECK_EQ_INT(busy, 0);
	CHECK_NULL(fx_gnt_page(0, refs[0]));
	CHECK_EQ_INT(zd_zcopy_import_release(z, id, &busy), -ENOENT);
	close(fd);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_close_releases_imports_and_forgets_exports)
{
	struct zd_zcopy *z;
	uint32_t ref = (uint32_t)fx_gnt_grant(FE, 0, false), refs[1], id;
	int mfd = memfd_create("dumb", MFD_CLOEXEC), fd;

	CHECK_EQ_INT(ftruncate(mfd, 4096), 0);
	fx_zcopy_present(false, true, false); /* gntdev imports */
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_import(z, mfd, FE, 1, refs, &id), 0);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd, &id), 0);
	zd_zcopy_close(z);
	/* The export lives on while its fd does, as a dma-buf would. */
	CHECK_EQ_INT(fx_gnt_revoke(FE, ref), -EBUSY);
	close(fd);
	close(mfd);
	check_clean();
	CHECK_EQ_INT(fx_gnt_revoke(FE, ref), 0);
}

TEST(zcopy_helper_allocates_and_does_not_import)
{
	struct zd_zcopy *z;
	uint32_t refs[1], id;
	int mfd = memfd_create("dumb", MFD_CLOEXEC), fd;

	CHECK_EQ_INT(ftruncate(mfd, 4096), 0);
	fx_zcopy_present(true, true, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK(zd_zcopy_can_alloc(z));
	CHECK(!zd_zcopy_can_import(z));
	CHECK_EQ_INT(zd_zcopy_import(z, mfd, FE, 1, refs, &id), -EOPNOTSUPP);
	zd_zcopy_close(z);
	/* gntdev is the other way round. */
	z = open_mode(ZD_ZCOPY_GNTDEV);
	CHECK(!zd_zcopy_can_alloc(z));
	CHECK(zd_zcopy_can_import(z));
	CHECK_EQ_INT(zd_zcopy_alloc(z, FE, 1, refs, &fd, &id), -EOPNOTSUPP);
	zd_zcopy_close(z);
	close(mfd);
	check_clean();
}

TEST(zcopy_allocation_is_granted_until_its_dma_buf_is_released)
{
	struct fx_zcopy_stats st;
	struct zd_zcopy *z;
	uint32_t refs[2], id, busy = 9;
	const uint8_t *map;
	uint8_t buf[8];
	int fd, held;

	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_alloc(z, FE, 0, refs, &fd, &id), -EINVAL);
	CHECK_EQ_INT(zd_zcopy_alloc(z, FE, 2, refs, &fd, &id), 0);
	/* Granted by us (domain 0) to the frontend, who writes a frame. */
	CHECK_NOT_NULL(fx_gnt_page(0, refs[1]));
	memcpy((uint8_t *)fx_gnt_page(0, refs[1]) + 8, "frame", 6);
	CHECK_EQ_INT(fx_dmabuf_size(fd), 2 * 4096);
	CHECK_EQ_INT(fx_dmabuf_read(fd, 4096 + 8, buf, 6), 0);
	CHECK_STR_EQ((char *)buf, "frame");
	/* The copy path's view of it. */
	map = zd_zcopy_mmap(z, fd, 2 * 4096);
	CHECK_NOT_NULL(map);
	CHECK_STR_EQ((const char *)map + 4096 + 8, "frame");
	zd_zcopy_munmap(z, (void *)map, 2 * 4096);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.allocs_alive, 1);
	CHECK_EQ_INT(st.grants_alive, 2);
	/* A display still holds it: not released, still granted. */
	held = dup(fd);
	close(fd);
	CHECK_EQ_INT(zd_zcopy_wait_released(z, id, 2000, &busy), -ETIMEDOUT);
	CHECK_NOT_NULL(fx_gnt_page(0, refs[0]));
	close(held);
	CHECK_EQ_INT(zd_zcopy_wait_released(z, id, 2000, &busy), 0);
	CHECK_EQ_INT(busy, 0);
	CHECK_NULL(fx_gnt_page(0, refs[0]));
	CHECK_EQ_INT(zd_zcopy_wait_released(z, id, 0, &busy), -ENOENT);
	zd_zcopy_close(z);
	check_clean();
}

TEST(zcopy_allocation_refs_the_frontend_maps_end_later)
{
	struct fx_zcopy_stats st;
	struct zd_zcopy *z;
	uint32_t refs[3], id, busy = 0;
	int fd;

	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_alloc(z, FE, 3, refs, &fd, &id), 0);
	CHECK_EQ_INT(fx_gnt_peer_hold(0, refs[0], true), 0);
	CHECK_EQ_INT(fx_gnt_peer_hold(0, refs[2], true), 0);
	close(fd);
	CHECK_EQ_INT(zd_zcopy_wait_released(z, id, 2000, &busy), 0);
	CHECK_EQ_INT(busy, 2);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.allocs_alive, 0);
	CHECK_EQ_INT(st.grants_alive, 2);
	CHECK_NULL(fx_gnt_page(0, refs[1]));
	/* The frontend lets go of one, then the other: retried, ended. */
	CHECK_EQ_INT(fx_gnt_peer_hold(0, refs[0], false), 0);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.grants_alive, 1);
	CHECK_EQ_INT(fx_gnt_peer_hold(0, refs[2], false), 0);
	zd_zcopy_close(z);
	check_clean();
}

/* Fake display and fake seam together, as the daemon will use them. */
TEST(zcopy_export_stays_while_a_display_framebuffer_holds_it)
{
	struct zd_fb_layout l = {.width = 16,
				 .height = 8,
				 .fourcc = DRM_FORMAT_XRGB8888,
				 .offset = 64,
				 .pitch = 64,
				 .size = 4096};
	struct zd_display *d = fake_display_new(1);
	struct fake_output_state *st = fake_display_output(d, 0);
	struct zd_output *o;
	struct zd_dmafb *fb;
	struct zd_zcopy *z;
	uint32_t ref = (uint32_t)fx_gnt_grant(FE, 0, false), id;
	int fd;

	((uint32_t *)fx_gnt_page(FE, ref))[16 + 3] = 0xabcdef;
	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(fake_display_ops.claim(d, NULL, "t", NULL, NULL, NULL, &o), 0);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd, &id), 0);
	CHECK_EQ_INT(fake_display_ops.import(o, fd, &l, &fb), 0);
	CHECK_EQ_INT(st->dmafbs, 1);
	l.size = 8192; /* larger than the dma-buf */
	CHECK(fake_display_ops.import(o, fd, &l, &fb) < 0);
	CHECK_EQ_INT(fake_display_ops.set_config_dmafb(o, 640, 480, 0, 0, fb, 16, 8), 0);
	CHECK(st->zero_copy);
	CHECK_EQ_INT(((uint32_t *)st->frame)[3], 0xabcdef);
	close(fd);
	CHECK_EQ_INT(wait_export(z, id, 2000), -ETIMEDOUT);
	/* On the screen: dropping it takes the output off. */
	CHECK(fake_display_ops.dmafb_drop(fb));
	CHECK(!st->enabled);
	CHECK_EQ_INT(st->dmafbs, 0);
	CHECK_EQ_INT(wait_export(z, id, 2000), 0);
	fake_display_ops.release(o);
	zd_zcopy_close(z);
	fake_display_free(d);
	check_clean();
}

/*
 * A release wait that timed out is not the end of it: the id is waited for
 * again at the next export, so the facility forgets it and frees its slot.
 */
TEST(zcopy_timed_out_release_is_waited_for_later)
{
	struct fx_zcopy_stats st;
	uint32_t ref, id, id2;
	struct zd_zcopy *z;
	int fd, fd2, held;

	ref = (uint32_t)fx_gnt_grant(FE, 0, false);
	fx_zcopy_present(true, false, false);
	z = open_mode(ZD_ZCOPY_AUTO);
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd, &id), 0);
	held = dup(fd); /* a display that lets go late */
	close(fd);
	CHECK_EQ_INT(wait_export(z, id, 10), -ETIMEDOUT);
	CHECK_EQ_INT(zd_zcopy_pending(z), 1);
	close(held);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_unwaited, 1);
	/* The next export sees it released: waited for, forgotten. */
	CHECK_EQ_INT(zd_zcopy_export(z, FE, &ref, 1, false, &fd2, &id2), 0);
	CHECK_EQ_INT(zd_zcopy_pending(z), 0);
	close(fd2);
	CHECK_EQ_INT(wait_export(z, id2, 10), 0);
	fx_zcopy_stats(&st);
	CHECK_EQ_INT(st.exports_unwaited, 0);
	zd_zcopy_close(z);
	check_clean();
}
