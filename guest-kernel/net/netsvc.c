/*
 * The network service: lwIP's one netif over a struct netdev, and the "net" thread that feeds
 * it received frames and runs its timers (NO_SYS: lwIP has no threads of its own). Locking:
 * netsvc.h.
 */
#include "netsvc.h"
#include "lwip/init.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define RX_BATCH        32              /* frames in per round before the timers run again */
#define MAX_SLEEP_MS    100             /* the net thread looks at the link this often at least */
#define POLL_NS         2000000ULL      /* netsvc_wait's step */

static struct netif nif;
static struct netdev *dev;
static const struct vnet *owner;
static uint8_t frame[1536];             /* linkoutput's flattened frame (under the lock) */
static uint8_t rxbuf[1536];             /* the net thread's */

uint8_t netsvc_lock(void)
{
    return events_save();
}

void netsvc_unlock(uint8_t token)
{
    events_restore(token);
}

struct netif *netsvc_netif(void)
{
    return dev ? &nif : NULL;
}

struct netdev *netsvc_dev(void)
{
    return dev;
}

bool netsvc_owns(const struct vnet *n)
{
    return dev && n && owner == n;
}

/* lwIP's linkoutput: one frame out through the device. */
static err_t netsvc_linkoutput(struct netif *n, struct pbuf *p)
{
    struct netdev *d = n->state;
    u16_t len = p->tot_len;

    if (len > sizeof(frame) || pbuf_copy_partial(p, frame, len, 0) != len) {
        d->tx_dropped++;
        return ERR_ARG;
    }
    if (d->send(d, frame, len)) {
        d->tx_dropped++;                /* every buffer in use: TCP will send again */
        return ERR_MEM;
    }
    d->tx_frames++;
    return ERR_OK;
}

static err_t netsvc_netif_init(struct netif *n)
{
    struct netdev *d = n->state;

    n->name[0] = 'e';
    n->name[1] = 't';
    n->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(n->hwaddr, d->mac, ETH_HWADDR_LEN);
    n->mtu = d->mtu;
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    n->output = etharp_output;
    n->linkoutput = netsvc_linkoutput;
    return ERR_OK;
}

/* Frames that arrived, into lwIP (lock held). True if the batch was full: more may wait. */
static bool netsvc_input(struct netdev *d)
{
    for (unsigned int i = 0; i < RX_BATCH; i++) {
        size_t len = d->recv(d, rxbuf, sizeof(rxbuf));
        struct pbuf *p;

        if (!len)
            return false;
        d->rx_frames++;
        p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (!p) {
            d->rx_dropped++;
            continue;
        }
        pbuf_take(p, rxbuf, (u16_t)len);
        if (nif.input(p, &nif) != ERR_OK)
            pbuf_free(p);
    }
    return true;
}

static void netsvc_link(struct netdev *d)
{
    bool up = d->link_up(d);

    if (up && !netif_is_link_up(&nif))
        netif_set_link_up(&nif);
    else if (!up && netif_is_link_up(&nif))
        netif_set_link_down(&nif);
}

static void netsvc_thread(void *arg)
{
    struct netdev *d = arg;

    for (;;) {
        uint8_t t = netsvc_lock();
        bool more = netsvc_input(d);
        u32_t sleep_ms;

        sys_check_timeouts();
        netsvc_link(d);
        sleep_ms = sys_timeouts_sleeptime();
        netsvc_unlock(t);
        if (!more)
            d->wait(d, system_time_ns() + (uint64_t)(sleep_ms < MAX_SLEEP_MS ? sleep_ms : MAX_SLEEP_MS) * 1000000);
    }
}

int netsvc_start(struct netdev *d, struct vnet *n)
{
    static char hostname[32];
    uint8_t t;
    int rc;

    if (dev)
        return -XEN_EEXIST;
    status_init();
    t = netsvc_lock();
    lwip_init();
    if (!netif_add(&nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, d, netsvc_netif_init, ethernet_input)) {
        netsvc_unlock(t);
        return -XEN_ENOMEM;
    }
    snprintf(hostname, sizeof(hostname), "tandem-d%u", net_domid());
    netif_set_hostname(&nif, hostname);
    netif_set_default(&nif);
    netif_set_up(&nif);
    if (d->link_up(d))
        netif_set_link_up(&nif);
    dev = d;
    owner = n;
    rc = dhcp_start(&nif) == ERR_OK ? httpd_start() : -XEN_ENOMEM;
    netsvc_unlock(t);
    if (rc)
        return rc;
    if (!thread_create("net", netsvc_thread, d))
        return -XEN_ENOMEM;
    return 0;
}

bool netsvc_wait(bool (*cond)(void *arg), void *arg, uint64_t timeout_ms)
{
    uint64_t deadline = system_time_ns() + timeout_ms * 1000000;

    for (;;) {
        uint8_t t = netsvc_lock();
        bool ok = cond(arg);

        netsvc_unlock(t);
        if (ok)
            return true;
        if (system_time_ns() >= deadline)
            return false;
        thread_sleep_until(system_time_ns() + POLL_NS);
    }
}

/* ---- names ---- */
static struct {
    unsigned int gen;                   /* the lookup the callback answers (a late one is ignored) */
    bool done, found;
    ip_addr_t ip;
} lookup;

static void netsvc_dns_found(const char *name, const ip_addr_t *ip, void *arg)
{
    if ((uintptr_t)arg != lookup.gen)
        return;
    lookup.done = true;
    lookup.found = ip != NULL;
    if (ip)
        lookup.ip = *ip;
}

static bool lookup_done(void *arg)
{
    return lookup.done;
}

int netsvc_resolve(const char *host, ip_addr_t *ip)
{
    uint8_t t;
    err_t e;

    if (ipaddr_aton(host, ip))
        return 0;
    if (!dev)
        return -XEN_ENODEV;
    t = netsvc_lock();
    lookup.gen++;
    lookup.done = false;
    e = dns_gethostbyname(host, ip, netsvc_dns_found, (void *)(uintptr_t)lookup.gen);
    netsvc_unlock(t);
    if (e == ERR_OK)
        return 0;
    if (e != ERR_INPROGRESS)
        return -XEN_EINVAL;
    if (!netsvc_wait(lookup_done, NULL, 10000))
        return -XEN_ETIMEDOUT;
    if (!lookup.found)
        return -XEN_ENOENT;
    *ip = lookup.ip;
    return 0;
}
