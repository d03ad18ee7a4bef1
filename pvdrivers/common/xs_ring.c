/*
 * xs_ring.c: byte streams over the xenstore ring page (pv_xs_ring.h), the
 * barrier order of Linux's xb_write/xb_read. Indices are read once each,
 * through volatile, and checked before any byte moves.
 */
#include "pv_xs_ring.h"
#include <tandem/errno.h>
#include <tandem/io/ring.h>         /* xen_mb, xen_rmb, xen_wmb */

#define VREAD(f)      (*(volatile const XENSTORE_RING_IDX *)&(f))
#define VWRITE(f, v)  (*(volatile XENSTORE_RING_IDX *)&(f) = (v))

/* Bytes from ring index `idx` to the end of the buffer or `avail`, whichever is less. */
static uint32_t chunk(XENSTORE_RING_IDX idx, uint32_t avail)
{
    uint32_t to_end = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(idx);

    return avail < to_end ? avail : to_end;
}

int xs_ring_write(struct xenstore_domain_interface *intf, const void *data, uint32_t len)
{
    XENSTORE_RING_IDX cons = VREAD(intf->req_cons), prod = intf->req_prod;
    uint32_t used = prod - cons, done = 0, n;
    const char *src = data;

    if (used > XENSTORE_RING_SIZE)
        return -XEN_EIO;
    xen_mb();   /* req_cons read before our stores into the space it frees */
    while (done < len && used < XENSTORE_RING_SIZE) {
        n = chunk(prod, XENSTORE_RING_SIZE - used);
        if (n > len - done)
            n = len - done;
        for (uint32_t i = 0; i < n; i++)
            intf->req[MASK_XENSTORE_IDX(prod) + i] = src[done + i];
        prod += n;
        used += n;
        done += n;
    }
    xen_wmb();  /* request bytes before the req_prod that exposes them */
    VWRITE(intf->req_prod, prod);
    return (int)done;
}

int xs_ring_read(struct xenstore_domain_interface *intf, void *data, uint32_t len)
{
    XENSTORE_RING_IDX prod = VREAD(intf->rsp_prod), cons = intf->rsp_cons;
    uint32_t avail = prod - cons, done = 0, n;
    char *dst = data;

    if (avail > XENSTORE_RING_SIZE)
        return -XEN_EIO;
    xen_rmb();  /* rsp_prod read before the bytes it covers */
    while (done < len && avail) {
        n = chunk(cons, avail);
        if (n > len - done)
            n = len - done;
        for (uint32_t i = 0; i < n; i++)
            dst[done + i] = ((volatile const char *)intf->rsp)[MASK_XENSTORE_IDX(cons) + i];
        cons += n;
        avail -= n;
        done += n;
    }
    xen_mb();   /* bytes copied out before rsp_cons gives their space back */
    VWRITE(intf->rsp_cons, cons);
    return (int)done;
}
