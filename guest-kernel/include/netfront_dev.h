/*
 * netfront_dev.h: the bundled kernel's network interfaces over Xen's netif
 * (kernel/netfront_dev.c, docs/guest-kernel.md "Network interfaces"): each
 * device/vif/N of ours is a pvdrivers/netfront core behind a struct netdev
 * (net.h) that the lwIP stack runs on. The `netfront` thread finds them at
 * boot and runs each one's handshake; `netfront=off` on the command line
 * leaves them alone.
 */
#ifndef GUEST_NETFRONT_DEV_H
#define GUEST_NETFRONT_DEV_H

#include "kernel.h"

struct netdev;

/* Boot, after xenbus_kernel_init: start the thread if we have a store. */
void netfront_dev_init(void);
/* The first vif (waiting for discovery, up to 5 s) and, up to timeout_ns, for it to connect; NULL if none. */
struct netdev *netfront_netdev(uint64_t timeout_ns);
/* For ifconfig: one line on the vif behind d (its handshake and the core's counters); false if d is none. */
bool netfront_describe(const struct netdev *d);

/*
 * The shell's `vif`: the list; and, for the tests, a hostile frontend's moves on the first vif:
 * `vif flood N [MAC]` (N frames to MAC, broadcast without it), `vif spoof N [MAC]` (the same with
 * another MAC, 00:16:3e:de:ad:01, as source),
 * `vif stall` (stop consuming: no rx buffer is posted again), `vif garbage` (a tx producer index
 * far beyond the ring). w[0] is "vif".
 */
void netfront_command(char **w, int nw);

#endif
