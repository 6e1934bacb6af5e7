/*
 * internal.h - glue shared by the parts of the fake Xen seam (not for tests).
 */
#ifndef ZDISPL_FAKEXEN_INTERNAL_H
#define ZDISPL_FAKEXEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fakexen.h"

#define FX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Count one call of @op and return the errno it must fail with because of
 * an fx_fail() injection, or 0 if it should proceed normally.
 */
int fxi_inject(enum fx_op op);

/*
 * An eventfd whose readability tracks "events are queued". The evtchn one is
 * blocking, like /dev/xen/evtchn, until the code under test sets O_NONBLOCK.
 */
int fxi_readyfd_open(bool nonblock);
void fxi_readyfd_set(int fd, bool ready);

/*
 * A kernel user (a fake dma-buf export) maps refs of domid: -ENXIO and
 * nothing held unless every ref is granted to fx_self_domid (writable if
 * asked). Held pages make fx_gnt_revoke() fail with -EBUSY.
 */
int fxi_gnt_hold(unsigned int domid, const uint32_t *refs, uint32_t n, bool writable);
void fxi_gnt_unhold(unsigned int domid, const uint32_t *refs, uint32_t n);
/* One read-only region of the pages granted by domid as refs (a dma-buf's mmap), or NULL. */
void *fxi_gnt_map_granted(unsigned int domid, const uint32_t *refs, uint32_t n);
/* Notice exports whose every fd has been closed, and unhold their pages. */
void fxi_dmabuf_reap(void);

/* Per-library teardown and handle counts, driven by common.c. */
void fxi_xs_reset(void);
void fxi_evtchn_reset(void);
void fxi_gnt_reset(void);
void fxi_dmabuf_reset(void);
unsigned int fxi_xs_nr_handles(void);
unsigned int fxi_evtchn_nr_handles(void);
unsigned int fxi_gnt_nr_handles(void);
unsigned int fxi_dmabuf_nr_handles(void);

#endif /* ZDISPL_FAKEXEN_INTERNAL_H */
