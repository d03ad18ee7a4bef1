/*
 * netswitch.c: a learning Ethernet switch over netpkt references
 * (pv_netswitch.h). The forwarding table is a small array searched
 * linearly: a driver domain has a handful of vifs, and a full table
 * evicts the oldest learned entry.
 */
#include "pv_netswitch.h"
#include <tandem/errno.h>

void netswitch_init(struct netswitch *sw, uint64_t max_age)
{
    uint8_t *p = (uint8_t *)sw;
    unsigned int i;

    for (i = 0; i < sizeof(*sw); i++)
        p[i] = 0;
    sw->max_age = max_age;
}

static struct netswitch_fdb *fdb_find(const struct netswitch *sw, const uint8_t *mac)
{
    unsigned int i;

    for (i = 0; i < NETSWITCH_FDB_SIZE; i++)
        if (sw->fdb[i].used && netpkt_mac_eq(sw->fdb[i].mac, mac))
            return (struct netswitch_fdb *)&sw->fdb[i];
    return 0;
}

/* A free entry, or the oldest learned one; NULL only if every entry is fixed. */
static struct netswitch_fdb *fdb_slot(struct netswitch *sw)
{
    struct netswitch_fdb *old = 0;
    unsigned int i;

    for (i = 0; i < NETSWITCH_FDB_SIZE; i++) {
        struct netswitch_fdb *e = &sw->fdb[i];

        if (!e->used)
            return e;
        if (!e->fixed && (!old || e->seen < old->seen))
            old = e;
    }
    return old;
}

static void fdb_set(struct netswitch_fdb *e, const uint8_t *mac, unsigned int port, bool fixed,
                    uint64_t now)
{
    unsigned int i;

    for (i = 0; i < NETPKT_MAC_LEN; i++)
        e->mac[i] = mac[i];
    e->port = (uint8_t)port;
    e->used = true;
    e->fixed = fixed;
    e->seen = now;
}

int netswitch_port_add(struct netswitch *sw, const struct netswitch_port_cfg *cfg)
{
    struct netswitch_fdb *e = 0;
    unsigned int i;

    if (!cfg->uplink) {
        e = fdb_find(sw, cfg->mac);
        if (e && e->fixed)
            return -XEN_EEXIST;
        if (netpkt_mac_group(cfg->mac))
            return -XEN_EINVAL;
    }
    for (i = 0; i < NETSWITCH_MAX_PORTS; i++)
        if (!sw->port[i].used)
            break;
    if (i == NETSWITCH_MAX_PORTS)
        return -XEN_ENOSPC;
    if (!cfg->uplink) {
        if (!e)
            e = fdb_slot(sw);
        if (!e)
            return -XEN_ENOSPC;
        fdb_set(e, cfg->mac, i, true, sw->now);
    }
    sw->port[i].used = true;
    sw->port[i].cfg = *cfg;
    sw->port[i].stats = (struct netswitch_port_stats){ 0 };
    return (int)i;
}

void netswitch_port_remove(struct netswitch *sw, unsigned int port)
{
    unsigned int i;

    if (port >= NETSWITCH_MAX_PORTS)
        return;
    for (i = 0; i < NETSWITCH_FDB_SIZE; i++)
        if (sw->fdb[i].used && sw->fdb[i].port == port)
            sw->fdb[i].used = false;
    sw->port[port].used = false;
}

/* Learn the source; false if the frame must be dropped as spoofed. */
static bool learn(struct netswitch *sw, unsigned int port, const uint8_t *src)
{
    struct netswitch_port *p = &sw->port[port];
    struct netswitch_fdb *e;

    if (!p->cfg.uplink)
        return netpkt_mac_eq(src, p->cfg.mac);  /* its fixed entry is in the table already */
    if (netpkt_mac_group(src))
        return false;           /* no frame comes from a group address */
    e = fdb_find(sw, src);
    if (e && e->fixed)
        return false;           /* a vif's MAC, claimed from outside */
    if (!e)
        e = fdb_slot(sw);
    if (e)
        fdb_set(e, src, port, false, sw->now);
    return true;
}

static void out(struct netswitch *sw, unsigned int port, struct netpkt *pkt)
{
    struct netswitch_port *p = &sw->port[port];

    if (p->cfg.xmit(p->cfg.ctx, pkt))
        p->stats.out_dropped++;
    else
        p->stats.out++;
}

void netswitch_input(struct netswitch *sw, unsigned int port, struct netpkt *pkt)
{
    const struct netswitch_fdb *e;
    unsigned int i;

    if (port >= NETSWITCH_MAX_PORTS || !sw->port[port].used)
        goto done;
    sw->port[port].stats.in++;
    if (pkt->len < NETPKT_ETH_HLEN) {
        sw->port[port].stats.runts++;
        goto done;
    }
    if (!learn(sw, port, pkt->data + NETPKT_MAC_LEN)) {
        sw->port[port].stats.spoofed++;
        goto done;
    }
    pkt->in_port = (uint16_t)port;
    e = netpkt_mac_group(pkt->data) ? 0 : fdb_find(sw, pkt->data);
    if (e) {
        if (e->port == port)
            sw->filtered++;
        else {
            sw->forwarded++;
            out(sw, e->port, pkt);
        }
        goto done;
    }
    sw->flooded++;
    for (i = 0; i < NETSWITCH_MAX_PORTS; i++)
        if (i != port && sw->port[i].used)
            out(sw, i, pkt);
done:
    netpkt_put(pkt);
}

void netswitch_tick(struct netswitch *sw, uint64_t now)
{
    unsigned int i;

    sw->now = now;
    if (!sw->max_age)
        return;
    for (i = 0; i < NETSWITCH_FDB_SIZE; i++) {
        struct netswitch_fdb *e = &sw->fdb[i];

        if (e->used && !e->fixed && now - e->seen > sw->max_age)
            e->used = false;
    }
}

int netswitch_lookup(const struct netswitch *sw, const uint8_t *mac)
{
    const struct netswitch_fdb *e = fdb_find(sw, mac);

    return e ? e->port : -1;
}
