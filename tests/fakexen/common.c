/*
 * common.c - fake Xen seam: global reset, handle accounting, failure
 * injection and the eventfd helper behind the pollable fds.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

unsigned int fx_self_domid;

struct fx_injection {
	bool armed;
	int err;
	unsigned int skip; /* calls still allowed to succeed */
};

static struct fx_injection injections[FX_OP_COUNT];
static unsigned long calls[FX_OP_COUNT];

void fx_reset(void)
{
	fxi_dmabuf_reset(); /* before the grants it holds go */
	fxi_xs_reset();
	fxi_evtchn_reset();
	fxi_gnt_reset();
	memset(injections, 0, sizeof(injections));
	memset(calls, 0, sizeof(calls));
	fx_self_domid = 0;
}

unsigned int fx_live_handles(void)
{
	return fxi_xs_nr_handles() + fxi_evtchn_nr_handles() + fxi_gnt_nr_handles() +
	       fxi_dmabuf_nr_handles();
}

int fx_fail(enum fx_op op, int err, unsigned int after_n_calls)
{
	/* The cast also rejects negative values smuggled into the enum. */
	if ((unsigned int)op >= FX_OP_COUNT || err <= 0)
		return -EINVAL;
	injections[op].armed = true;
	injections[op].err = err;
	injections[op].skip = after_n_calls;
	return 0;
}

unsigned long fx_calls(enum fx_op op)
{
	if ((unsigned int)op >= FX_OP_COUNT)
		return 0;
	return calls[op];
}

int fxi_inject(enum fx_op op)
{
	struct fx_injection *inj = &injections[op];

	calls[op]++;
	if (!inj->armed)
		return 0;
	if (inj->skip > 0) {
		inj->skip--;
		return 0;
	}
	inj->armed = false;
	return inj->err;
}

int fxi_readyfd_open(bool nonblock)
{
	return eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
}

/*
 * An eventfd is readable while its counter is non-zero: writing 1 makes it
 * readable, one read() resets the counter to 0 whatever its value was.
 */
void fxi_readyfd_set(int fd, bool ready)
{
	uint64_t v = 1;
	ssize_t n;

	if (fd < 0)
		return;
	if (ready) {
		n = write(fd, &v, sizeof(v));
	} else {
		/* Only read when readable: the fd may be a blocking one. */
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 0) != 1)
			return;
		n = read(fd, &v, sizeof(v));
	}
	(void)n;
}
