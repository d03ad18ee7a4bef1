/*
 * xvd.h: the bundled kernel's virtual block devices (docs/guest-kernel.md,
 * docs/blkif.md "Frontend"): one per device/vbd/DEVID entry of this domain
 * in the store, driven by pvdrivers/blkfront (kernel/blkfront_dev.c) and
 * named as Linux names them: 51712 is xvda, 51728 xvdb, ... Found and
 * connected at boot; a device whose back end is not (yet) connected reads
 * as not connected and refuses I/O with -ENOTCONN.
 *
 * The calls sleep (a thread, not an event handler) and may be made from
 * any thread; requests of several threads are queued on the ring together.
 * Errors are negative Xen errno values (tandem/errno.h).
 */
#ifndef GUEST_XVD_H
#define GUEST_XVD_H

#include <stdbool.h>
#include <stdint.h>

#define XVD_SECTOR_SIZE 512u

struct xvd;

/* Boot, after xenbus_kernel_init: find this domain's vbds and start their handshakes. */
void xvd_init(void);
/* The number of vbds found, and each (0 .. xvd_count() - 1, in devid order); NULL past the end. */
unsigned int xvd_count(void);
struct xvd *xvd_get(unsigned int index);
/* By name ("xvda"); NULL if there is none. */
struct xvd *xvd_by_name(const char *name);
const char *xvd_name(const struct xvd *d);
uint32_t xvd_devid(const struct xvd *d);
/* Wait (at most timeout_ns) until the back end connected: true if it is connected. */
bool xvd_wait_connected(struct xvd *d, uint64_t timeout_ns);
bool xvd_connected(const struct xvd *d);
uint64_t xvd_sectors(const struct xvd *d);     /* 512-byte sectors */
bool xvd_readonly(const struct xvd *d);

/*
 * Synchronous I/O of `count` sectors at `sector` to or from `buf` (kernel
 * memory, any alignment, any length: split into requests as the ring
 * allows). 0, -ENOTCONN, -EINVAL (range), -EACCES (write to a read-only
 * disk), -EIO (the back end failed it or went away), -ETIMEDOUT (30 s).
 */
int xvd_read(struct xvd *d, uint64_t sector, uint32_t count, void *buf);
int xvd_write(struct xvd *d, uint64_t sector, uint32_t count, const void *buf);
/* Make completed writes durable (FLUSH_DISKCACHE or WRITE_BARRIER): 0, -EOPNOTSUPP, -EIO. */
int xvd_flush(struct xvd *d);

/* The shell's `xvd`: the core's state ("closed", "initialised", "connected", "error"), the back end's dir. */
const char *xvd_state_name(const struct xvd *d);
const char *xvd_backend(const struct xvd *d);
/* One line for `xvd info NAME`: handshake, features, counters. */
void xvd_describe(const struct xvd *d);

#endif
