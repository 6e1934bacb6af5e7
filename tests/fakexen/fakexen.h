/*
 * fakexen.h - control API of the fake Xen seam used by the host unit tests.
 *
 * The fake replaces libxenstore, libxenevtchn and libxengnttab in the test
 * binary: tests/fakexen/{xs,evtchn,gnttab}.c define the real prototypes from
 * <xenstore.h>, <xenevtchn.h> and <xengnttab.h>, so code written against the
 * real libraries compiles unchanged and links against this fake instead.
 *
 * MODEL
 *	There is one global fake "machine".  The code under test is the
 *	backend and runs as domain fx_self_domid (0 unless a test changes it).
 *	The test plays every other domain (normally the frontend, e.g. domid 1)
 *	through the functions below.  Nothing here is thread-safe.
 *
 *	Nothing ever blocks: where the real library would wait (xs_read_watch,
 *	xenevtchn_pending) the fake fails with errno EAGAIN instead.  The fds
 *	returned by xs_fileno() and xenevtchn_fd() are real eventfds, readable
 *	exactly while events are queued, so poll()-based main loops work.
 *
 * CONVENTIONS
 *	Control functions return 0 (or a non-negative value) on success and a
 *	negative errno on failure.  Hitting one of the fake's hard limits is
 *	reported as -ENOSPC (ENOSPC through the library API), never as UB.
 *
 * RESET
 *	void fx_reset(void);
 *		Close every handle the code under test left open (unmapping its
 *		grant mappings, unbinding its ports), free the xenstore tree,
 *		ports and grants, close the fake's fds, clear failure
 *		injections and call counters, and set fx_self_domid back to 0.
 *		The test runner calls it before and after every test.
 *
 *	unsigned int fx_live_handles(void);
 *		Number of xs, xenevtchn and xengnttab handles currently open;
 *		tests assert 0 to prove the code under test closed everything.
 *
 * XENSTORE (tests/fakexen/xs.c)
 *	Behaves like xenstored + libxenstore: a node tree where writes create
 *	missing parents (empty value, permissions inherited from the parent,
 *	owner = writing domain unless that is dom0), rm removes a subtree (and
 *	succeeds if only the node is missing but its parent exists), paths are
 *	absolute or relative to /local/domain/<domid>, and names may only use
 *	[A-Za-z0-9_@/-].  Watches fire for changes at or below the watched
 *	path; xs_watch() queues an initial event; a watch below a removed
 *	subtree gets an event for its own path; a relative watch gets relative
 *	event paths.  Transactions only validate their ids: operations inside
 *	them apply (and fire watches) at once, and an abort does not roll back.
 *	Permissions are stored and returned but not enforced.
 *	Limits: 8192 nodes, 1024 queued events per handle (extra events are
 *	dropped, see fx_xs_dropped_events()), 128 watches and 16 open
 *	transactions per handle, XENSTORE_PAYLOAD_MAX per request (E2BIG).
 *
 *	int fx_xs_write(unsigned int domid, const char *path, const char *value);
 *		Write @value as domain @domid (a relative @path is relative to
 *		that domain's home), firing watches like a peer's write would.
 *	int fx_xs_rm(unsigned int domid, const char *path);
 *		Remove @path and its subtree as domain @domid; same rules as
 *		xs_rm(): -ENOENT only if the parent is missing too.
 *	const char *fx_xs_read(const char *path);
 *		The node's value (relative paths are relative to fx_self_domid's
 *		home) or NULL if missing or invalid.  The string belongs to the
 *		fake and stays valid until the node is next changed or removed.
 *	bool fx_xs_exists(const char *path);
 *	int fx_xs_fire_watch(const char *path);
 *		Queue a spurious event for @path (which need not exist, may be
 *		relative to fx_self_domid's home or a special "@..." name) on
 *		every matching watch, without changing the tree.  Returns the
 *		number of events queued.
 *	unsigned int fx_xs_dropped_events(void);
unsigned long fx_xs_queued_events(void);
 *		Events discarded because a handle's queue was full.
 *	unsigned long fx_xs_queued_events(void);
 *		Events queued to any handle since the fake was reset.
 *
 * EVENT CHANNELS (tests/fakexen/evtchn.c)
 *	A peer port is allocated by the test with fx_evtchn_alloc_unbound();
 *	the backend binds it with xenevtchn_bind_interdomain(h, domid, port)
 *	and gets a local port.  Peer and local ports are different numbers
 *	(local ports start at 32), so code mixing them up fails.  Peer port
 *	numbers are unique across all peer domains, which is why the functions
 *	below only take the port.  Like the Linux evtchn device, a delivered
 *	port is masked until xenevtchn_unmask(); a notification arriving while
 *	masked is remembered and delivered on unmask (at most one).
 *	Unlike Linux, xenevtchn_unmask() of a port not bound on the handle
 *	fails with EINVAL instead of being ignored, to catch port mix-ups.
 *	Unbound or closed ports are purged from the handle's pending queue.
 *
 *	int fx_evtchn_alloc_unbound(unsigned int domid, unsigned int remote_domid);
 *		As domain @domid (must not be fx_self_domid), allocate a port
 *		that @remote_domid may bind.  Returns the port (> 0).
 *	int fx_evtchn_notify_from_peer(unsigned int port);
 *		Signal the backend through peer @port: -EINVAL if no such port,
 *		-ENOTCONN if the backend has not bound it.
 *	int fx_evtchn_peer_notifications(unsigned int port);
 *		How many times the backend notified peer @port.
 *	int fx_evtchn_is_bound(unsigned int port);
 *		1 if the backend has bound peer @port, 0 if not, -EINVAL.
 *	int fx_evtchn_local_port(unsigned int port);
 *		The backend's local port bound to peer @port, or -ENOTCONN.
 *	int fx_evtchn_is_masked(unsigned int port);
 *		1 if the backend's end of peer @port is masked (delivered and
 *		not yet unmasked), 0 if not, -ENOTCONN if not bound.
 *	int fx_evtchn_close(unsigned int port);
 *		The peer closes @port.  The backend's local port stays bound on
 *		its handle but is dead: its notifications are dropped silently,
 *		as Xen does for a half-closed interdomain channel.
 *
 * GRANT TABLES (tests/fakexen/gnttab.c)
 *	Every grant owns one 4096-byte page of a memfd; the peer's view of the
 *	page (fx_gnt_page()) and the backend's mappings alias the same memory.
 *	A mapping of N refs is one contiguous region.  Refs are numbered per
 *	granting domain from 8 up (0-7 are reserved in Xen), lowest free first.
 *	Mapping fails with EINVAL and maps nothing if count is 0 or above the
 *	handle's xengnttab_set_max_grants() limit (counting pages it already
 *	has mapped), if prot is not PROT_READ[|PROT_WRITE], or if any ref is
 *	unknown for its domain, revoked, granted to a domain other than
 *	fx_self_domid, or read-only while PROT_WRITE is asked.  Unmapping needs
 *	the exact start address and count of a mapping (else EINVAL).
 *	Limit: 8192 live grants.
 *
 *	int fx_gnt_grant(unsigned int domid, unsigned int grantee, bool readonly);
 *		As domain @domid, grant a fresh zeroed page to @grantee.
 *		Returns the grant ref (>= 8).
 *	void *fx_gnt_page(unsigned int domid, uint32_t ref);
 *		The granting domain's view of the page, or NULL if no such
 *		grant.  Valid until the grant is revoked or fx_reset().
 *	int fx_gnt_revoke(unsigned int domid, uint32_t ref);
 *		End foreign access: -EBUSY while the backend still maps the
 *		page (as Xen refuses), -ENOENT if no such grant.
 *	unsigned int fx_gnt_live_mappings(void);
 *		Pages currently mapped by the backend, over all handles.
 *	unsigned int fx_gnt_maps(unsigned int domid, uint32_t ref);
 *		How many times the page is mapped now (by the backend, or held
 *		by the peer); 0 if no such grant.
 *	int fx_gnt_peer_hold(unsigned int domid, uint32_t ref, bool hold);
 *		As the grantee, map (hold) or unmap a page @domid granted:
 *		while held, ending its access fails with -EBUSY, as when a
 *		frontend keeps mapping a page dom0 granted it. -ENOENT if no
 *		such grant, -EINVAL unmapping what is not held.
 *
 * GRANTS <-> DMA-BUFS (tests/fakexen/dmabuf.c)
 *	The kernel facilities behind back/daemon/core/grant-dmabuf.h: the zdispl
 *	helper and gntdev's dma-buf calls, both modelled the same way.
 *	Neither is present until fx_zcopy_present() says so.
 *
 *	An export holds its grant pages (fx_gnt_revoke() answers -EBUSY) and
 *	returns the write end of a pipe as its dma-buf fd: it is released
 *	once every fd of that pipe (the daemon's and every dup(), e.g. the
 *	fake display's) is closed, which the fake sees as a hang-up on the
 *	read end it keeps. Nothing ever sleeps: waiting for an export still
 *	in use fails with ETIMEDOUT at once. An import takes a dup() of a
 *	dma-buf fd whose size is exactly n pages (a memfd, as the fake
 *	display's dumb buffers are) and grants n fresh pages of fx_self_domid
 *	to the domain; its release revokes them. An allocation (the helper
 *	only) grants n fresh pages of fx_self_domid to the domain and is a
 *	pipe like an export; its release revokes what it can, and the refs
 *	still held by the peer (fx_gnt_peer_hold) are revoked at later
 *	looks, as the helper retries. Ids count from 1. Closing the device
 *	forgets the ids not waited for and releases its imports.
 *
 *	void fx_zcopy_present(bool helper, bool gntdev, bool pv);
 *		What zd_zcdev_open() finds: the helper, gntdev with dma-buf
 *		support, and whether we run in a PV domain (gntdev: import
 *		only). fx_reset() makes both absent.
 *	void fx_zcopy_stats(struct fx_zcopy_stats *st);
 *		Live and total counts; all of the *_alive ones are 0 when
 *		nothing is left behind.
 *	long long fx_dmabuf_size(int fd);
 *		Octets of a fake dma-buf (an export or allocation) or a memfd;
 *		-errno.
 *	int fx_dmabuf_read(int fd, uint64_t off, void *buf, size_t len);
 *		Read what a device scanning the dma-buf out sees: an export's
 *		grant pages, or the file's contents. -EINVAL past the end.
 *
 * FAILURE INJECTION (tests/fakexen/common.c)
 *	int fx_fail(enum fx_op op, int err, unsigned int after_n_calls);
 *		Let the next @after_n_calls calls of the library function(s)
 *		named by @op succeed, then make the following one fail with
 *		errno @err (> 0).  One-shot; a new fx_fail() for the same @op
 *		replaces the pending one.  Calls rejected for an invalid handle
 *		are not counted.  FX_XS_TRANSACTION_END fails after ending the
 *		transaction, as xenstored does for EAGAIN.
 *	unsigned long fx_calls(enum fx_op op);
 *		Calls of @op's function(s) since the last fx_reset().
 */
#ifndef ZDISPL_FAKEXEN_H
#define ZDISPL_FAKEXEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The library entry points whose failure can be injected. */
enum fx_op {
	FX_XS_OPEN,
	FX_XS_READ,
	FX_XS_WRITE,
	FX_XS_MKDIR,
	FX_XS_RM,
	FX_XS_DIRECTORY,
	FX_XS_WATCH,
	FX_XS_UNWATCH,
	FX_XS_READ_WATCH, /* xs_read_watch() and xs_check_watch() */
	FX_XS_TRANSACTION_START,
	FX_XS_TRANSACTION_END,
	FX_XS_GET_DOMAIN_PATH,
	FX_XS_SET_PERMISSIONS,
	FX_XS_GET_PERMISSIONS,
	FX_EVTCHN_OPEN,
	FX_EVTCHN_BIND, /* xenevtchn_bind_interdomain() */
	FX_EVTCHN_UNBIND,
	FX_EVTCHN_NOTIFY,
	FX_EVTCHN_PENDING,
	FX_EVTCHN_UNMASK,
	FX_GNT_OPEN,
	FX_GNT_SET_MAX,
	FX_GNT_MAP, /* every xengnttab_map_* function */
	FX_GNT_UNMAP,
	FX_ZC_OPEN, /* zd_zcdev_open() */
	FX_ZC_EXPORT,
	FX_ZC_WAIT,
	FX_ZC_IMPORT,
	FX_ZC_IMPORT_RELEASE,
	FX_ZC_ALLOC,
	FX_OP_COUNT
};

/* Domain the code under test runs as; fx_reset() sets it back to 0. */
extern unsigned int fx_self_domid;

void fx_reset(void);
unsigned int fx_live_handles(void);

int fx_fail(enum fx_op op, int err, unsigned int after_n_calls);
unsigned long fx_calls(enum fx_op op);

int fx_xs_write(unsigned int domid, const char *path, const char *value);
int fx_xs_rm(unsigned int domid, const char *path);
const char *fx_xs_read(const char *path);
bool fx_xs_exists(const char *path);
int fx_xs_fire_watch(const char *path);
unsigned int fx_xs_dropped_events(void);
unsigned long fx_xs_queued_events(void);

int fx_evtchn_alloc_unbound(unsigned int domid, unsigned int remote_domid);
int fx_evtchn_notify_from_peer(unsigned int port);
int fx_evtchn_peer_notifications(unsigned int port);
int fx_evtchn_is_bound(unsigned int port);
int fx_evtchn_local_port(unsigned int port);
int fx_evtchn_is_masked(unsigned int port);
int fx_evtchn_close(unsigned int port);

int fx_gnt_grant(unsigned int domid, unsigned int grantee, bool readonly);
void *fx_gnt_page(unsigned int domid, uint32_t ref);
int fx_gnt_revoke(unsigned int domid, uint32_t ref);
int fx_gnt_peer_hold(unsigned int domid, uint32_t ref, bool hold);
unsigned int fx_gnt_live_mappings(void);
unsigned int fx_gnt_maps(unsigned int domid, uint32_t ref);

struct fx_zcopy_stats {
	unsigned int exports_alive;    /* dma-bufs not released (an fd still open) */
	unsigned int pages_mapped;     /* grant pages those hold */
	unsigned int exports_unwaited; /* ids not yet waited for (released or not) */
	unsigned int imports_alive;    /* imports not released */
	unsigned int allocs_alive;     /* allocations whose dma-buf is not released */
	unsigned int grants_alive;     /* refs granted by imports and allocations, not ended */
	unsigned long exports_total, imports_total, allocs_total, waits, waits_timed_out;
};

void fx_zcopy_present(bool helper, bool gntdev, bool pv);
void fx_zcopy_stats(struct fx_zcopy_stats *st);
long long fx_dmabuf_size(int fd);
int fx_dmabuf_read(int fd, uint64_t off, void *buf, size_t len);

#endif /* ZDISPL_FAKEXEN_H */
