/*
 * netback_svc.h: the driver domain's network back end service
 * (kernel/netback_svc.c, docs/netif.md "The driver domain's service"). In
 * a driver domain with a store and a virtio NIC, the `netback` thread owns
 * the NIC (eth0) as the uplink of a pvdrivers/netswitch switch whose other
 * ports are every vif the store lists under our backend/vif (each a
 * pvdrivers/netback core: grant copies, events) and the driver domain's own
 * stack (an internal port: the struct netdev lwIP runs on here).
 * `netback=off` on the kernel's command line leaves the NIC to the shell.
 */
#ifndef GUEST_NETBACK_SVC_H
#define GUEST_NETBACK_SVC_H

#include "kernel.h"

struct netdev;
struct vnet;
struct netswitch;
struct netpkt_pool;

/* Boot, after xenbus_kernel_init: start the thread if we have a store and a virtio-net function. */
void netback_svc_start(void);
/* True if the service runs (it owns the virtio NIC). */
bool netback_svc_running(void);
/* The switch's internal port as a netdev for the driver domain's own stack (NULL if not running). */
struct netdev *netback_svc_netdev(void);
/*
 * For a device model's emulated NIC (devmodel_nic.c), another port of the switch: the switch and
 * the pool its packets come from, NULL if the service is not running. Only with events masked
 * (the data path's lock, netback_svc.c); a port's xmit is called so.
 */
struct netswitch *netback_svc_switch(void);
const struct netpkt_pool *netback_svc_pool(void);
/* The shell's `vifs`: the switch's ports and every vif with its counters. */
void netback_svc_list(void);

#endif
