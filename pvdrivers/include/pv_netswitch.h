/*
 * pv_netswitch.h: the driver domain's learning L2 switch (docs/netif.md
 * "Switch"). Its ports are the vifs (netback) and the uplink (virtio-net
 * to QEMU's user network). It learns source MACs, forwards known unicast
 * to its port, floods broadcast, multicast and unknown unicast to every
 * other port, and ages entries (optional). A vif port has its configured
 * MAC: a frame from it with another source is dropped and counted
 * (spoof check), and no port can take that MAC over by sending with it.
 * Removing a port forgets everything learned on it.
 *
 * Frames travel as netpkt references (pv_netpkt.h): a port's xmit takes
 * its own reference when it queues the frame, so a flood costs no copy.
 * Not locked: the driver domain's network thread calls everything.
 */
#ifndef PV_NETSWITCH_H
#define PV_NETSWITCH_H

#include <stdbool.h>
#include <stdint.h>
#include "pv_netpkt.h"

#define NETSWITCH_MAX_PORTS 16u
#define NETSWITCH_FDB_SIZE  128u

struct netswitch_port_cfg {
    /* Queue pkt for this port's wire (netpkt_get if kept): 0, or -errno (dropped, counted). */
    int (*xmit)(void *ctx, struct netpkt *pkt);
    void *ctx;
    bool uplink;                /* no configured MAC: anything may come from it */
    uint8_t mac[NETPKT_MAC_LEN];    /* a vif's configured MAC (ignored for the uplink) */
};

struct netswitch_port_stats {
    uint64_t in, out;           /* frames entering by / leaving through this port */
    uint64_t spoofed;           /* dropped: source MAC not this port's */
    uint64_t runts;             /* dropped: shorter than an Ethernet header */
    uint64_t out_dropped;       /* this port's xmit refused */
};

struct netswitch_port {
    bool used;
    struct netswitch_port_cfg cfg;
    struct netswitch_port_stats stats;
};

struct netswitch_fdb {
    uint8_t mac[NETPKT_MAC_LEN];
    uint8_t port;
    bool used;
    bool fixed;                 /* a vif's configured MAC: never learned elsewhere, never aged */
    uint64_t seen;
};

struct netswitch {
    struct netswitch_port port[NETSWITCH_MAX_PORTS];
    struct netswitch_fdb fdb[NETSWITCH_FDB_SIZE];
    uint64_t now;               /* the caller's clock (netswitch_tick) */
    uint64_t max_age;           /* 0: learned entries never age */
    uint64_t flooded, forwarded, filtered;  /* filtered: destination on the source port */
};

void netswitch_init(struct netswitch *sw, uint64_t max_age);
/* A new port: its number, or -XEN_ENOSPC (no free port), -XEN_EEXIST (a vif MAC already used). */
int netswitch_port_add(struct netswitch *sw, const struct netswitch_port_cfg *cfg);
/* The port goes away: every MAC it had is forgotten. */
void netswitch_port_remove(struct netswitch *sw, unsigned int port);
/* A frame entered by `port`; the caller's reference is consumed. */
void netswitch_input(struct netswitch *sw, unsigned int port, struct netpkt *pkt);
/* Advance the clock; entries not seen for more than max_age are forgotten. */
void netswitch_tick(struct netswitch *sw, uint64_t now);
/* The port a MAC is known on, or -1. */
int netswitch_lookup(const struct netswitch *sw, const uint8_t *mac);

#endif
