/*
 * pv_netpkt.h: an Ethernet frame as netback, the switch and an uplink pass
 * it around (docs/netif.md). A packet is reference counted so that a
 * flooded frame sits in several vifs' receive queues at once without a
 * copy; the last netpkt_put gives it back to the pool it came from.
 * Not locked: every holder runs on the driver domain's one network thread.
 */
#ifndef PV_NETPKT_H
#define PV_NETPKT_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/io/netif.h>

#define NETPKT_ETH_HLEN   14u
#define NETPKT_MAX_LEN    XEN_NETIF_MAX_TX_SIZE   /* 65535: what one tx packet can carry */
#define NETPKT_MAC_LEN    6u

/* netpkt.flags */
#define NETPKT_F_DATA_VALIDATED 0x1u    /* checksums are known good (checked or computed) */

struct netpkt;

/* Where packets come from: the driver domain's buffer pool (the unit tests': malloc). */
struct netpkt_pool {
    void *ctx;
    /* A packet with refs = 1 and room for len bytes (data not initialised), or NULL. */
    struct netpkt *(*alloc)(void *ctx, uint32_t len);
    void (*free)(void *ctx, struct netpkt *pkt);
};

struct netpkt {
    uint8_t *data;              /* len bytes of frame, from the destination MAC on */
    uint32_t len;
    uint32_t cap;               /* room at data */
    uint32_t refs;
    uint16_t flags;             /* NETPKT_F_* */
    uint16_t in_port;           /* switch port it entered by */
    const struct netpkt_pool *pool;     /* set by the pool's alloc */
};

static inline struct netpkt *netpkt_alloc(const struct netpkt_pool *pool, uint32_t len)
{
    struct netpkt *p = pool->alloc(pool->ctx, len);

    if (p) {
        p->len = len;
        p->refs = 1;
        p->flags = 0;
        p->in_port = 0;
        p->pool = pool;
    }
    return p;
}

static inline void netpkt_get(struct netpkt *p)
{
    p->refs++;
}

static inline void netpkt_put(struct netpkt *p)
{
    if (--p->refs == 0)
        p->pool->free(p->pool->ctx, p);
}

/* Broadcast or multicast destination (the group bit). */
static inline bool netpkt_mac_group(const uint8_t *mac)
{
    return mac[0] & 1u;
}

static inline bool netpkt_mac_eq(const uint8_t *a, const uint8_t *b)
{
    unsigned int i;

    for (i = 0; i < NETPKT_MAC_LEN; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/*
 * Fill in the TCP or UDP checksum of an IPv4 or IPv6 frame whose sender
 * left it blank (NETTXF_csum_blank): 0, or -XEN_EINVAL if the frame is not
 * a complete IPv4/IPv6 TCP/UDP packet (no options beyond IPv4's, no IPv6
 * extension headers). pvdrivers/common/netpkt.c.
 */
int netpkt_csum_fill(struct netpkt *p);

/* "aa:bb:cc:dd:ee:ff" (hex, either case, nothing around it) into mac: 0 or -XEN_EINVAL. */
int netpkt_mac_parse(const char *s, uint8_t *mac);

#endif
