/*
 * netbench: the network rows of make bench's comparison (docs/benchmarks.md section 9), the same
 * commands in both builds (the PV kernel over netfront or virtio-net, the native kernel over its
 * NE2000, bare or emulated by the driver domain's device model):
 *   netbench ping HOST COUNT   COUNT ICMP echoes, back to back (each next request sent by the net
 *                              thread as the reply comes in: ping.c's netping_chain); one op = one
 *                              round trip
 *   netbench wget URL COUNT    COUNT HTTP GETs of URL (a bulk file), one after another; one op =
 *                              one MiB received (the figure is TSC ticks per MiB)
 * Each prints a summary and
 *   BENCH scenario=PLAT.net_ping|net_rx iters=N total=TICKS per_op=TICKS unit=tsc ops=N
 *         bytes=B pkts_per_op=P [tsc_khz=K] [marked=N ev.NAME=COUNT ...]
 *         [hc_per_op= sent_per_op= recv_per_op= grants_per_op=]
 * PLAT and the ev.* counters (VM exits by reason, device-model round trips, shadow paging events:
 * their change over the measured interval) are the platform's, as the benchmark program's
 * (kbench.h); a PV kernel has none of those but its own per-domain counters (hypercalls, events
 * sent and received, grant operations: netbench_pv_counters), per op as xvd bench prints them.
 * pkts_per_op: the device's frames in and out per op, for figures per packet.
 */
#include "netsvc.h"
#include "kbench.h"

#define NB_PING_MAX     100000u
#define NB_WGET_MAX     1000u
#define NB_REPLY_MS     2000            /* a round trip not back by then ends the ping run */
#define MIB             (1024ull * 1024)

static uint64_t nb_tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

__attribute__((weak)) bool netbench_pv_counters(uint64_t v[4])
{
    (void)v;
    return false;
}

/* The counters at one instant: the platform's (HVM) and the domain's own (PV), and the frames. */
struct nb_snap {
    unsigned int n;
    const char *names[KBENCH_MAX_COUNTERS];
    uint64_t vals[KBENCH_MAX_COUNTERS];
    bool pv;
    uint64_t pvc[4];
    uint64_t frames;
};

static void snap(struct nb_snap *s)
{
    struct netdev *d = netsvc_dev();

    s->n = kbench_platform_counters(s->names, s->vals, KBENCH_MAX_COUNTERS);
    s->pv = netbench_pv_counters(s->pvc);
    s->frames = d ? d->rx_frames + d->tx_frames : 0;
}

/* v / n with two decimals, as "12.34". */
static const char *per(uint64_t v, uint64_t n, char *buf, size_t size)
{
    uint64_t x = n ? (v * 100 + n / 2) / n : 0;

    snprintf(buf, size, "%lu.%02lu", (unsigned long)(x / 100), (unsigned long)(x % 100));
    return buf;
}

static void report(const char *what, uint64_t ops, uint64_t ticks, uint64_t bytes, const struct nb_snap *a,
                   const struct nb_snap *b)
{
    static char line[900];
    char f[4][24], p[24];
    uint64_t khz = kbench_platform_tsc_khz();
    size_t len;

    len = (size_t)snprintf(line, sizeof(line), "BENCH scenario=%s.net_%s iters=%lu total=%lu per_op=%lu unit=tsc "
                           "ops=%lu bytes=%lu pkts_per_op=%s", kbench_platform_name(), what, (unsigned long)ops,
                           (unsigned long)ticks, (unsigned long)(ticks / ops), (unsigned long)ops,
                           (unsigned long)bytes, per(b->frames - a->frames, ops, p, sizeof(p)));
    if (khz)
        len += (size_t)snprintf(line + len, sizeof(line) - len, " tsc_khz=%lu", (unsigned long)khz);
    if (a->n && a->n == b->n) {
        len += (size_t)snprintf(line + len, sizeof(line) - len, " marked=%lu", (unsigned long)ops);
        for (unsigned int i = 0; i < a->n && len < sizeof(line); i++)
            if (!i || b->vals[i] != a->vals[i])
                len += (size_t)snprintf(line + len, sizeof(line) - len, " ev.%s=%lu", a->names[i],
                                        (unsigned long)(b->vals[i] - a->vals[i]));
    }
    if (a->pv && b->pv && len < sizeof(line))
        snprintf(line + len, sizeof(line) - len, " hc_per_op=%s sent_per_op=%s recv_per_op=%s grants_per_op=%s",
                 per(b->pvc[0] - a->pvc[0], ops, f[0], sizeof(f[0])), per(b->pvc[1] - a->pvc[1], ops, f[1], sizeof(f[1])),
                 per(b->pvc[2] - a->pvc[2], ops, f[2], sizeof(f[2])), per(b->pvc[3] - a->pvc[3], ops, f[3], sizeof(f[3])));
    printk("%s\n", line);
}

static void nb_ping(const char *host, unsigned int count)
{
    static struct netping_result r;
    static struct nb_snap a, b;
    uint64_t ticks;
    ip_addr_t ip;
    int rc;

    if ((rc = netsvc_resolve(host, &ip))) {
        printk("netbench ping %s: cannot resolve it (%d)\n", host, rc);
        return;
    }
    snap(&a);
    rc = netping_chain(&ip, count, NB_REPLY_MS, &r);
    snap(&b);
    if (rc || r.received != count) {
        printk("netbench ping %s: %u/%u replies%s (%d)\n", host, r.received, count,
               r.arp_resolved ? "" : ", no ARP reply", rc);
        return;
    }
    ticks = r.last_tsc - r.first_tsc;
    printk("netbench ping %s: %u round trips back to back, %lu TSC ticks each\n", host, count,
           (unsigned long)(ticks / count));
    report("ping", count, ticks, (uint64_t)count * 2 * 98, &a, &b);     /* 98-byte frames */
}

static void nb_wget(const char *url, unsigned int count)
{
    static struct nb_snap a, b;
    uint64_t bytes = 0, ticks = 0, mib;

    snap(&a);
    for (unsigned int i = 0; i < count; i++) {
        uint64_t got, end, t0 = nb_tsc();

        if (wget_fetch(url, &got, &end))
            return;                     /* wget_fetch said why */
        bytes += got;
        ticks += end - t0;
    }
    snap(&b);
    mib = bytes / MIB;
    if (!mib) {
        printk("netbench wget %s: %lu bytes in all, less than one MiB\n", url, (unsigned long)bytes);
        return;
    }
    printk("netbench wget %s: %u GETs, %lu bytes, %lu TSC ticks per MiB\n", url, count, (unsigned long)bytes,
           (unsigned long)(ticks * MIB / bytes));
    /* per op per MiB: ticks scaled by whole MiB so per_op x ops = total */
    report("rx", mib, ticks * MIB / bytes * mib, bytes, &a, &b);
}

void netbench_command(char **w, int nw)
{
    unsigned int count = nw == 4 ? (unsigned int)simple_strtoull(w[3], NULL, 10) : 0;

    if (nw == 4 && !strcmp(w[1], "ping") && count && count <= NB_PING_MAX)
        nb_ping(w[2], count);
    else if (nw == 4 && !strcmp(w[1], "wget") && count && count <= NB_WGET_MAX)
        nb_wget(w[2], count);
    else
        printk("netbench ping HOST COUNT (1..%u) | netbench wget URL COUNT (1..%u)\n", NB_PING_MAX, NB_WGET_MAX);
}
