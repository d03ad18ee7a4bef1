/*
 * This kernel as a store client (store.h): pvdrivers/common's xenbus
 * client over one of two transports. In a domain with a store ring
 * (start_info store_evtchn != 0) the ring transport of pv_xenbus_ring.h on
 * our own store page (store_mfn, found through the M2P as the console ring
 * is); in the store domain a transport straight into the store
 * (store_local_request), its watch events from store_local_event.
 * Several threads use the client (the shell, the block back end and front
 * end): a recursive sleeping lock is held around each call and each poll.
 */
#include "store.h"
#include "mm.h"
#include "pv_xenbus_ring.h"
#include "pv_xs_ring.h"
#include "kmutex.h"

#define XENBUS_TIMEOUT_NS 5000000000ULL     /* per request over the ring */

static enum { XB_NONE, XB_RING, XB_LOCAL } transport;
static struct xenbus_client client;
static struct xenbus_ring ring;
static struct xsd_msg local_rsp, local_ev;
static uint32_t resets_seen;

static struct kmutex lock;

/* The client's lock (xenbus_client_set_lock). */
static void client_lock(void *ctx, int take)
{
    (void)ctx;
    if (take)
        kmutex_lock(&lock);
    else
        kmutex_unlock(&lock);
}

/* xenbus_transport_fn into the local store: the reply matched by construction. */
static int local_transport(void *ctx, const struct xsd_sockmsg *req, const void *body,
                           struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap)
{
    int rc = store_local_request(req, body, &local_rsp);

    (void)ctx;
    if (rc)
        return rc;
    *rsp = local_rsp.hdr;
    if (rsp->len > rcap)
        return -XEN_E2BIG;
    memcpy(rbody, local_rsp.body, rsp->len);
    return 0;
}

void xenbus_kernel_init(void)
{
    if (store_is_local()) {
        xenbus_client_init(&client, local_transport, NULL);
        xenbus_client_set_lock(&client, client_lock, NULL);
        transport = XB_LOCAL;
        return;
    }
    if (!start_info->store_evtchn)
        return;
    ring.intf = pfn_to_virt(mfn_to_pfn(start_info->store_mfn));
    ring.port = start_info->store_evtchn;
    ring.timeout_ns = XENBUS_TIMEOUT_NS;
    if (pvos_evtchn_handle(ring.port, xenbus_ring_event, &ring)) {
        printk("xenbus: cannot handle store port %u\n", ring.port);
        return;
    }
    xenbus_client_init(&client, xenbus_ring_transport, &ring);
    xenbus_client_set_lock(&client, client_lock, NULL);
    transport = XB_RING;
    printk("xenbus: store ring at mfn %lx, port %u\n", (unsigned long)start_info->store_mfn, ring.port);
}

struct xenbus_client *xenbus_kernel(void)
{
    return transport == XB_NONE ? NULL : &client;
}

const char *xenbus_kernel_transport(void)
{
    return transport == XB_LOCAL ? "in-process" : transport == XB_RING ? "ring" : "none";
}

int xenbus_kernel_poll(void)
{
    int n = 0;

    if (transport == XB_NONE)
        return 0;
    client_lock(NULL, 1);
    if (transport == XB_LOCAL) {
        while (store_local_event(&local_ev)) {
            xenbus_watch_event(&client, local_ev.body, local_ev.hdr.len);
            n++;
        }
    } else {
        /* Events that came with no request in flight are still in rsp[]: read them now. */
        if (xenbus_ring_pump(&ring))
            printk("xenbus: the store ring is out of step\n");
        if (ring.resets != resets_seen) {
            /* The store forgot our watches with the reset: ask for them again. */
            resets_seen = ring.resets;
            printk("xenbus: store ring reset (%u so far): watches registered again (%d)\n",
                   resets_seen, xenbus_rewatch(&client));
        }
        n = xenbus_ring_poll_events(&ring, &client);
    }
    client_lock(NULL, 0);
    return n;
}
