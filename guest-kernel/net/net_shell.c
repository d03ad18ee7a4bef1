/*
 * The shell's network commands (docs/network.md): ifup, ifconfig, ping, wget, httpd, netbench
 * (netbench.c), and
 * `net info` / `net ping` once the stack owns eth0. The first of ifup, ifconfig, ping and
 * wget starts the stack on the platform's device (netdev_find: PV net_pv.c, native ne2k.c)
 * and waits for a DHCP lease.
 */
#include "netsvc.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"

#define MAX_WORDS       5
#define DHCP_WAIT_MS    15000
#define PING_TIMEOUT_MS 1000

static bool have_lease(void *arg)
{
    return dhcp_supplied_address(netsvc_netif());
}

/* The interface's address, netmask, gateway and first DNS server as text (lock held). */
struct addrs { char ip[16], mask[16], gw[16], dns[16]; };

static void get_addrs(struct netif *n, struct addrs *a)
{
    ip4addr_ntoa_r(netif_ip4_addr(n), a->ip, sizeof(a->ip));
    ip4addr_ntoa_r(netif_ip4_netmask(n), a->mask, sizeof(a->mask));
    ip4addr_ntoa_r(netif_ip4_gw(n), a->gw, sizeof(a->gw));
    ipaddr_ntoa_r(dns_getserver(0), a->dns, sizeof(a->dns));
}

static void print_lease(void)
{
    struct netif *n = netsvc_netif();
    struct addrs a;
    uint8_t t = netsvc_lock();
    bool bound = dhcp_supplied_address(n);

    get_addrs(n, &a);
    netsvc_unlock(t);
    if (bound)
        printk("%s: DHCP lease %s, netmask %s, gateway %s, dns %s\n", netsvc_dev()->name, a.ip, a.mask, a.gw, a.dns);
    else
        printk("%s: no DHCP lease after %u s\n", netsvc_dev()->name, DHCP_WAIT_MS / 1000);
}

/* The stack on eth0, started if need be (with a DHCP lease awaited): false if there is no NIC. */
static bool net_up(bool verbose)
{
    struct netdev *d;
    struct vnet *n = NULL;
    int rc;

    if (netsvc_netif()) {
        if (verbose)
            print_lease();
        return true;
    }
    if (!(d = netdev_find(&n))) {
        printk("ifup: no network device\n");
        return false;
    }
    if ((rc = netsvc_start(d, n))) {
        printk("ifup: cannot start the stack on %s (%d)\n", d->name, rc);
        return false;
    }
    printk("%s: lwIP %s up, DHCP started, HTTP server on port 80\n", d->name, LWIP_VERSION_STRING);
    netsvc_wait(have_lease, NULL, DHCP_WAIT_MS);
    print_lease();
    return true;
}

static void cmd_ifconfig(void)
{
    struct netif *n = netsvc_netif();
    struct netdev *d = netsvc_dev();
    const uint8_t *m = d->mac;
    struct addrs a;
    uint8_t t = netsvc_lock();
    bool up = netif_is_link_up(n), bound = dhcp_supplied_address(n);

    get_addrs(n, &a);
    netsvc_unlock(t);
    printk("%s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, mtu %u\n", d->name, m[0], m[1], m[2], m[3], m[4],
           m[5], up ? "up" : "down", n->mtu);
    printk("  inet %s netmask %s gateway %s (%s), dns %s\n", a.ip, a.mask, a.gw, bound ? "DHCP" : "no lease", a.dns);
    printk("  rx %lu frames (%lu dropped), tx %lu frames (%lu dropped)\n", (unsigned long)d->rx_frames,
           (unsigned long)d->rx_dropped, (unsigned long)d->tx_frames, (unsigned long)d->tx_dropped);
    netdev_describe(d);
}

static void sort(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
            uint64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

/* ping (prefix "ping") or net ping (prefix "net ping"): the same figures, net ping's old words. */
static void cmd_ping(const char *prefix, const char *host, unsigned int count)
{
    static struct netping_result r;
    unsigned int got;
    ip_addr_t ip;
    int rc;

    if (!count || count > 1000) {
        printk("%s %s: count must be 1..1000\n", prefix, host);
        return;
    }
    if ((rc = netsvc_resolve(host, &ip))) {
        printk("%s %s: cannot resolve it (%d)\n", prefix, host, rc);
        return;
    }
    if ((rc = netping_run(&ip, count, PING_TIMEOUT_MS, &r))) {
        printk("%s %s: cannot send (%d)\n", prefix, host, rc);
        return;
    }
    if (!r.arp_resolved && !r.received) {
        printk("%s %s: no ARP reply (%d)\n", prefix, host, -XEN_ETIMEDOUT);
        return;
    }
    got = r.received < 64 ? r.received : 64;
    sort(r.rtt_ns, got);
    printk("%s %s: %u/%u replies, rtt median %lu us (min %lu, max %lu)\n", prefix, host, r.received, r.sent,
           (unsigned long)(got ? r.rtt_ns[got / 2] / 1000 : 0), (unsigned long)(got ? r.rtt_ns[0] / 1000 : 0),
           (unsigned long)(got ? r.rtt_ns[got - 1] / 1000 : 0));
}

static bool served_enough(void *arg)
{
    struct httpd_stats s;

    httpd_get_stats(&s);
    return s.served >= *(unsigned int *)arg;
}

/* httpd, or httpd wait N [SECS]: until N status pages have been served, all acknowledged (default 60 s). */
static void cmd_httpd(char **w, int nw)
{
    struct httpd_stats s;

    if (nw >= 3 && !strcmp(w[1], "wait")) {
        unsigned int want = (unsigned int)simple_strtoull(w[2], NULL, 10);
        unsigned int secs = nw == 4 ? (unsigned int)simple_strtoull(w[3], NULL, 10) : 60;

        if (!netsvc_wait(served_enough, &want, (uint64_t)secs * 1000))
            printk("httpd: fewer than %u pages served after %u s\n", want, secs);
    } else if (nw != 1) {
        printk("httpd | httpd wait N [SECS]\n");
        return;
    }
    httpd_get_stats(&s);
    printk("httpd: port 80, %u pages served, %u not found, %u refused\n", s.served, s.not_found, s.refused);
}

bool shell_net_command(const char *line)
{
    char buf[128], *w[MAX_WORDS];
    int nw;

    snprintf(buf, sizeof(buf), "%s", line);
    nw = shell_split(buf, w, MAX_WORDS);
    if (!nw)
        return false;
    if (!strcmp(w[0], "ifup") && nw == 1)
        net_up(true);
    else if (!strcmp(w[0], "ifconfig") && nw == 1) {
        if (net_up(false))
            cmd_ifconfig();
    } else if (!strcmp(w[0], "ping")) {
        if (nw < 2 || nw > 3)
            printk("ping HOST [COUNT]\n");
        else if (net_up(false))
            cmd_ping("ping", w[1], nw == 3 ? (unsigned int)simple_strtoull(w[2], NULL, 10) : 4);
    } else if (!strcmp(w[0], "wget")) {
        if (nw != 2)
            printk("wget URL\n");
        else if (net_up(false))
            wget_run(w[1]);
    } else if (!strcmp(w[0], "netbench")) {
        if (nw != 4)
            netbench_command(w, nw);    /* its usage */
        else if (net_up(false))
            netbench_command(w, nw);
    } else if (!strcmp(w[0], "httpd")) {
        if (!netsvc_netif())
            printk("httpd: the stack is not up (ifup)\n");
        else
            cmd_httpd(w, nw);
    } else
        return false;
    return true;
}

void net_lwip_command(char **w, int nw)
{
    struct netif *n = netsvc_netif();
    struct netdev *d = netsvc_dev();
    const uint8_t *m = d->mac;

    if (nw == 2 && !strcmp(w[1], "info")) {
        uint8_t t = netsvc_lock();
        bool up = d->link_up(d);
        struct addrs a;

        get_addrs(n, &a);
        netsvc_unlock(t);
        printk("%s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, ip %s, rx %lu tx %lu dropped %lu (lwIP)\n",
               d->name, m[0], m[1], m[2], m[3], m[4], m[5], up ? "up" : "down", a.ip,
               (unsigned long)d->rx_frames, (unsigned long)d->tx_frames, (unsigned long)d->rx_dropped);
    } else if ((nw == 3 || nw == 4) && !strcmp(w[1], "ping"))
        cmd_ping("net ping", w[2], nw == 4 ? (unsigned int)simple_strtoull(w[3], NULL, 10) : 4);
    else if (nw >= 2 && !strcmp(w[1], "bench"))
        printk("net bench: eth0 is the lwIP stack's since ifup (the bench drives the raw NIC: boot without ifup)\n");
    else
        printk("net info | net ping IP [COUNT]\n");
}
