/*
 * Just enough IPv4 to ping QEMU's user-network gateway (10.0.2.2) from
 * 10.0.2.15: ARP (request, reply, answering requests for us) and ICMP echo
 * (requests with our identifier and a sequence number; answering echo
 * requests to us): the `net` commands until `ifup` hands the NIC to lwIP (guest-kernel/net/).
 */
#include "devices.h"
#include <tandem/errno.h>

#define ETH_ARP         0x0806
#define ETH_IP          0x0800
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO       8
#define PING_ID         0x7444          /* "tD" */
#define PING_DATA       56
#define ARP_TRIES       3
#define SEC             1000000000ULL

static uint8_t frame[VNET_FRAME_MAX];
static uint8_t arp_mac[6];
static uint32_t arp_ip;                 /* the address arp_mac belongs to; 0: none */
static struct net_ping_result *ping_r;
static uint64_t ping_sent_at[64];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t csum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        s += get16(p + i);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
}

static int arp_send(struct vnet *n, uint16_t op, const uint8_t *tmac, uint32_t tip)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[42];

    eth_header(f, op == 1 ? bcast : tmac, n->mac, ETH_ARP);
    put16(f + 14, 1);                   /* Ethernet */
    put16(f + 16, ETH_IP);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, op);                  /* 1 request, 2 reply */
    memcpy(f + 22, n->mac, 6);
    put32(f + 28, NET_OUR_IP);
    memcpy(f + 32, op == 1 ? (const uint8_t[6]){ 0 } : tmac, 6);
    put32(f + 38, tip);
    return vnet_send(n, f, sizeof(f));
}

/* An IPv4 + ICMP echo (request or reply) of `len` ICMP bytes, copied from `icmp` with the type set. */
static int icmp_send(struct vnet *n, const uint8_t *dmac, uint32_t dip, uint8_t type, const uint8_t *icmp,
                     size_t len)
{
    uint8_t *ip = frame + 14, *ic = ip + 20;

    if (len > VNET_FRAME_MAX - 34)
        return -XEN_EINVAL;
    eth_header(frame, dmac, n->mac, ETH_IP);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + len));
    ip[8] = 64;                         /* TTL */
    ip[9] = 1;                          /* ICMP */
    put32(ip + 12, NET_OUR_IP);
    put32(ip + 16, dip);
    put16(ip + 10, csum(ip, 20));
    memmove(ic, icmp, len);
    ic[0] = type;
    ic[1] = 0;
    put16(ic + 2, 0);
    put16(ic + 2, csum(ic, len));
    return vnet_send(n, frame, 34 + len);
}

static int ping_send(struct vnet *n, const uint8_t *dmac, uint32_t dip, uint16_t seq)
{
    uint8_t ic[8 + PING_DATA];

    put16(ic + 4, PING_ID);
    put16(ic + 6, seq);
    for (unsigned int i = 0; i < PING_DATA; i++)
        ic[8 + i] = (uint8_t)i;
    return icmp_send(n, dmac, dip, ICMP_ECHO, ic, sizeof(ic));
}

static void handle_arp(struct vnet *n, const uint8_t *f, size_t len)
{
    uint16_t op;

    if (len < 42 || get16(f + 14) != 1 || get16(f + 16) != ETH_IP)
        return;
    op = get16(f + 20);
    if (op == 2 && get32(f + 28) == arp_ip)
        memcpy(arp_mac, f + 22, 6);
    else if (op == 1 && get32(f + 38) == NET_OUR_IP)
        arp_send(n, 2, f + 22, get32(f + 28));
}

static void handle_ip(struct vnet *n, uint8_t *f, size_t len)
{
    uint8_t *ip = f + 14, *ic;
    size_t ihl, tot;

    if (len < 34 || (ip[0] >> 4) != 4 || ip[9] != 1 || get32(ip + 16) != NET_OUR_IP)
        return;
    ihl = (size_t)(ip[0] & 15) * 4;
    tot = get16(ip + 2);
    if (ihl < 20 || tot < ihl + 8 || 14 + tot > len)
        return;
    ic = ip + ihl;
    if (ic[0] == ICMP_ECHO)
        icmp_send(n, f + 6, get32(ip + 12), ICMP_ECHO_REPLY, ic, tot - ihl);
    else if (ic[0] == ICMP_ECHO_REPLY && get16(ic + 4) == PING_ID && ping_r) {
        uint16_t seq = get16(ic + 6);

        if (seq < ping_r->sent && ping_r->received < 64)
            ping_r->rtt_ns[ping_r->received] = pvos_now_ns() - ping_sent_at[seq % 64];
        ping_r->received++;
    }
}

void net_poll(struct vnet *n)
{
    static uint8_t in[VNET_FRAME_MAX];
    size_t len;

    while ((len = vnet_recv(n, in, sizeof(in)))) {
        if (len < 14)
            continue;
        if (get16(in + 12) == ETH_ARP)
            handle_arp(n, in, len);
        else if (get16(in + 12) == ETH_IP)
            handle_ip(n, in, len);
    }
}

int net_arp_resolve(struct vnet *n, uint32_t ip, uint8_t mac[6])
{
    static const uint8_t zero[6];

    if (arp_ip == ip && memcmp(arp_mac, zero, 6)) {
        memcpy(mac, arp_mac, 6);
        return 0;
    }
    arp_ip = ip;
    memset(arp_mac, 0, 6);
    for (unsigned int t = 0; t < ARP_TRIES; t++) {
        uint64_t deadline = pvos_now_ns() + SEC;

        arp_send(n, 1, NULL, ip);
        while (vnet_wait(n, deadline)) {
            net_poll(n);
            if (memcmp(arp_mac, zero, 6)) {
                memcpy(mac, arp_mac, 6);
                return 0;
            }
        }
    }
    return -XEN_ETIMEDOUT;
}

int net_ping(struct vnet *n, uint32_t ip, unsigned int count, unsigned int window, struct net_ping_result *r)
{
    uint8_t mac[6];
    uint64_t start, deadline;
    int rc;

    *r = (struct net_ping_result){ 0 };
    if ((rc = net_arp_resolve(n, ip, mac)))
        return rc;
    ping_r = r;
    start = pvos_now_ns();
    deadline = start + SEC;
    while (r->received < count) {
        while (r->sent < count && r->sent - r->received < window) {
            ping_sent_at[r->sent % 64] = pvos_now_ns();
            if (ping_send(n, mac, ip, (uint16_t)r->sent))
                break;                  /* every tx buffer in use: wait for completions */
            r->sent++;
            deadline = pvos_now_ns() + SEC;
        }
        if (!vnet_wait(n, deadline))
            break;                      /* a second without a reply */
        net_poll(n);
    }
    r->elapsed_ns = pvos_now_ns() - start;
    ping_r = NULL;
    return 0;
}
