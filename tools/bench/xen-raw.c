// SPDX-License-Identifier: MIT
/*
 * zdispl-bench-raw: what Xen itself costs, for the benchmarks to compare
 * the display path with (make bench, docs/performance.md).
 *
 *   offer (in a guest): an event channel that dom0 may bind, echoing every
 *     event back, and PAGES pages granted read-only to dom0; the port and
 *     the grant refs are published under the guest's data/zdispl-bench.
 *   ping (in dom0): ROUNDS event-channel round trips with the guest.
 *   map (in dom0): the guest's refs mapped in one batched call and
 *     unmapped again, ROUNDS times.
 *
 * Each dom0 command prints one line of numbers (see --help).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define BASE "data/zdispl-bench"
#define REFS_PER_NODE 300 /* 300 refs of up to 10 digits and a space: within 4 KiB */
#define MAX_PAGES (1u << 16)
#define MAX_ROUNDS 1000000u

struct opts {
	unsigned long pages, rounds, domid, seconds;
	bool have_domid;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zdispl-bench-raw offer [--pages N] [--seconds S]   (in a guest)\n"
		"       zdispl-bench-raw ping --domid D [--rounds N]       (in dom0)\n"
		"       zdispl-bench-raw map --domid D [--rounds N]        (in dom0)\n"
		"\n"
		"offer: an event channel for dom0 that echoes every event, and N pages\n"
		"  (default 0, at most %u) granted read-only to dom0, published under\n"
		"  the guest's %s; runs S seconds (default 600) or until\n"
		"  %s/stop is written.\n"
		"ping: N event-channel round trips (default 10000); prints\n"
		"  evtchn rounds=N p50_us=T p99_us=T max_us=T mean_us=T\n"
		"map: the guest's pages mapped in one batched call and unmapped, N times\n"
		"  (default 20); prints\n"
		"  gntmap pages=P rounds=N calls_per_map=1 p50_us=T max_us=T mean_us=T\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n",
		MAX_PAGES, BASE, BASE);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s && s[0] != '-' && !*end && !errno && *v <= max ? 0 : -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"pages", required_argument, NULL, 'p'}, {"rounds", required_argument, NULL, 'n'},
		{"domid", required_argument, NULL, 'd'}, {"seconds", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "p:n:d:s:h", longopts, NULL)) != -1) {
		int bad = 0;

		switch (opt) {
		case 'p':
			bad = parse_ulong(optarg, MAX_PAGES, &o->pages);
			break;
		case 'n':
			bad = parse_ulong(optarg, MAX_ROUNDS, &o->rounds) || !o->rounds;
			break;
		case 'd':
			bad = parse_ulong(optarg, 0x7fef, &o->domid);
			o->have_domid = true;
			break;
		case 's':
			bad = parse_ulong(optarg, 86400, &o->seconds) || !o->seconds;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "error: bad value '%s' for -%c\n", optarg, opt);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- Guest side ------------------------------------------------------------ */

static bool xs_printf(struct xs_handle *xs, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool xs_printf(struct xs_handle *xs, const char *path, const char *fmt, ...)
{
	char val[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < sizeof(val) && xs_write(xs, XBT_NULL, path, val, (size_t)n);
}

/* The refs, REFS_PER_NODE to a node: refs/0, refs/1, ... */
static int publish_refs(struct xs_handle *xs, const uint32_t *refs, unsigned long n)
{
	for (unsigned long i = 0, node = 0; i < n; node++) {
		char val[4096], path[64];
		size_t len = 0;

		for (unsigned long k = 0; k < REFS_PER_NODE && i < n; k++, i++)
			len += (size_t)snprintf(val + len, sizeof(val) - len, "%s%" PRIu32,
						k ? " " : "", refs[i]);
		snprintf(path, sizeof(path), BASE "/refs/%lu", node);
		if (!xs_write(xs, XBT_NULL, path, val, len))
			return -errno;
	}
	return 0;
}

static bool stop_written(struct xs_handle *xs)
{
	unsigned int len;
	char *v = xs_read(xs, XBT_NULL, BASE "/stop", &len);

	free(v);
	return v != NULL;
}

static int cmd_offer(const struct opts *o)
{
	struct xs_handle *xs = xs_open(0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengntshr_handle *xgs = NULL;
	uint32_t *refs = NULL;
	void *pages = NULL;
	uint64_t end = now_ns() + (uint64_t)(o->seconds ? o->seconds : 600) * 1000000000u;
	unsigned long echoed = 0;
	int port = -1, ret = 1;

	if (!xs || !xce) {
		fprintf(stderr, "error: xenstore or evtchn: %s\n", strerror(errno));
		goto out;
	}
	xs_rm(xs, XBT_NULL, BASE);
	if (o->pages) {
		refs = calloc(o->pages, sizeof(*refs));
		xgs = xengntshr_open(NULL, 0);
		if (xgs)
			pages = xengntshr_share_pages(xgs, 0, (int)o->pages, refs, 0);
		if (!pages) {
			fprintf(stderr, "error: granting %lu pages to dom0: %s%s\n", o->pages,
				strerror(errno),
				" (gntalloc's limit: /sys/module/xen_gntalloc/parameters/limit)");
			goto out;
		}
		memset(pages, 0x5a, o->pages * 4096);
		if (publish_refs(xs, refs, o->pages)) {
			fprintf(stderr, "error: publishing the refs: %s\n", strerror(errno));
			goto out;
		}
	}
	port = xenevtchn_bind_unbound_port(xce, 0);
	if (port < 0 || !xs_printf(xs, BASE "/pages", "%lu", o->pages) ||
	    !xs_printf(xs, BASE "/port", "%d", port)) {
		fprintf(stderr, "error: event channel: %s\n", strerror(errno));
		goto out;
	}
	printf("offer port=%d pages=%lu\n", port, o->pages);
	fflush(stdout);
	/* Stop is looked for only when idle: an echo must not wait on xenstore. */
	while (now_ns() < end) {
		struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
		int p;

		if (poll(&pfd, 1, 500) <= 0) {
			if (stop_written(xs))
				break;
			continue;
		}
		p = xenevtchn_pending(xce);
		if (p < 0)
			continue;
		xenevtchn_unmask(xce, (evtchn_port_t)p);
		xenevtchn_notify(xce, (evtchn_port_t)p);
		echoed++;
	}
	printf("offer echoed=%lu\n", echoed);
	ret = 0;
out:
	if (xs)
		xs_rm(xs, XBT_NULL, BASE);
	if (port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)port);
	if (pages)
		xengntshr_unshare(xgs, pages, o->pages);
	if (xgs)
		xengntshr_close(xgs);
	free(refs);
	if (xce)
		xenevtchn_close(xce);
	if (xs)
		xs_close(xs);
	return ret;
}

/* ---- dom0 side ------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v; prints p50, p99 (unless !p99), max and mean in microseconds. */
static void print_times(uint64_t *v, unsigned long n, bool p99)
{
	double sum = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (unsigned long i = 0; i < n; i++)
		sum += (double)v[i];
	printf(" p50_us=%.1f", (double)v[(n - 1) / 2] / 1e3);
	if (p99)
		printf(" p99_us=%.1f", (double)v[(n * 99 + 99) / 100 - 1] / 1e3);
	printf(" max_us=%.1f mean_us=%.1f\n", (double)v[n - 1] / 1e3, sum / (double)n / 1e3);
}

/* The guest's node under BASE, as an unsigned number up to max. */
static int read_guest_ulong(struct xs_handle *xs, unsigned long domid, const char *node,
			    unsigned long max, unsigned long *v)
{
	char path[96];
	unsigned int len;
	char *s;
	int r;

	snprintf(path, sizeof(path), "/local/domain/%lu/" BASE "/%s", domid, node);
	s = xs_read(xs, XBT_NULL, path, &len);
	if (!s)
		return -errno;
	r = parse_ulong(s, max, v) ? -EINVAL : 0;
	free(s);
	return r;
}

static int cmd_ping(const struct opts *o)
{
	unsigned long rounds = o->rounds ? o->rounds : 10000, port;
	struct xs_handle *xs = xs_open(0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	uint64_t *t = calloc(rounds, sizeof(*t));
	int local = -1, ret = 1;

	if (!xs || !xce || !t) {
		fprintf(stderr, "error: setup: %s\n", strerror(errno));
		goto out;
	}
	if (read_guest_ulong(xs, o->domid, "port", 0xffffff, &port)) {
		fprintf(stderr, "error: no port from dom%lu (is 'offer' running?)\n", o->domid);
		goto out;
	}
	local = xenevtchn_bind_interdomain(xce, (uint32_t)o->domid, (evtchn_port_t)port);
	if (local < 0) {
		fprintf(stderr, "error: binding dom%lu's port %lu: %s\n", o->domid, port,
			strerror(errno));
		goto out;
	}
	/*
	 * Xen sets a port pending when it binds it to a remote one: take that
	 * event first (waiting 100 ms at most for it), or the first round
	 * would end at once, with no echo.
	 */
	for (int wait_ms = 100;; wait_ms = 0) {
		struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
		int p;

		if (poll(&pfd, 1, wait_ms) <= 0 || (p = xenevtchn_pending(xce)) < 0)
			break;
		xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	for (unsigned long i = 0; i < rounds; i++) {
		struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
		uint64_t t0 = now_ns();
		int p;

		xenevtchn_notify(xce, (evtchn_port_t)local);
		if (poll(&pfd, 1, 2000) <= 0 || (p = xenevtchn_pending(xce)) < 0) {
			fprintf(stderr, "error: no echo within 2 s at round %lu\n", i);
			goto out;
		}
		t[i] = now_ns() - t0;
		xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	printf("evtchn rounds=%lu", rounds);
	print_times(t, rounds, true);
	ret = 0;
out:
	if (local >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)local);
	free(t);
	if (xce)
		xenevtchn_close(xce);
	if (xs)
		xs_close(xs);
	return ret;
}

/* The guest's refs, as publish_refs() wrote them. */
static int read_refs(struct xs_handle *xs, unsigned long domid, uint32_t *refs, unsigned long n)
{
	unsigned long i = 0;

	for (unsigned long node = 0; i < n; node++) {
		char path[96], *s, *p, *end;
		unsigned int len;

		snprintf(path, sizeof(path), "/local/domain/%lu/" BASE "/refs/%lu", domid, node);
		s = xs_read(xs, XBT_NULL, path, &len);
		if (!s)
			return -errno;
		for (p = s; *p && i < n; p = end) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p || v > UINT32_MAX)
				break;
			refs[i++] = (uint32_t)v;
		}
		free(s);
	}
	return 0;
}

static int cmd_map(const struct opts *o)
{
	unsigned long rounds = o->rounds ? o->rounds : 20, n;
	struct xs_handle *xs = xs_open(0);
	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	uint64_t *t = calloc(rounds, sizeof(*t));
	uint32_t *refs = NULL;
	int ret = 1;

	if (!xs || !xgt || !t) {
		fprintf(stderr, "error: setup: %s\n", strerror(errno));
		goto out;
	}
	if (read_guest_ulong(xs, o->domid, "pages", MAX_PAGES, &n) || !n) {
		fprintf(stderr, "error: no pages from dom%lu (is 'offer --pages' running?)\n",
			o->domid);
		goto out;
	}
	refs = calloc(n, sizeof(*refs));
	if (!refs || read_refs(xs, o->domid, refs, n)) {
		fprintf(stderr, "error: reading dom%lu's %lu refs\n", o->domid, n);
		goto out;
	}
	xengnttab_set_max_grants(xgt, (uint32_t)n);
	for (unsigned long i = 0; i < rounds; i++) {
		uint64_t t0 = now_ns();
		void *m = xengnttab_map_domain_grant_refs(xgt, (uint32_t)n, (uint32_t)o->domid,
							  refs, PROT_READ);

		if (!m) {
			fprintf(stderr, "error: mapping %lu refs of dom%lu: %s\n", n, o->domid,
				strerror(errno));
			goto out;
		}
		t[i] = now_ns() - t0;
		if (((volatile uint8_t *)m)[(n - 1) * 4096] != 0x5a) {
			fprintf(stderr,
				"error: the last page does not hold what the guest wrote\n");
			xengnttab_unmap(xgt, m, (uint32_t)n);
			goto out;
		}
		xengnttab_unmap(xgt, m, (uint32_t)n);
	}
	printf("gntmap pages=%lu rounds=%lu calls_per_map=1", n, rounds);
	print_times(t, rounds, false);
	ret = 0;
out:
	free(refs);
	free(t);
	if (xgt)
		xengnttab_close(xgt);
	if (xs)
		xs_close(xs);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (parse_opts(argc - 1, argv + 1, &o))
		return 2;
	if (!strcmp(cmd, "offer"))
		return cmd_offer(&o);
	if ((!strcmp(cmd, "ping") || !strcmp(cmd, "map")) && !o.have_domid) {
		fprintf(stderr, "error: %s wants --domid\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "ping"))
		return cmd_ping(&o);
	if (!strcmp(cmd, "map"))
		return cmd_map(&o);
	usage(stderr);
	return 2;
}
