/*
 * The bundled kernel's network service (guest-kernel/net/, docs/network.md): lwIP over one
 * network device, run by the kernel's "net" thread. This header is what the rest of the
 * kernel sees: the device interface a driver fills in (the driver domain's virtio NIC today,
 * a netfront vif later) and the shell's hooks. lwIP's own headers stay inside guest-kernel/net.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include "kernel.h"

struct vnet;

/*
 * A network device the stack runs over. send, recv and link_up are called with
 * netsvc_lock held (by the net thread or a shell command); wait without it, by the net thread
 * only. Frames are whole Ethernet frames without FCS.
 */
struct netdev {
    const char *name;                   /* "eth0" */
    uint8_t mac[6];
    uint16_t mtu;                       /* IP bytes per frame: 1500 */
    /* Queue one frame (copied): 0, -EAGAIN when the device's buffers are all in use, -EINVAL. */
    int (*send)(struct netdev *d, const void *frame, size_t len);
    /* The next received frame copied into buf (at most max bytes): its length, 0 if none. */
    size_t (*recv)(struct netdev *d, void *buf, size_t max);
    bool (*link_up)(struct netdev *d);
    /* Block until a frame may have arrived or deadline_ns (system_time_ns) passes. */
    void (*wait)(struct netdev *d, uint64_t deadline_ns);
    void *priv;
    uint64_t rx_frames, tx_frames, rx_dropped, tx_dropped;     /* counted by netsvc.c */
};

/* netdev_vnet.c: d over the virtio NIC n (already attached): the driver domain's uplink. */
void netdev_vnet_init(struct netdev *d, struct vnet *n, const char *name);

/*
 * What the network service asks of its platform (PV: net/net_pv.c; native: arch/x86/native/ne2k.c
 * and net_native.c). netdev_find: the device ifup starts the stack on, probed on first use (NULL:
 * none); *owner the virtio NIC under it if the stack takes one over whole (netsvc_owns), else
 * left alone. netdev_describe: ifconfig's lines about d beyond the stack's own (none: nothing).
 * net_domid, net_privileged, status_name: what the status page says of this kernel.
 */
#define NET_NAME_LEN 64
struct netdev *netdev_find(struct vnet **owner);
void netdev_describe(const struct netdev *d);
unsigned int net_domid(void);
bool net_privileged(void);
void status_name(char *buf, size_t size);

/* dev_shell.c: the driver domain's virtio NIC (probing devices on first use); NULL if none. */
struct vnet *dev_eth0(void);

/* netsvc.c: true once the stack runs on the virtio NIC n (its frames are lwIP's then). */
bool netsvc_owns(const struct vnet *n);
/* netsvc.c: the device the stack runs on; NULL before ifup. */
struct netdev *netsvc_dev(void);

/* net_shell.c: ifup, ifconfig, ping, wget, httpd; false if the line is none of them. */
bool shell_net_command(const char *line);
/* net_shell.c: `net info` and `net ping IP [COUNT]` once the stack owns eth0 (w[0] is "net"). */
void net_lwip_command(char **w, int nw);

#endif
