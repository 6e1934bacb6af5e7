/*
 * test_fakexen_evtchn.c - proves the fake event channels behave like Xen
 * plus the Linux evtchn device: binding, masking, pending and the fd.
 */
#include <fcntl.h>
#include <errno.h>

#include <xenevtchn.h>

#include "fakexen/fakexen.h"
#include "test.h"

#define PEER 1

/* Offer a port from PEER to the backend and bind it; returns the local port. */
static int bind_peer_port(xenevtchn_handle *h, int *peer_port)
{
	int local;

	*peer_port = fx_evtchn_alloc_unbound(PEER, 0);
	CHECK(*peer_port > 0);
	local = xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)*peer_port);
	CHECK(local > 0);
	return local;
}

static void expect_nothing_pending(xenevtchn_handle *h)
{
	CHECK(!test_fd_readable(xenevtchn_fd(h)));
	errno = 0;
	CHECK_EQ_INT(xenevtchn_pending(h), -1);
	CHECK_EQ_INT(errno, EAGAIN);
}

/* As real callers must: the device fd blocks until made non-blocking. */
static xenevtchn_handle *open_nonblocking(void)
{
	xenevtchn_handle *h = xenevtchn_open(NULL, 0);

	if (h)
		fcntl(xenevtchn_fd(h), F_SETFL, fcntl(xenevtchn_fd(h), F_GETFL) | O_NONBLOCK);
	return h;
}

TEST(evtchn_open_close_counts_handles)
{
	xenevtchn_handle *a = open_nonblocking(), *b = open_nonblocking();

	CHECK_NOT_NULL(a);
	CHECK_NOT_NULL(b);
	CHECK_EQ_INT(fx_live_handles(), 2);
	CHECK(xenevtchn_fd(a) >= 0);
	CHECK(xenevtchn_fd(a) != xenevtchn_fd(b));
	CHECK_EQ_INT(xenevtchn_close(a), 0);
	CHECK_EQ_INT(xenevtchn_close(b), 0);
	CHECK_EQ_INT(xenevtchn_close(NULL), 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(evtchn_bind_and_peer_notify_become_pending)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	CHECK(local != peer); /* distinct numbering catches port mix-ups */
	CHECK_EQ_INT(fx_evtchn_is_bound(peer), 1);
	CHECK_EQ_INT(fx_evtchn_local_port(peer), local);
	CHECK_EQ_INT(fx_evtchn_is_masked(peer), 0);
	expect_nothing_pending(h);

	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	CHECK(test_fd_readable(xenevtchn_fd(h)));
	CHECK_EQ_INT(xenevtchn_pending(h), local);
	CHECK_EQ_INT(fx_evtchn_is_masked(peer), 1);
	expect_nothing_pending(h);
	CHECK_EQ_INT(xenevtchn_unmask(h, (evtchn_port_t)local), 0);
	CHECK_EQ_INT(fx_evtchn_is_masked(peer), 0);
	expect_nothing_pending(h);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_notify_while_masked_is_delivered_on_unmask)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	/* Masked after the first delivery: the others coalesce into one. */
	CHECK_EQ_INT(xenevtchn_pending(h), local);
	expect_nothing_pending(h);
	CHECK_EQ_INT(xenevtchn_unmask(h, (evtchn_port_t)local), 0);
	CHECK(test_fd_readable(xenevtchn_fd(h)));
	CHECK_EQ_INT(xenevtchn_pending(h), local);
	CHECK_EQ_INT(xenevtchn_unmask(h, (evtchn_port_t)local), 0);
	expect_nothing_pending(h);
	/* Unmasking an unmasked port is harmless. */
	CHECK_EQ_INT(xenevtchn_unmask(h, (evtchn_port_t)local), 0);
	expect_nothing_pending(h);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_two_ports_queue_in_order)
{
	xenevtchn_handle *h = open_nonblocking();
	int p1, p2, l1 = bind_peer_port(h, &p1), l2 = bind_peer_port(h, &p2);

	CHECK(l1 != l2);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(p2), 0);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(p1), 0);
	CHECK_EQ_INT(xenevtchn_pending(h), l2);
	CHECK_EQ_INT(xenevtchn_pending(h), l1);
	expect_nothing_pending(h);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_backend_notify_counts_per_peer_port)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	CHECK_EQ_INT(fx_evtchn_peer_notifications(peer), 0);
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)local), 0);
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)local), 0);
	CHECK_EQ_INT(fx_evtchn_peer_notifications(peer), 2);
	/* Notifying the peer's port number instead of ours is an error. */
	errno = 0;
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)peer), -1);
	CHECK_EQ_INT(errno, ENOTCONN);
	CHECK_EQ_INT(fx_evtchn_peer_notifications(peer), 2);
	CHECK_EQ_INT(fx_fail(FX_EVTCHN_NOTIFY, EIO, 0), 0);
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)local), -1);
	CHECK_EQ_INT(errno, EIO);
	CHECK_EQ_INT(fx_evtchn_peer_notifications(peer), 2);
	CHECK_EQ_INT(fx_evtchn_peer_notifications(999), -EINVAL);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_bind_errors)
{
	xenevtchn_handle *h = open_nonblocking(), *other = open_nonblocking();
	int for_us = fx_evtchn_alloc_unbound(PEER, 0);
	int for_dom7 = fx_evtchn_alloc_unbound(PEER, 7);

	CHECK(for_us > 0 && for_dom7 > 0);
	errno = 0;
	CHECK_EQ_INT(xenevtchn_bind_interdomain(h, PEER, 1000), -1); /* no such port */
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xenevtchn_bind_interdomain(h, 2, (evtchn_port_t)for_us), -1);
	CHECK_EQ_INT(errno, EINVAL); /* the port belongs to domain 1 */
	CHECK_EQ_INT(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)for_dom7), -1);
	CHECK_EQ_INT(errno, EINVAL); /* offered to another domain */
	CHECK(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)for_us) > 0);
	errno = 0;
	CHECK_EQ_INT(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)for_us), -1);
	CHECK_EQ_INT(errno, EINVAL); /* already bound, as Xen reports it */
	CHECK_EQ_INT(xenevtchn_bind_interdomain(other, PEER, (evtchn_port_t)for_us), -1);
	CHECK_EQ_INT(errno, EINVAL);
	/* Injected failure, then the bind works. */
	fx_self_domid = 7;
	CHECK_EQ_INT(fx_fail(FX_EVTCHN_BIND, ENOMEM, 0), 0);
	CHECK_EQ_INT(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)for_dom7), -1);
	CHECK_EQ_INT(errno, ENOMEM);
	CHECK(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)for_dom7) > 0);
	CHECK_EQ_INT(fx_calls(FX_EVTCHN_BIND), 8);
	/* A domain cannot play the peer of itself. */
	CHECK_EQ_INT(fx_evtchn_alloc_unbound(7, 0), -EINVAL);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
	CHECK_EQ_INT(xenevtchn_close(other), 0);
}

TEST(evtchn_unbind_frees_both_ends)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	CHECK_EQ_INT(xenevtchn_unbind(h, (evtchn_port_t)local), 0);
	/* The queued delivery went with the port. */
	expect_nothing_pending(h);
	CHECK_EQ_INT(fx_evtchn_is_bound(peer), 0);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), -ENOTCONN);
	errno = 0;
	CHECK_EQ_INT(xenevtchn_unbind(h, (evtchn_port_t)local), -1);
	CHECK_EQ_INT(errno, ENOTCONN);
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)local), -1);
	CHECK_EQ_INT(errno, ENOTCONN);
	/* The peer's port is unbound again and can be bound anew. */
	CHECK(xenevtchn_bind_interdomain(h, PEER, (evtchn_port_t)peer) > 0);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_unmask_of_foreign_port_is_einval)
{
	xenevtchn_handle *h = open_nonblocking(), *other = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	errno = 0;
	CHECK_EQ_INT(xenevtchn_unmask(h, (evtchn_port_t)peer), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xenevtchn_unmask(other, (evtchn_port_t)local), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xenevtchn_unmask(h, 100000), -1);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
	CHECK_EQ_INT(xenevtchn_close(other), 0);
}

TEST(evtchn_close_unbinds_everything)
{
	xenevtchn_handle *h = open_nonblocking();
	int p1, p2;

	bind_peer_port(h, &p1);
	bind_peer_port(h, &p2);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(p1), 0);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(p1), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(p2), 0);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(evtchn_peer_close_leaves_dead_local_port)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer, local = bind_peer_port(h, &peer);

	CHECK_EQ_INT(fx_evtchn_close(peer), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(peer), -EINVAL);
	/* Sending on a half-closed channel succeeds and goes nowhere. */
	CHECK_EQ_INT(xenevtchn_notify(h, (evtchn_port_t)local), 0);
	CHECK_EQ_INT(xenevtchn_unbind(h, (evtchn_port_t)local), 0);
	CHECK_EQ_INT(fx_evtchn_close(peer), -EINVAL);
	CHECK_EQ_INT(xenevtchn_close(h), 0);
}

TEST(evtchn_bad_handle_and_unsupported_calls)
{
	int not_a_handle = 0;
	xenevtchn_handle *bogus = (xenevtchn_handle *)&not_a_handle;

	errno = 0;
	CHECK_EQ_INT(xenevtchn_fd(bogus), -1);
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(xenevtchn_pending(NULL), -1);
	CHECK_EQ_INT(xenevtchn_notify(bogus, 40), -1);
	CHECK_EQ_INT(xenevtchn_close(bogus), -1);
	CHECK_EQ_INT(errno, EBADF);
	CHECK_EQ_INT(xenevtchn_bind_virq(NULL, 1), -1);
	CHECK_EQ_INT(errno, ENOSYS);
	CHECK_EQ_INT(fx_fail(FX_EVTCHN_OPEN, EACCES, 0), 0);
	CHECK_NULL(open_nonblocking());
	CHECK_EQ_INT(errno, EACCES);
	CHECK_EQ_INT(fx_live_handles(), 0);
}

TEST(evtchn_reset_frees_ports_and_handles)
{
	xenevtchn_handle *h = open_nonblocking();
	int peer;

	bind_peer_port(h, &peer);
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(peer), 0);
	fx_reset();
	CHECK_EQ_INT(fx_live_handles(), 0);
	CHECK_EQ_INT(fx_evtchn_is_bound(peer), -EINVAL);
	/* Numbering starts over. */
	CHECK_EQ_INT(fx_evtchn_alloc_unbound(PEER, 0), peer);
}
