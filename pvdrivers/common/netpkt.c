/*
 * netpkt.c: filling in a checksum the sender left blank
 * (NETTXF_csum_blank: Linux's netfront offloads IPv4 TCP/UDP checksums
 * unless told feature-no-csum-offload), so every frame leaving netback
 * carries a complete one; and MAC address strings (pv_netpkt.h).
 */
#include "pv_netpkt.h"
#include <tandem/errno.h>

#define ETH_P_IPV4 0x0800u
#define ETH_P_IPV6 0x86ddu
#define IPPROTO_TCP 6u
#define IPPROTO_UDP 17u

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* One's-complement sum of n bytes (big-endian words) added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
    uint32_t i;

    for (i = 0; i + 1 < n; i += 2)
        sum += be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Fill the TCP/UDP checksum of the l4 bytes at l4 (pseudo-header sum given). */
static int fill_l4(uint8_t *l4, uint32_t l4len, uint8_t proto, uint32_t sum)
{
    unsigned int off;
    uint16_t c;

    if (proto == IPPROTO_TCP)
        off = 16;
    else if (proto == IPPROTO_UDP)
        off = 6;
    else
        return -XEN_EINVAL;
    if (l4len < off + 2u || (proto == IPPROTO_TCP && l4len < 20))
        return -XEN_EINVAL;
    l4[off] = l4[off + 1] = 0;
    sum += proto + l4len;
    c = csum_fold(csum_add(sum, l4, l4len));
    if (proto == IPPROTO_UDP && !c)
        c = 0xffff;             /* UDP: 0 means "no checksum" */
    l4[off] = (uint8_t)(c >> 8);
    l4[off + 1] = (uint8_t)c;
    return 0;
}

int netpkt_csum_fill(struct netpkt *p)
{
    uint8_t *ip = p->data + NETPKT_ETH_HLEN;
    uint32_t left = p->len - NETPKT_ETH_HLEN;
    uint16_t type;

    if (p->len < NETPKT_ETH_HLEN)
        return -XEN_EINVAL;
    type = be16(p->data + 12);
    if (type == ETH_P_IPV4) {
        uint32_t ihl, tot;

        if (left < 20 || (ip[0] >> 4) != 4)
            return -XEN_EINVAL;
        ihl = (ip[0] & 0xfu) * 4u;
        tot = be16(ip + 2);
        if (ihl < 20 || tot < ihl || tot > left || (be16(ip + 6) & 0x3fffu))
            return -XEN_EINVAL;     /* a fragment cannot be summed alone */
        return fill_l4(ip + ihl, tot - ihl, ip[9], csum_add(0, ip + 12, 8));
    }
    if (type == ETH_P_IPV6) {
        uint32_t plen;

        if (left < 40 || (ip[0] >> 4) != 6)
            return -XEN_EINVAL;
        plen = be16(ip + 4);
        if (plen > left - 40)
            return -XEN_EINVAL;
        return fill_l4(ip + 40, plen, ip[6], csum_add(0, ip + 8, 32));
    }
    return -XEN_EINVAL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int netpkt_mac_parse(const char *s, uint8_t *mac)
{
    unsigned int i;

    for (i = 0; i < NETPKT_MAC_LEN; i++, s += 3) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

        if (hi < 0 || lo < 0 || s[2] != (i + 1 < NETPKT_MAC_LEN ? ':' : '\0'))
            return -XEN_EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
