/*
 * A struct netdev over the driver domain's virtio NIC (pvdrivers/virtio/virtio_net.c): the
 * uplink on QEMU's user network. virtio_net.h asks for one thread per NIC; here every call but
 * wait runs under netsvc_lock, which excludes the others, and wait only reads the used ring.
 */
#include "net.h"
#include "virtio_net.h"

#define POLL_NS 1000000ULL              /* a NIC without MSI-X is looked at each millisecond */

static int vnet_dev_send(struct netdev *d, const void *frame, size_t len)
{
    return vnet_send(d->priv, frame, len);
}

static size_t vnet_dev_recv(struct netdev *d, void *buf, size_t max)
{
    struct vnet *n = d->priv;

    vnet_reap_tx(n);
    return vnet_recv(n, buf, max);
}

static bool vnet_dev_link_up(struct netdev *d)
{
    return vnet_link_up(d->priv);
}

static bool vnet_dev_rx_pending(void *arg)
{
    struct vnet *n = arg;

    return virtq_has_used(&n->rx);
}

static void vnet_dev_wait(struct netdev *d, uint64_t deadline_ns)
{
    struct vnet *n = d->priv;

    if (n->polling && deadline_ns > pvos_now_ns() + POLL_NS)
        deadline_ns = pvos_now_ns() + POLL_NS;
    pvos_wait_until(&n->wait, vnet_dev_rx_pending, n, deadline_ns);
}

void netdev_vnet_init(struct netdev *d, struct vnet *n, const char *name)
{
    *d = (struct netdev){ .name = name, .mtu = 1500, .send = vnet_dev_send, .recv = vnet_dev_recv,
                          .link_up = vnet_dev_link_up, .wait = vnet_dev_wait, .priv = n };
    memcpy(d->mac, n->mac, 6);
}
