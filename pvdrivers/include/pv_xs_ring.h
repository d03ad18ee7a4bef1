/*
 * pv_xs_ring.h: the guest's end of the xenstore ring page
 * (struct xenstore_domain_interface, tandem/io/xs_wire.h): bytes into
 * req[], bytes out of rsp[], with the barriers Xen's protocol needs and
 * the store's indices checked (the store is a peer: an index that claims
 * more than a ring's worth is an error, never an overrun). Raising the
 * event channel after progress and waiting for space or data are the
 * caller's (the xenbus transport's). Not locked: one writer and one
 * reader at a time.
 */
#ifndef PV_XS_RING_H
#define PV_XS_RING_H

#include <stdint.h>
#include <tandem/io/xs_wire.h>

/*
 * Copy up to len bytes of data into req[]: the number copied (0 when the
 * ring is full), or -EIO if req_prod - req_cons is more than the ring
 * (nothing copied).
 */
int xs_ring_write(struct xenstore_domain_interface *intf, const void *data, uint32_t len);

/*
 * Copy up to len bytes out of rsp[] into data: the number copied (0 when
 * empty), or -EIO if rsp_prod - rsp_cons is more than the ring.
 */
int xs_ring_read(struct xenstore_domain_interface *intf, void *data, uint32_t len);

#endif
