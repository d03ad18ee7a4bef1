/*
 * The emulated NIC of the HVM domains this driver domain is the device model of (docs/devmodel.md
 * "The emulated NIC"): an NE2000 (pvdrivers/devmodel/ne2000.c) at 0x300, IRQ 9, plugged into the
 * netback service's switch as a port (ne2000_switch.c) with a MAC made from the domain's id,
 * 00:16:3e:4e:HH:LL. The switch's data path runs with events masked (netback_svc.c), so every
 * guest access to the card runs so too: devmodel_svc.c's dispatch reaches the card through
 * nic_access, which masks them around it.
 */
#include "devmodel_nic.h"
#include "netback_svc.h"
#include "ne2000_switch.h"

#define NICS 4                          /* as devmodel_svc.c's HVM domains served at once */

struct devmodel_nic {
    bool used;
    struct ne2000 card;
    struct ne2000_port port;
    const struct dm_device_ops *card_ops;
};

/*
 * Static, not kalloc'ed: the core still writes a device's fields after its destroy (dm_host_destroy),
 * so a slot is only marked free there and set up again from scratch by the next devmodel_nic_add.
 */
static struct devmodel_nic nics[NICS];

static struct devmodel_nic *nic_of(struct dm_device *dev)
{
    return (struct devmodel_nic *)((char *)dev - offsetof(struct devmodel_nic, card.dev));
}

static uint64_t nic_access(struct dm_device *dev, const struct ioreq *req)
{
    uint8_t m = events_save();
    uint64_t v = nic_of(dev)->card_ops->access(dev, req);

    events_restore(m);
    return v;
}

static void nic_destroy(struct dm_device *dev)
{
    struct devmodel_nic *n = nic_of(dev);
    uint8_t m = events_save();

    ne2000_switch_detach(&n->port);
    events_restore(m);
    n->used = false;
}

static const struct dm_device_ops nic_ops = { .access = nic_access, .destroy = nic_destroy };

int devmodel_nic_add(struct dm_host *h, const uint8_t mac[6])
{
    static const struct ne2000_wire none = { 0 };
    struct netswitch *sw = netback_svc_switch();
    struct devmodel_nic *n = NULL;
    uint8_t m;
    int rc;

    if (!sw)
        return -XEN_ENODEV;             /* no switch: the domain has no NIC */
    for (unsigned int i = 0; i < NICS && !n; i++)
        if (!nics[i].used)
            n = &nics[i];
    if (!n)
        return -XEN_ENOSPC;
    if ((rc = ne2000_init(&n->card, h, NE2K_PORT, NE2K_IRQ, mac, &none)))
        return rc;
    n->used = true;
    n->card_ops = n->card.dev.ops;
    n->card.dev.ops = &nic_ops;
    m = events_save();
    rc = ne2000_switch_attach(&n->port, &n->card, sw, netback_svc_pool());
    events_restore(m);
    if (rc) {
        printk("devmodel d%u: ne2k0: no switch port (%d): the card's frames go nowhere\n", h->domid, rc);
        return 0;                       /* the card is there (dm_add'ed): a guest sees a NIC without a wire */
    }
    printk("devmodel d%u: ne2k0 (NE2000 at %#x, IRQ %d): MAC %02x:%02x:%02x:%02x:%02x:%02x, switch port %u\n",
           h->domid, NE2K_PORT, NE2K_IRQ, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], n->port.port);
    return 0;
}

void devmodel_nic_list(const struct dm_host *h)
{
    for (unsigned int i = 0; i < h->nr_devices; i++) {
        const struct dm_device *d = h->devices[i];
        const struct ne2000 *c;

        if (d->ops != &nic_ops)
            continue;
        c = &nic_of((struct dm_device *)d)->card;
        printk("  ne2k0: tx %lu (%lu errors), rx %lu (%lu dropped, %lu filtered, %lu ring errors), %lu garbage\n",
               (unsigned long)c->tx_frames, (unsigned long)c->tx_errors, (unsigned long)c->rx_frames,
               (unsigned long)c->rx_dropped, (unsigned long)c->rx_filtered, (unsigned long)c->rx_ring_errors,
               (unsigned long)c->garbage);
    }
}
