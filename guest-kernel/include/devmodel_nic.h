/*
 * devmodel_nic.h: the emulated NIC the driver domain's device model service gives an HVM domain
 * whose line has nic=ne2000 (kernel/devmodel_nic.c, docs/devmodel.md "The emulated NIC"): an
 * NE2000 on the netback service's switch.
 */
#ifndef GUEST_DEVMODEL_NIC_H
#define GUEST_DEVMODEL_NIC_H

#include "kernel.h"
#include "devmodel.h"

/*
 * An NE2000 with MAC mac for h's domain, added to h, on the switch: 0; -ENODEV when the netback service does
 * not run (no NIC then), -ENOSPC, or dm_add's error. It goes with dm_host_destroy (off the switch).
 */
int devmodel_nic_add(struct dm_host *h, const uint8_t mac[6]);
/* The shell's `devmodel`: the card's counters, if h has one. */
void devmodel_nic_list(const struct dm_host *h);

#endif
