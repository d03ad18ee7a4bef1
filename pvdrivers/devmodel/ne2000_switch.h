/*
 * ne2000_switch.h: an emulated NE2000 (ne2000.h) plugged into the driver domain's switch
 * (pv_netswitch.h) as a port with the card's MAC. Not locked: the caller runs the card and
 * the switch on one thread (the driver domain's network thread), as the switch requires.
 */
#ifndef PV_DEVMODEL_NE2000_SWITCH_H
#define PV_DEVMODEL_NE2000_SWITCH_H

#include "ne2000.h"
#include "pv_netswitch.h"

struct ne2000_port {
    struct ne2000 *card;
    struct netswitch *sw;
    const struct netpkt_pool *pool;     /* where frames the guest sends are put */
    unsigned int port;                  /* the switch's number for it */
};

/* Add the card as a port of sw and send its frames there: 0, or netswitch_port_add's error. */
int ne2000_switch_attach(struct ne2000_port *p, struct ne2000 *card, struct netswitch *sw,
                         const struct netpkt_pool *pool);
/* The port goes away (the card's frames go nowhere after it: transmits are dropped as PTX). */
void ne2000_switch_detach(struct ne2000_port *p);

#endif
