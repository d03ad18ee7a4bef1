/*
 * Inside the network service (guest-kernel/net/): the one lwIP netif and its lock, and the
 * pieces over it (ping.c, wget.c, httpd.c, status.c, net_shell.c).
 *
 * Locking: lwIP runs with NO_SYS, so nothing in it is thread-safe. Every lwIP call, and every
 * callback lwIP makes, runs between netsvc_lock() and netsvc_unlock(): the net thread holds it
 * while it feeds frames in and runs the timers, a shell command while it calls lwIP. The lock
 * masks events (one vCPU: no preemption, no upcall) and nests; never block while holding it.
 */
#ifndef GUEST_NET_NETSVC_H
#define GUEST_NET_NETSVC_H

#include "net.h"
#include "pvos.h"
#include "lwip/netif.h"
#include "lwip/ip_addr.h"

uint8_t netsvc_lock(void);
void netsvc_unlock(uint8_t token);

/* Start lwIP on d (once): netif up, DHCP started, the HTTP server listening, the net thread. 0 or -errno. */
int netsvc_start(struct netdev *d, struct vnet *owner);
/* The running interface and its device; NULL before netsvc_start. */
struct netif *netsvc_netif(void);
struct netdev *netsvc_dev(void);
/* Wait (lock not held) until cond(arg), checked under the lock, holds (true) or timeout_ms passes. */
bool netsvc_wait(bool (*cond)(void *arg), void *arg, uint64_t timeout_ms);

/* a.b.c.d or a name (DNS, through DHCP's server): 0, or -ENOENT (no such name), -EINVAL, -ETIMEDOUT. */
int netsvc_resolve(const char *host, ip_addr_t *ip);

/* ping.c: count echo requests to ip, one a second at most outstanding, timeout_ms per reply. */
struct netping_result {
    unsigned int sent, received;
    uint64_t rtt_ns[64];                /* the first 64 replies, then sorted by netping_run */
    bool arp_resolved;                  /* the next hop answered ARP */
    uint64_t first_tsc, last_tsc;       /* TSC at netping_chain's first request and at the last reply */
};
int netping_run(const ip_addr_t *ip, unsigned int count, uint64_t timeout_ms, struct netping_result *r);
/* The same requests back to back: each next one sent by the net thread as the reply comes in
 * (netbench.c's round trip: no shell wake-up between them); the run ends early when a reply does
 * not come within timeout_ms. */
int netping_chain(const ip_addr_t *ip, unsigned int count, uint64_t timeout_ms, struct netping_result *r);

/* wget.c's core: one GET of url, quietly; 0 with *bytes the body's size and *end_tsc the TSC when
 * the server closed, or -errno (the reason printed). */
int wget_fetch(const char *url, uint64_t *bytes, uint64_t *end_tsc);

/* netbench.c: `netbench ping HOST COUNT`, `netbench wget URL COUNT` (w[0] is "netbench"). */
void netbench_command(char **w, int nw);
/* The platform's own per-domain counters for netbench's BENCH line, PV only (net_pv.c: kcounters):
 * hypercalls, events sent, events received, grant operations; false where there are none. */
bool netbench_pv_counters(uint64_t v[4]);

/* httpd.c: the status page's server on TCP port 80. */
int httpd_start(void);
struct httpd_stats { unsigned int served, not_found, refused; };
void httpd_get_stats(struct httpd_stats *s);

/* status.c: the domain's status page (name, uptime, memory, processes) into buf: its length. */
size_t status_page(char *buf, size_t size);
/* The platform's (net_pv.c: the store's name; native: nothing): what the page needs, read before
 * the lock is ever held (it may sleep). */
void status_init(void);

/* wget.c: HTTP GET of url; prints the status line and the body's size and CRC-32. */
void wget_run(const char *url);

#endif
