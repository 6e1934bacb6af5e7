/*
 * test_fakexen_xs.c - proves the fake xenstore behaves like xenstored +
 * libxenstore where the backend depends on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "fakexen/fakexen.h"
#include "test.h"

/* Read one watch event and check it; the array is a single allocation. */
static void expect_event(struct xs_handle *h, const char *path, const char *token)
{
	unsigned int num = 0;
	char **ev = xs_read_watch(h, &num);
	char got[512], want[512];

	CHECK_NOT_NULL(ev);
	CHECK_EQ_INT(num, 2);
	snprintf(got, sizeof(got), "%s %s", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
	snprintf(want, sizeof(want), "%s %s", path, token);
	free(ev);
	CHECK_STR_EQ(got, want);
}

static void expect_no_event(struct xs_handle *h)
{
	unsigned int num;

	CHECK(!test_fd_readable(xs_fileno(h)));
	errno = 0;
	CHECK_NULL(xs_read_watch(h, &num));
	CHECK_EQ_INT(errno, EAGAIN);
}

/* Read @path through the library and compare with @want. */
static void expect_value(struct xs_handle *h, const char *path, const char *want)
{
	unsigned int len = 0;
	char *v = xs_read(h, XBT_NULL, path, &len);
	char got[256];

	CHECK_NOT_NULL(v);
	snprintf(got, sizeof(got), "%s", v);
	free(v);
	CHECK_STR_EQ(got, want);
	CHECK_EQ_INT(len, strlen(want));
}

/* Open a handle and consume the initial event of a new watch. */
static struct xs_handle *open_watching(const char *path, const char *token)
{
	struct xs_handle *h = xs_open(0);

	CHECK_NOT_NULL(h);
	CHECK(xs_watch(h, path, token));
	expect_event(h, path, token);
	return h;
}

TEST(xs_open_close_counts_handles)
{
	struct xs_handle *a = xs_open(0), *b = xs_open(XS_OPEN_READONLY);

	CHECK_NOT_NULL(a);
	CHECK_NOT_NULL(b);
	CHECK_EQ_INT(fx_live_handles(), 2);
	CHECK(xs_fileno(a) >= 0);
	CHECK(xs_fileno(a) != xs_fileno(b));
	xs_close(a);
	CHECK_EQ_INT(fx_live_handles(), 1);
	xs_close(b);
	xs_close(NULL);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(xs_write_read_roundtrip_creates_parents)
{
	struct xs_handle *h = xs_open(0);

	CHECK(xs_write(h, XBT_NULL, "/a/b/c", "hello", 5));
	expect_value(h, "/a/b/c", "hello");
	expect_value(h, "/a/b", "");
	expect_value(h, "/a", "");
	CHECK(xs_write(h, XBT_NULL, "/a/b/c", "x", 1));
	expect_value(h, "/a/b/c", "x");
	CHECK_STR_EQ(fx_xs_read("/a/b/c"), "x");
	xs_close(h);
}

TEST(xs_read_missing_is_enoent)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len = 7;

	errno = 0;
	CHECK_NULL(xs_read(h, XBT_NULL, "/nope", &len));
	CHECK_EQ_INT(errno, ENOENT);
	CHECK_EQ_INT(len, 7);
	CHECK(!fx_xs_exists("/nope"));
	/* The root always exists. */
	expect_value(h, "/", "");
	xs_close(h);
}

TEST(xs_binary_value_keeps_length)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len = 0;
	char *v;

	CHECK(xs_write(h, XBT_NULL, "/bin", "a\0b", 3));
	v = xs_read(h, XBT_NULL, "/bin", &len);
	CHECK_NOT_NULL(v);
	CHECK_EQ_INT(len, 3);
	CHECK(memcmp(v, "a\0b", 4) == 0); /* and NUL-terminated */
	free(v);
	CHECK(xs_write(h, XBT_NULL, "/empty", NULL, 0));
	expect_value(h, "/empty", "");
	xs_close(h);
}

TEST(xs_relative_paths_use_self_domain_home)
{
	struct xs_handle *h = xs_open(0);
	char *home;

	CHECK(xs_write(h, XBT_NULL, "device/x", "0", 1));
	CHECK_STR_EQ(fx_xs_read("/local/domain/0/device/x"), "0");
	fx_self_domid = 3;
	CHECK(xs_write(h, XBT_NULL, "device/x", "3", 1));
	CHECK_STR_EQ(fx_xs_read("/local/domain/3/device/x"), "3");
	expect_value(h, "device/x", "3");
	/* The control API resolves relative paths against the acting domain. */
	CHECK_EQ_INT(fx_xs_write(1, "device/vdispl/0/state", "1"), 0);
	CHECK_STR_EQ(fx_xs_read("/local/domain/1/device/vdispl/0/state"), "1");
	home = xs_get_domain_path(h, 5);
	CHECK_STR_EQ(home, "/local/domain/5");
	free(home);
	xs_close(h);
}

TEST(xs_invalid_paths_are_einval)
{
	static const char *const bad[] = {"", "//a", "/a/", "/a//b", "/a b", "/a\n", "@watch"};
	struct xs_handle *h = xs_open(0);
	char *long_path;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CHECK(!xs_write(h, XBT_NULL, bad[i], "v", 1));
		CHECK_EQ_INT(errno, EINVAL);
	}
	errno = 0;
	CHECK(!xs_write(h, XBT_NULL, NULL, "v", 1));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_NULL(xs_read(h, XBT_NULL, NULL, NULL));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(fx_xs_write(1, "/a/", "v"), -EINVAL);
	/* Over XENSTORE_ABS_PATH_MAX. */
	long_path = malloc(XENSTORE_ABS_PATH_MAX + 2);
	CHECK_NOT_NULL(long_path);
	memset(long_path, 'a', XENSTORE_ABS_PATH_MAX + 1);
	long_path[0] = '/';
	long_path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	errno = 0;
	CHECK_NULL(xs_read(h, XBT_NULL, long_path, NULL));
	free(long_path);
	CHECK_EQ_INT(errno, EINVAL);
	xs_close(h);
}

TEST(xs_payload_limit_is_e2big)
{
	struct xs_handle *h = xs_open(0);
	/* Payload = path + NUL + value; "/v" leaves 4093 bytes of value. */
	static char big[XENSTORE_PAYLOAD_MAX];

	memset(big, 'x', sizeof(big));
	CHECK(xs_write(h, XBT_NULL, "/v", big, XENSTORE_PAYLOAD_MAX - 3));
	errno = 0;
	CHECK(!xs_write(h, XBT_NULL, "/v", big, XENSTORE_PAYLOAD_MAX - 2));
	CHECK_EQ_INT(errno, E2BIG);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_INT(fx_xs_write(1, "/v", big), -E2BIG);
	xs_close(h);
}

TEST(xs_directory_lists_children_in_one_allocation)
{
	struct xs_handle *h = xs_open(0);
	unsigned int num = 99;
	char **names;

	CHECK(xs_mkdir(h, XBT_NULL, "/dir"));
	names = xs_directory(h, XBT_NULL, "/dir", &num);
	CHECK_NOT_NULL(names); /* empty, but not an error */
	CHECK_EQ_INT(num, 0);
	free(names);

	CHECK(xs_write(h, XBT_NULL, "/dir/zeta", "1", 1));
	CHECK(xs_mkdir(h, XBT_NULL, "/dir/alpha"));
	CHECK(xs_write(h, XBT_NULL, "/dir/mid/deep", "2", 1));
	names = xs_directory(h, XBT_NULL, "/dir", &num);
	CHECK_NOT_NULL(names);
	CHECK_EQ_INT(num, 3);
	/* Creation order, like xenstored. */
	CHECK_STR_EQ(names[0], "zeta");
	CHECK_STR_EQ(names[1], "alpha");
	CHECK_STR_EQ(names[2], "mid");
	free(names); /* one free() releases names and strings (ASan checks) */

	errno = 0;
	CHECK_NULL(xs_directory(h, XBT_NULL, "/missing", &num));
	CHECK_EQ_INT(errno, ENOENT);
	CHECK_NULL(xs_directory(h, XBT_NULL, "/dir", NULL));
	CHECK_EQ_INT(errno, EINVAL);
	xs_close(h);
}

TEST(xs_mkdir_keeps_existing_value)
{
	struct xs_handle *h = xs_open(0);

	CHECK(xs_write(h, XBT_NULL, "/m", "keep", 4));
	CHECK(xs_mkdir(h, XBT_NULL, "/m"));
	expect_value(h, "/m", "keep");
	xs_close(h);
}

TEST(xs_rm_removes_subtree)
{
	struct xs_handle *h = xs_open(0);

	CHECK(xs_write(h, XBT_NULL, "/r/a/b", "1", 1));
	CHECK(xs_write(h, XBT_NULL, "/r/c", "2", 1));
	CHECK(xs_rm(h, XBT_NULL, "/r/a"));
	CHECK(!fx_xs_exists("/r/a/b"));
	CHECK(!fx_xs_exists("/r/a"));
	CHECK_STR_EQ(fx_xs_read("/r/c"), "2");
	/* Missing node with an existing parent: success, as in xenstored. */
	CHECK(xs_rm(h, XBT_NULL, "/r/a"));
	errno = 0;
	CHECK(!xs_rm(h, XBT_NULL, "/r/a/b"));
	CHECK_EQ_INT(errno, ENOENT);
	errno = 0;
	CHECK(!xs_rm(h, XBT_NULL, "/"));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(fx_xs_rm(1, "/r"), 0);
	CHECK(!fx_xs_exists("/r/c"));
	CHECK_EQ_INT(fx_xs_rm(1, "/r/x/y"), -ENOENT);
	xs_close(h);
}

TEST(xs_watch_fires_initial_event_and_fd_follows_queue)
{
	struct xs_handle *h = xs_open(0);
	int fd = xs_fileno(h);

	CHECK(!test_fd_readable(fd));
	/* The node need not exist for the watch or its initial event. */
	CHECK(xs_watch(h, "/w", "tok"));
	CHECK(test_fd_readable(fd));
	expect_event(h, "/w", "tok");
	expect_no_event(h);
	CHECK_NULL(xs_check_watch(h));
	CHECK_EQ_INT(errno, EAGAIN);
	xs_close(h);
}

TEST(xs_watch_fires_for_node_and_subtree_only)
{
	struct xs_handle *h = open_watching("/w", "tok");
	char **ev;

	CHECK(xs_write(h, XBT_NULL, "/w/a/b", "1", 1));
	expect_event(h, "/w/a/b", "tok");
	CHECK(xs_write(h, XBT_NULL, "/w", "2", 1));
	expect_event(h, "/w", "tok");
	/* Siblings sharing the name prefix and unrelated nodes: nothing. */
	CHECK(xs_write(h, XBT_NULL, "/wx", "3", 1));
	CHECK(xs_write(h, XBT_NULL, "/other/w", "4", 1));
	expect_no_event(h);
	/* mkdir of a new node fires, of an existing one does not. */
	CHECK(xs_mkdir(h, XBT_NULL, "/w/d"));
	expect_event(h, "/w/d", "tok");
	CHECK(xs_mkdir(h, XBT_NULL, "/w/d"));
	expect_no_event(h);
	/* xs_check_watch returns the same layout. */
	CHECK(xs_write(h, XBT_NULL, "/w/e", "5", 1));
	ev = xs_check_watch(h);
	CHECK_NOT_NULL(ev);
	CHECK_STR_EQ(ev[XS_WATCH_PATH], "/w/e");
	CHECK_STR_EQ(ev[XS_WATCH_TOKEN], "tok");
	free(ev);
	xs_close(h);
}

TEST(xs_watch_rm_events_cover_removed_subtree)
{
	struct xs_handle *h = open_watching("/w", "top");

	CHECK(xs_write(h, XBT_NULL, "/w/a/b/c", "1", 1));
	expect_event(h, "/w/a/b/c", "top");
	CHECK(xs_watch(h, "/w/a/b", "inner"));
	expect_event(h, "/w/a/b", "inner");
	CHECK(xs_rm(h, XBT_NULL, "/w/a"));
	/* Watchers above get the removed path, watchers inside their own. */
	expect_event(h, "/w/a", "top");
	expect_event(h, "/w/a/b", "inner");
	expect_no_event(h);
	/* Removing a node that was already gone changes nothing: no event. */
	CHECK(xs_rm(h, XBT_NULL, "/w/a"));
	expect_no_event(h);
	xs_close(h);
}

TEST(xs_relative_watch_reports_relative_paths)
{
	struct xs_handle *h;

	fx_self_domid = 2;
	h = open_watching("backend/vdispl", "be");
	CHECK_EQ_INT(fx_xs_write(0, "/local/domain/2/backend/vdispl/1/0/state", "1"), 0);
	expect_event(h, "backend/vdispl/1/0/state", "be");
	CHECK(xs_write(h, XBT_NULL, "backend/vdispl", "", 0));
	expect_event(h, "backend/vdispl", "be");
	CHECK(xs_rm(h, XBT_NULL, "/local/domain/2/backend"));
	expect_event(h, "backend/vdispl", "be");
	CHECK(xs_unwatch(h, "backend/vdispl", "be"));
	xs_close(h);
}

TEST(xs_peer_write_fires_watches_on_every_handle)
{
	struct xs_handle *a = open_watching("/local/domain/1/device", "fe");
	struct xs_handle *b = xs_open(0);
	unsigned int num = 0;
	struct xs_permissions *perms;

	CHECK_EQ_INT(fx_xs_write(1, "device/vdispl/0/state", "1"), 0);
	expect_event(a, "/local/domain/1/device/vdispl/0/state", "fe");
	/* A write through another handle reaches the watcher too. */
	CHECK(xs_write(b, XBT_NULL, "/local/domain/1/device/x", "y", 1));
	expect_event(a, "/local/domain/1/device/x", "fe");
	expect_no_event(b);
	/* Nodes created by an unprivileged domain are owned by it. */
	perms = xs_get_permissions(b, XBT_NULL, "/local/domain/1/device/vdispl/0", &num);
	CHECK_NOT_NULL(perms);
	CHECK_EQ_INT(num, 1);
	CHECK_EQ_INT(perms[0].id, 1);
	free(perms);
	xs_close(a);
	xs_close(b);
}

TEST(xs_fire_watch_queues_spurious_and_special_events)
{
	struct xs_handle *h = open_watching("/w", "tok");

	CHECK(xs_watch(h, "@releaseDomain", "rel"));
	expect_event(h, "@releaseDomain", "rel");
	CHECK_EQ_INT(fx_xs_fire_watch("/w/not/there"), 1);
	expect_event(h, "/w/not/there", "tok");
	CHECK(!fx_xs_exists("/w/not/there"));
	CHECK_EQ_INT(fx_xs_fire_watch("@releaseDomain"), 1);
	expect_event(h, "@releaseDomain", "rel");
	CHECK_EQ_INT(fx_xs_fire_watch("/elsewhere"), 0);
	CHECK_EQ_INT(fx_xs_fire_watch("bad path"), -EINVAL);
	expect_no_event(h);
	xs_close(h);
}

TEST(xs_unwatch_stops_events_and_keeps_stale_ones)
{
	struct xs_handle *h = open_watching("/w", "tok");

	CHECK(xs_write(h, XBT_NULL, "/w/a", "1", 1));
	CHECK(xs_unwatch(h, "/w", "tok"));
	/* Without XS_UNWATCH_FILTER an already queued event is still read. */
	expect_event(h, "/w/a", "tok");
	CHECK(xs_write(h, XBT_NULL, "/w/b", "1", 1));
	expect_no_event(h);
	errno = 0;
	CHECK(!xs_unwatch(h, "/w", "tok"));
	CHECK_EQ_INT(errno, ENOENT);
	xs_close(h);
}

TEST(xs_unwatch_filter_drops_queued_events)
{
	struct xs_handle *h = xs_open(XS_UNWATCH_FILTER);

	CHECK(xs_watch(h, "/w", "tok"));
	CHECK(xs_watch(h, "/v", "tok"));
	CHECK(xs_write(h, XBT_NULL, "/w/a", "1", 1));
	CHECK(xs_unwatch(h, "/w", "tok"));
	/* Only the other watch's initial event is left. */
	expect_event(h, "/v", "tok");
	expect_no_event(h);
	xs_close(h);
}

TEST(xs_watch_rejects_duplicates_and_bad_args)
{
	struct xs_handle *h = open_watching("/w", "tok");

	errno = 0;
	CHECK(!xs_watch(h, "/w", "tok"));
	CHECK_EQ_INT(errno, EEXIST);
	CHECK(xs_watch(h, "/w", "tok2")); /* same path, other token: fine */
	expect_event(h, "/w", "tok2");
	CHECK(!xs_watch(h, "/w", NULL));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK(!xs_watch(h, "/w/", "t"));
	CHECK_EQ_INT(errno, EINVAL);
	CHECK(!xs_watch(h, "@", "t"));
	CHECK_EQ_INT(errno, EINVAL);
	xs_close(h);
}

TEST(xs_transactions_apply_and_end)
{
	struct xs_handle *h = xs_open(0);
	xs_transaction_t t = xs_transaction_start(h);

	CHECK(t != XBT_NULL);
	CHECK(xs_write(h, t, "/t/a", "1", 1));
	expect_value(h, "/t/a", "1"); /* applied immediately */
	CHECK(xs_transaction_end(h, t, false));
	/* The id is gone now. */
	errno = 0;
	CHECK(!xs_transaction_end(h, t, false));
	CHECK_EQ_INT(errno, ENOENT);
	errno = 0;
	CHECK_NULL(xs_read(h, t, "/t/a", NULL));
	CHECK_EQ_INT(errno, ENOENT);
	t = xs_transaction_start(h);
	CHECK(xs_transaction_end(h, t, true));
	xs_close(h);
}

TEST(xs_transaction_end_eagain_injection)
{
	struct xs_handle *h = xs_open(0);
	xs_transaction_t t1, t2;

	CHECK_EQ_INT(fx_fail(FX_XS_TRANSACTION_END, EAGAIN, 1), 0);
	t1 = xs_transaction_start(h);
	CHECK(xs_transaction_end(h, t1, false)); /* the first one passes */
	t2 = xs_transaction_start(h);
	CHECK(t2 != t1);
	errno = 0;
	CHECK(!xs_transaction_end(h, t2, false));
	CHECK_EQ_INT(errno, EAGAIN);
	/* The failed transaction is over; a retry starts a new one. */
	CHECK(!xs_transaction_end(h, t2, false));
	CHECK_EQ_INT(errno, ENOENT);
	t2 = xs_transaction_start(h);
	CHECK(xs_transaction_end(h, t2, false));
	CHECK_EQ_INT(fx_calls(FX_XS_TRANSACTION_END), 3);
	xs_close(h);
}

TEST(xs_transaction_limit)
{
	struct xs_handle *h = xs_open(0);
	int i;

	for (i = 0; i < 16; i++)
		CHECK(xs_transaction_start(h) != XBT_NULL);
	errno = 0;
	CHECK_EQ_INT(xs_transaction_start(h), XBT_NULL);
	CHECK_EQ_INT(errno, ENOSPC);
	xs_close(h);
}

TEST(xs_failure_injection_counts_calls)
{
	struct xs_handle *h;

	CHECK_EQ_INT(fx_fail(FX_XS_OPEN, EACCES, 0), 0);
	errno = 0;
	CHECK_NULL(xs_open(0));
	CHECK_EQ_INT(errno, EACCES);
	h = xs_open(0);
	CHECK_NOT_NULL(h);
	CHECK(xs_write(h, XBT_NULL, "/f", "1", 1));
	CHECK_EQ_INT(fx_fail(FX_XS_READ, EIO, 2), 0);
	expect_value(h, "/f", "1");
	expect_value(h, "/f", "1");
	errno = 0;
	CHECK_NULL(xs_read(h, XBT_NULL, "/f", NULL));
	CHECK_EQ_INT(errno, EIO);
	expect_value(h, "/f", "1"); /* one-shot */
	CHECK_EQ_INT(fx_calls(FX_XS_READ), 4);
	CHECK_EQ_INT(fx_calls(FX_XS_OPEN), 2);
	CHECK_EQ_INT(fx_fail(FX_XS_WATCH, ENOSPC, 0), 0);
	CHECK(!xs_watch(h, "/f", "t"));
	CHECK_EQ_INT(errno, ENOSPC);
	CHECK_EQ_INT(fx_fail(FX_XS_DIRECTORY, ENOMEM, 0), 0);
	CHECK_NULL(xs_directory(h, XBT_NULL, "/", &(unsigned int){0}));
	CHECK_EQ_INT(errno, ENOMEM);
	CHECK_EQ_INT(fx_fail(FX_OP_COUNT, EIO, 0), -EINVAL);
	CHECK_EQ_INT(fx_fail(FX_XS_READ, 0, 0), -EINVAL);
	xs_close(h);
}

TEST(xs_bad_handle_is_rejected)
{
	int not_a_handle = 0;
	struct xs_handle *bogus = (struct xs_handle *)&not_a_handle;
	struct xs_handle *h = xs_open(0);

	errno = 0;
	CHECK_NULL(xs_read(bogus, XBT_NULL, "/", NULL));
	CHECK_EQ_INT(errno, EBADF);
	CHECK(!xs_write(NULL, XBT_NULL, "/a", "1", 1));
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(xs_fileno(NULL), -1);
	CHECK(!xs_watch(bogus, "/a", "t"));
	CHECK_NULL(xs_check_watch(bogus));
	xs_close(bogus); /* ignored */
	xs_close(h);
	/* A closed handle is just as unknown. */
	CHECK_NULL(xs_read(h, XBT_NULL, "/", NULL));
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(xs_permissions_roundtrip)
{
	struct xs_handle *h = xs_open(0);
	struct xs_permissions set[2] = {
		{.id = 0, .perms = XS_PERM_NONE},
		{.id = 1, .perms = XS_PERM_READ},
	};
	struct xs_permissions *got;
	unsigned int num = 0;

	CHECK(xs_mkdir(h, XBT_NULL, "/p"));
	CHECK(xs_set_permissions(h, XBT_NULL, "/p", set, 2));
	got = xs_get_permissions(h, XBT_NULL, "/p", &num);
	CHECK_NOT_NULL(got);
	CHECK_EQ_INT(num, 2);
	CHECK_EQ_INT(got[1].id, 1);
	CHECK_EQ_INT(got[1].perms, XS_PERM_READ);
	free(got);
	/* Children inherit the parent's permissions. */
	CHECK(xs_write(h, XBT_NULL, "/p/c", "1", 1));
	got = xs_get_permissions(h, XBT_NULL, "/p/c", &num);
	CHECK_NOT_NULL(got);
	CHECK_EQ_INT(num, 2);
	free(got);
	errno = 0;
	CHECK(!xs_set_permissions(h, XBT_NULL, "/missing", set, 2));
	CHECK_EQ_INT(errno, ENOENT);
	CHECK(!xs_set_permissions(h, XBT_NULL, "/p", set, 0));
	CHECK_EQ_INT(errno, EINVAL);
	xs_close(h);
}

TEST(xs_event_queue_overflow_drops_events)
{
	struct xs_handle *h = open_watching("/q", "tok");
	unsigned int n = 0, num;
	char **ev;
	int i;

	for (i = 0; i < 1100; i++)
		CHECK(xs_write(h, XBT_NULL, "/q/x", "1", 1));
	CHECK_EQ_INT(fx_xs_dropped_events(), 1100 - 1024);
	while ((ev = xs_read_watch(h, &num))) {
		free(ev);
		n++;
	}
	CHECK_EQ_INT(n, 1024);
	expect_no_event(h);
	xs_close(h);
}

TEST(xs_node_limit_is_enospc)
{
	char path[32];
	int i, err = 0;

	for (i = 0; i < 9000 && !err; i++) {
		snprintf(path, sizeof(path), "/n/%d", i);
		err = fx_xs_write(1, path, "");
	}
	CHECK_EQ_INT(err, -ENOSPC);
	/* Root, /n and its children: exactly the limit of 8192 nodes. */
	CHECK_EQ_INT(i - 1, 8192 - 2);
	CHECK(!fx_xs_exists(path));
}

TEST(xs_reset_frees_tree_handles_and_fds)
{
	struct xs_handle *h = open_watching("/w", "tok");
	int fd = xs_fileno(h);

	CHECK(xs_write(h, XBT_NULL, "/w/a", "1", 1));
	CHECK_EQ_INT(fx_fail(FX_XS_READ, EIO, 0), 0);
	fx_self_domid = 7;
	fx_reset();
	CHECK_EQ_INT(fx_live_handles(), 0);
	CHECK_EQ_INT(fx_self_domid, 0);
	CHECK(!fx_xs_exists("/w/a"));
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	/* Injections are cleared too. */
	h = xs_open(0);
	CHECK(xs_write(h, XBT_NULL, "/a", "1", 1));
	expect_value(h, "/a", "1");
	xs_close(h);
}
