/*
 * ICMP echo over lwIP's raw API: requests with our identifier, one outstanding at a time;
 * replies are taken in the raw callback (the net thread), everything else is left to lwIP
 * (which answers echo requests to us itself).
 */
#include "netsvc.h"
#include "lwip/raw.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/etharp.h"
#include "lwip/prot/ip4.h"

#define PING_ID         0x7445          /* "tE" */
#define PING_DATA       56

static struct raw_pcb *pcb;
static struct netping_result *cur;
static uint64_t sent_at[64];
static struct {                         /* netping_chain: the next request sent from the reply's callback */
    bool on;
    unsigned int count;
    const ip_addr_t *ip;
} chain;

static int ping_send(const ip_addr_t *ip, u16_t seq);

static uint64_t ping_tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The raw callback (lock held): p starts at the IP header. 1 = an echo reply of ours, eaten. */
static u8_t ping_recv(void *arg, struct raw_pcb *pc, struct pbuf *p, const ip_addr_t *addr)
{
    struct ip_hdr iph;
    struct icmp_echo_hdr e;
    u16_t ihl;

    if (pbuf_copy_partial(p, &iph, sizeof(iph), 0) != sizeof(iph))
        return 0;
    ihl = (u16_t)(IPH_HL(&iph) * 4);
    if (pbuf_copy_partial(p, &e, sizeof(e), ihl) != sizeof(e) || e.type != ICMP_ER ||
        e.id != lwip_htons(PING_ID))
        return 0;
    if (cur && lwip_ntohs(e.seqno) < cur->sent) {
        if (cur->received < 64)
            cur->rtt_ns[cur->received] = system_time_ns() - sent_at[lwip_ntohs(e.seqno) % 64];
        cur->received++;
        cur->last_tsc = ping_tsc();
        if (chain.on && cur->received == cur->sent && cur->sent < chain.count &&
            !ping_send(chain.ip, (u16_t)cur->sent))
            cur->sent++;
    }
    pbuf_free(p);
    return 1;
}

static int ping_send(const ip_addr_t *ip, u16_t seq)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + PING_DATA, PBUF_RAM);
    struct icmp_echo_hdr *e;
    err_t err;

    if (!p)
        return -XEN_ENOMEM;
    e = p->payload;
    e->type = ICMP_ECHO;
    e->code = 0;
    e->chksum = 0;
    e->id = lwip_htons(PING_ID);
    e->seqno = lwip_htons(seq);
    for (unsigned int i = 0; i < PING_DATA; i++)
        ((u8_t *)(e + 1))[i] = (u8_t)i;
    e->chksum = inet_chksum(e, p->len);
    sent_at[seq % 64] = system_time_ns();
    err = raw_sendto(pcb, p, ip);
    pbuf_free(p);
    return err == ERR_OK ? 0 : -XEN_EIO;
}

static bool reply_in(void *arg)
{
    return cur->received >= cur->sent;
}

/* The next hop for ip is in the ARP table (lock held). */
static bool ping_arp_resolved(const ip_addr_t *ip)
{
    struct netif *n = netsvc_netif();
    const ip4_addr_t *hop = ip_2_ip4(ip), *ip_ret;
    struct eth_addr *mac;

    if (!ip4_addr_netcmp(hop, netif_ip4_addr(n), netif_ip4_netmask(n)))
        hop = netif_ip4_gw(n);
    return etharp_find_addr(n, hop, &mac, &ip_ret) >= 0;
}

int netping_run(const ip_addr_t *ip, unsigned int count, uint64_t timeout_ms, struct netping_result *r)
{
    uint8_t t;
    int rc = 0;

    *r = (struct netping_result){ 0 };
    if (!netsvc_netif())
        return -XEN_ENODEV;
    t = netsvc_lock();
    if (!pcb && (pcb = raw_new(IP_PROTO_ICMP)))
        raw_recv(pcb, ping_recv, NULL);
    cur = r;
    netsvc_unlock(t);
    if (!pcb)
        return -XEN_ENOMEM;
    for (unsigned int i = 0; i < count && !rc; i++) {
        t = netsvc_lock();
        rc = ping_send(ip, (u16_t)i);
        if (!rc)
            r->sent++;
        netsvc_unlock(t);
        if (!rc)
            netsvc_wait(reply_in, NULL, timeout_ms);
    }
    t = netsvc_lock();
    cur = NULL;
    r->arp_resolved = ping_arp_resolved(ip);
    netsvc_unlock(t);
    return rc;
}

static bool chain_moved(void *arg)
{
    return cur->received != *(unsigned int *)arg || cur->received >= chain.count;
}

int netping_chain(const ip_addr_t *ip, unsigned int count, uint64_t timeout_ms, struct netping_result *r)
{
    unsigned int seen;
    uint8_t t;
    int rc;

    *r = (struct netping_result){ 0 };
    if (!netsvc_netif())
        return -XEN_ENODEV;
    t = netsvc_lock();
    if (!pcb && (pcb = raw_new(IP_PROTO_ICMP)))
        raw_recv(pcb, ping_recv, NULL);
    if (!pcb) {
        netsvc_unlock(t);
        return -XEN_ENOMEM;
    }
    cur = r;
    chain.on = true;
    chain.count = count;
    chain.ip = ip;
    r->first_tsc = ping_tsc();
    rc = ping_send(ip, 0);
    if (!rc)
        r->sent = 1;
    netsvc_unlock(t);
    /* The callback sends each next request; a reply lost for timeout_ms ends the run. */
    while (!rc) {
        t = netsvc_lock();
        seen = r->received;
        netsvc_unlock(t);
        if (seen >= count || !netsvc_wait(chain_moved, &seen, timeout_ms))
            break;
    }
    t = netsvc_lock();
    chain.on = false;
    cur = NULL;
    r->arp_resolved = ping_arp_resolved(ip);
    netsvc_unlock(t);
    return rc;
}
