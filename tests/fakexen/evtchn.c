/*
 * evtchn.c - fake libxenevtchn (plus the Linux evtchn device and the Xen
 * event channel state behind it) for host unit tests.
 *
 * Peer ports belong to the test's fake peer domains, local ports to the
 * backend (fx_self_domid).  Both live in small fixed tables indexed by
 * port number; see fakexen.h for the model.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "internal.h"

#define FX_EVTCHN_NR_PORTS 1024
/* Local ports start high so that using a peer port number locally fails. */
#define FX_EVTCHN_LOCAL_BASE 32
#define FX_EVTCHN_RING_SIZE 1024

struct fx_peer_port {
	bool used;
	unsigned int domid;
	unsigned int remote_domid; /* who may bind it */
	unsigned int local;	   /* backend port bound to it, 0 if unbound */
	unsigned int notifications;
};

struct fx_local_port {
	xenevtchn_handle *h; /* NULL: port free */
	unsigned int peer;   /* 0 once the peer closed its end */
	bool masked;	     /* delivered and not unmasked yet */
	bool pending;	     /* signalled while masked */
};

struct xenevtchn_handle {
	xenevtchn_handle *next;
	int fd;
	/* Ports delivered and not yet returned by xenevtchn_pending(). */
	unsigned int ring[FX_EVTCHN_RING_SIZE];
	unsigned int ring_head;
	unsigned int ring_count;
	bool overflow;
};

static struct fx_peer_port peers[FX_EVTCHN_NR_PORTS];
static struct fx_local_port locals[FX_EVTCHN_NR_PORTS];
static xenevtchn_handle *handles;

static int fail(int err)
{
	errno = err;
	return -1;
}

static bool handle_is_live(const xenevtchn_handle *h)
{
	const xenevtchn_handle *p;

	for (p = handles; p; p = p->next) {
		if (p == h)
			return true;
	}
	return false;
}

/* Handle check plus failure injection; returns 0 or the errno to fail with. */
static int enter(const xenevtchn_handle *h, enum fx_op op)
{
	return handle_is_live(h) ? fxi_inject(op) : EBADF;
}

static bool local_is_mine(const xenevtchn_handle *h, evtchn_port_t port)
{
	return port < FX_EVTCHN_NR_PORTS && locals[port].h == h;
}

static bool peer_exists(unsigned int port)
{
	return port > 0 && port < FX_EVTCHN_NR_PORTS && peers[port].used;
}

/* ------------------------------------------------------------------------
 * Delivery, modelled on the Linux evtchn device: a fired port is masked
 * and queued for read; while masked, further events only set pending.
 */

static void ring_push(xenevtchn_handle *h, unsigned int port)
{
	if (h->ring_count == FX_EVTCHN_RING_SIZE) {
		h->overflow = true;
	} else {
		h->ring[(h->ring_head + h->ring_count) % FX_EVTCHN_RING_SIZE] = port;
		h->ring_count++;
	}
	fxi_readyfd_set(h->fd, true);
}

static void ring_purge(xenevtchn_handle *h, unsigned int port)
{
	unsigned int i, kept = 0;

	for (i = 0; i < h->ring_count; i++) {
		unsigned int p = h->ring[(h->ring_head + i) % FX_EVTCHN_RING_SIZE];

		if (p != port)
			h->ring[(h->ring_head + kept++) % FX_EVTCHN_RING_SIZE] = p;
	}
	h->ring_count = kept;
	fxi_readyfd_set(h->fd, h->ring_count > 0 || h->overflow);
}

static void signal_local(unsigned int port)
{
	struct fx_local_port *lp = &locals[port];

	if (lp->masked) {
		lp->pending = true;
		return;
	}
	lp->masked = true;
	ring_push(lp->h, port);
}

static void unbind_local(unsigned int port)
{
	struct fx_local_port *lp = &locals[port];

	if (lp->peer)
		peers[lp->peer].local = 0; /* the peer's end is unbound again */
	ring_purge(lp->h, port);
	*lp = (struct fx_local_port){0};
}

/* ------------------------------------------------------------------------
 * Library API
 */

unsigned int fxi_evtchn_nr_handles(void)
{
	const xenevtchn_handle *h;
	unsigned int n = 0;

	for (h = handles; h; h = h->next)
		n++;
	return n;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	xenevtchn_handle *h;
	int err = fxi_inject(FX_EVTCHN_OPEN);

	(void)logger;
	(void)flags;
	if (err) {
		errno = err;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->fd = fxi_readyfd_open(false);
	if (h->fd < 0) {
		err = errno;
		free(h);
		errno = err;
		return NULL;
	}
	h->next = handles;
	handles = h;
	return h;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
	(void)logger;
	(void)fd;
	(void)open_flags;
	errno = ENOSYS;
	return NULL;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	xenevtchn_handle **pp;
	unsigned int port;

	if (!xce)
		return 0;
	for (pp = &handles; *pp && *pp != xce; pp = &(*pp)->next)
		;
	if (!*pp)
		return fail(EBADF);
	*pp = xce->next;
	for (port = 0; port < FX_EVTCHN_NR_PORTS; port++) {
		if (locals[port].h == xce)
			unbind_local(port);
	}
	close(xce->fd);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return handle_is_live(xce) ? xce->fd : fail(EBADF);
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	unsigned int peer;
	int err = enter(xce, FX_EVTCHN_NOTIFY);

	if (!err && !local_is_mine(xce, port))
		err = ENOTCONN; /* what the Linux device says for a foreign port */
	if (err)
		return fail(err);
	/* Xen silently drops sends on a channel whose peer has gone away. */
	peer = locals[port].peer;
	if (peer && peers[peer].notifications < UINT_MAX)
		peers[peer].notifications++;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	(void)xce;
	(void)domid;
	return fail(ENOSYS);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	unsigned int port;
	int err = enter(xce, FX_EVTCHN_BIND);

	if (err)
		return fail(err);
	/*
	 * Xen answers EINVAL alike for a port that does not exist, belongs
	 * to another domain, was not offered to us, or is already bound.
	 */
	if (!peer_exists(remote_port) || peers[remote_port].domid != domid ||
	    peers[remote_port].remote_domid != fx_self_domid || peers[remote_port].local)
		return fail(EINVAL);
	for (port = FX_EVTCHN_LOCAL_BASE; port < FX_EVTCHN_NR_PORTS; port++) {
		if (!locals[port].h)
			break;
	}
	if (port == FX_EVTCHN_NR_PORTS)
		return fail(ENOSPC);
	locals[port] = (struct fx_local_port){.h = xce, .peer = remote_port};
	peers[remote_port].local = port;
	return (xenevtchn_port_or_error_t)port;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	(void)xce;
	(void)virq;
	return fail(ENOSYS);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	int err = enter(xce, FX_EVTCHN_UNBIND);

	if (!err && !local_is_mine(xce, port))
		err = ENOTCONN;
	if (err)
		return fail(err);
	unbind_local(port);
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	unsigned int port;
	int err = enter(xce, FX_EVTCHN_PENDING);

	if (err)
		return fail(err);
	if (xce->overflow)
		return fail(EFBIG); /* the Linux device reports ring overflow so */
	if (xce->ring_count == 0) {
		/*
		 * The real call reads /dev/xen/evtchn: on a blocking fd it
		 * waits for the next event, which in a single-threaded
		 * daemon may never come. Code under test must set O_NONBLOCK.
		 */
		if (!(fcntl(xce->fd, F_GETFL) & O_NONBLOCK)) {
			fprintf(stderr, "fakexen: xenevtchn_pending() on a blocking fd with "
					"nothing pending would block forever\n");
			abort();
		}
		return fail(EAGAIN);
	}
	port = xce->ring[xce->ring_head];
	xce->ring_head = (xce->ring_head + 1) % FX_EVTCHN_RING_SIZE;
	xce->ring_count--;
	fxi_readyfd_set(xce->fd, xce->ring_count > 0);
	return (xenevtchn_port_or_error_t)port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct fx_local_port *lp;
	int err = enter(xce, FX_EVTCHN_UNMASK);

	/* Stricter than Linux, which ignores ports it does not know. */
	if (!err && !local_is_mine(xce, port))
		err = EINVAL;
	if (err)
		return fail(err);
	lp = &locals[port];
	if (lp->masked) {
		lp->masked = false;
		if (lp->pending) {
			lp->pending = false;
			signal_local(port);
		}
	}
	return 0;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	(void)xce;
	(void)domid;
	return fail(ENOSYS);
}

/* ------------------------------------------------------------------------
 * Control API
 */

int fx_evtchn_alloc_unbound(unsigned int domid, unsigned int remote_domid)
{
	unsigned int port;

	if (domid == fx_self_domid)
		return -EINVAL;
	for (port = 1; port < FX_EVTCHN_NR_PORTS; port++) {
		if (!peers[port].used) {
			peers[port] = (struct fx_peer_port){
				.used = true,
				.domid = domid,
				.remote_domid = remote_domid,
			};
			return (int)port;
		}
	}
	return -ENOSPC;
}

int fx_evtchn_notify_from_peer(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	if (!peers[port].local)
		return -ENOTCONN;
	signal_local(peers[port].local);
	return 0;
}

int fx_evtchn_peer_notifications(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	return peers[port].notifications > INT_MAX ? INT_MAX : (int)peers[port].notifications;
}

int fx_evtchn_is_bound(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	return peers[port].local != 0;
}

int fx_evtchn_local_port(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	return peers[port].local ? (int)peers[port].local : -ENOTCONN;
}

int fx_evtchn_is_masked(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	if (!peers[port].local)
		return -ENOTCONN;
	return locals[peers[port].local].masked;
}

int fx_evtchn_close(unsigned int port)
{
	if (!peer_exists(port))
		return -EINVAL;
	if (peers[port].local)
		locals[peers[port].local].peer = 0;
	peers[port] = (struct fx_peer_port){0};
	return 0;
}

void fxi_evtchn_reset(void)
{
	while (handles)
		xenevtchn_close(handles);
	for (unsigned int i = 0; i < FX_EVTCHN_NR_PORTS; i++)
		peers[i] = (struct fx_peer_port){0};
}
