/*
 * The emulated NE2000 as a port of the driver domain's switch (pvdrivers/netswitch,
 * docs/devmodel.md "The emulated NIC"): what the guest transmits enters the switch by the
 * port (a packet from the service's pool, the frame copied: the card's buffer is reused at
 * once); what the switch sends the port goes into the card's ring or backlog, copied there
 * too, so the switch's reference is never kept. The port has the card's MAC configured: the
 * switch's spoof check drops a frame the guest sends with any other source.
 */
#include "ne2000_switch.h"
#include <tandem/errno.h>

static int ne2000_switch_xmit(void *ctx, struct netpkt *pkt)
{
    struct ne2000_port *p = ctx;

    return ne2000_receive(p->card, pkt->data, pkt->len);
}

static int ne2000_switch_send(void *ctx, const void *frame, size_t len)
{
    struct ne2000_port *p = ctx;
    struct netpkt *pkt = netpkt_alloc(p->pool, (uint32_t)len);

    if (!pkt)
        return -XEN_ENOMEM;
    __builtin_memcpy(pkt->data, frame, len);
    netswitch_input(p->sw, p->port, pkt);
    return 0;
}

int ne2000_switch_attach(struct ne2000_port *p, struct ne2000 *card, struct netswitch *sw,
                         const struct netpkt_pool *pool)
{
    struct netswitch_port_cfg cfg = { .xmit = ne2000_switch_xmit, .ctx = p, .uplink = false };
    int port;

    __builtin_memcpy(cfg.mac, card->mac, 6);
    *p = (struct ne2000_port){ .card = card, .sw = sw, .pool = pool, .port = 0 };
    if ((port = netswitch_port_add(sw, &cfg)) < 0)
        return port;
    p->port = (unsigned int)port;
    card->wire = (struct ne2000_wire){ .send = ne2000_switch_send, .ctx = p };
    return 0;
}

void ne2000_switch_detach(struct ne2000_port *p)
{
    netswitch_port_remove(p->sw, p->port);
    p->card->wire = (struct ne2000_wire){ 0 };
}
