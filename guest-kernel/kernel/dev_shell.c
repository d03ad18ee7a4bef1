/*
 * The shell's device commands (docs/guest-kernel.md): lspci, blk ..., net
 * ..., irqs, vbd. The first of them probes: the domain's own disk (serial
 * <its name>/N, attached at boot by the block back end service,
 * blkback_svc.h, which serves the other virtio disks) becomes vda, the
 * first virtio-net function eth0 (pvdrivers/virtio). The shell thread is
 * the one thread that drives both.
 */
#include "devices.h"
#include "blkback_svc.h"
#include "devmodel_svc.h"
#include "net.h"
#include "netback_svc.h"
#include "netfront_dev.h"
#include <tandem/errno.h>

#define MAX_WORDS       8
#define BLK_CMD_SECTORS 128                     /* blk read/write: 64 KiB at most */
#define BENCH_DEPTH_MAX 16

static struct vblk *vda;
static struct vnet eth0;
static bool probed, have_vda, have_eth0;
static volatile bool probe_done;

static const char *pci_name(uint32_t id)
{
    switch (id) {
    case VIRTIO_PCI_VENDOR << 16 | VIRTIO_PCI_ID_BLK: return " virtio-blk";
    case VIRTIO_PCI_VENDOR << 16 | VIRTIO_PCI_ID_NET: return " virtio-net";
    case 0x123411e8: return " edu";
    default: return "";
    }
}

/* "bb:dd.f" into buf (12 bytes): each line is one printk, so another thread's line cannot cut it. */
static const char *sbdf_text(char *buf, uint32_t sbdf)
{
    snprintf(buf, 12, "%02x:%02x.%x", (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7);
    return buf;
}

static void probe_blk(void)
{
    uint32_t sbdf = 0;
    char at[12];
    int rc = 0;

    if (!(vda = blkback_svc_own_disk(&sbdf, &rc))) {
        if (rc)
            printk("vda: virtio-blk at %s: not driven (%d)\n", sbdf_text(at, sbdf), rc);
        return;
    }
    have_vda = true;
    printk("vda: virtio-blk at %s: %lu sectors (%lu MiB), serial %s, %s, features %lx\n", sbdf_text(at, sbdf),
           (unsigned long)vda->capacity,
           (unsigned long)(vda->capacity >> 11), vda->serial[0] ? vda->serial : "(none)",
           vda->polling ? "polling (no MSI-X)" : "MSI-X events", (unsigned long)vda->vp.features);
}

static void probe_net(uint32_t sbdf)
{
    int rc = vnet_attach(&eth0, sbdf);
    const uint8_t *m = eth0.mac;
    char at[12];

    if (rc) {
        printk("eth0: virtio-net at %s: not driven (%d)\n", sbdf_text(at, sbdf), rc);
        return;
    }
    have_eth0 = true;
    printk("eth0: virtio-net at %s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s\n", sbdf_text(at, sbdf),
           m[0], m[1], m[2], m[3], m[4], m[5],
           vnet_link_up(&eth0) ? "up" : "down", eth0.polling ? "polling (no MSI-X)" : "MSI-X events");
}

static void dev_probe(void)
{
    int64_t prev = -1;
    uint32_t sbdf;
    bool any_blk = false, first;
    uint8_t m = events_save();          /* test and set at once: the netback service probes too */

    first = !probed;
    probed = true;
    events_restore(m);
    if (!first) {
        while (!probe_done)             /* another thread is probing */
            thread_sleep_until(system_time_ns() + 1000000);
        return;
    }
    probe_blk();
    for (; pvos_pci_next(prev, &sbdf); prev = sbdf) {
        uint32_t id = pvos_pci_conf_read(sbdf, 0, 4);
        uint16_t vendor = (uint16_t)id, device = (uint16_t)(id >> 16);

        if (vendor != VIRTIO_PCI_VENDOR)
            continue;
        any_blk |= device == VIRTIO_PCI_ID_BLK;
        if (device == VIRTIO_PCI_ID_NET && !have_eth0)
            probe_net(sbdf);
    }
    if (!any_blk && !have_eth0)
        printk("devices: no virtio disk or NIC visible to this domain\n");
    probe_done = true;
}

static void cmd_lspci(void)
{
    int64_t prev = -1;
    uint32_t sbdf, n = 0;
    char at[12];

    for (; pvos_pci_next(prev, &sbdf); prev = sbdf, n++) {
        uint32_t id = pvos_pci_conf_read(sbdf, 0, 4);
        uint32_t class = pvos_pci_conf_read(sbdf, 8, 4) >> 8;

        printk("%s %04x:%04x class %06x%s\n", sbdf_text(at, sbdf), id & 0xffff, id >> 16, class,
               pci_name((id & 0xffff) << 16 | id >> 16));
    }
    printk("%u PCI functions visible\n", n);
}

static void cmd_irqs(void)
{
    pvos_dev_report();
    if (have_vda)
        printk("  vda: %lu queue events, %lu requests completed\n", (unsigned long)vda->events,
               (unsigned long)vda->completed);
    if (have_eth0)
        printk("  eth0: %lu rx, %lu tx, %lu config events\n", (unsigned long)eth0.rx_events,
               (unsigned long)eth0.tx_events, (unsigned long)eth0.config_events);
}

/* a.b.c.d in host order; 0 if malformed. */
static uint32_t parse_ip(const char *s)
{
    uint32_t ip = 0;

    for (int i = 0; i < 4; i++) {
        const char *end;
        unsigned long v = strtoul(s, &end, 10);

        if (end == s || v > 255 || (i < 3 ? *end != '.' : *end))
            return 0;
        ip = ip << 8 | (uint32_t)v;
        s = end + 1;
    }
    return ip;
}

static uint64_t median(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

static void cmd_ping(const char *ipstr, unsigned int count, unsigned int window, bool bench)
{
    static struct net_ping_result r;
    uint32_t ip = parse_ip(ipstr);
    unsigned int got;
    uint64_t rtt, tsc;
    int rc;

    if (!ip || !count) {
        printk("net ping: bad address or count\n");
        return;
    }
    tsc = dev_rdtsc();
    rc = net_ping(&eth0, ip, count, window, &r);
    tsc = dev_rdtsc() - tsc;
    if (rc) {
        printk("net ping %s: no ARP reply (%d)\n", ipstr, rc);
        return;
    }
    got = r.received < 64 ? r.received : 64;
    rtt = median(r.rtt_ns, got);       /* sorts them: [0] is the least, [got - 1] the most */
    if (bench) {
        uint64_t us = r.elapsed_ns / 1000 ? r.elapsed_ns / 1000 : 1;
        printk("net bench: %u/%u echo round trips to %s in %lu us, window %u: %lu pps (requests + replies), "
               "rtt median %lu us\n", r.received, r.sent, ipstr, (unsigned long)us, window,
               (unsigned long)(2ULL * r.received * 1000000 / us), (unsigned long)(rtt / 1000));
        /* make bench: TSC ticks per round trip, as many in flight as the window lets. */
        if (r.received == r.sent && r.received)
            printk("BENCH scenario=pv.virtio_net_echo_w%u iters=%u total=%lu per_op=%lu unit=tsc ops=%u\n", window,
                   r.received, (unsigned long)tsc, (unsigned long)(tsc / r.received), r.received);
        return;
    }
    printk("net ping %s: %u/%u replies, rtt median %lu us (min %lu, max %lu)\n", ipstr, r.received, r.sent,
           (unsigned long)(rtt / 1000), (unsigned long)(got ? r.rtt_ns[0] / 1000 : 0),
           (unsigned long)(got ? r.rtt_ns[got - 1] / 1000 : 0));
}

static void net_command(char **w, int nw)
{
    const uint8_t *m = eth0.mac;

    if (netback_svc_running()) {        /* eth0 is the switch's uplink (netback_svc.c) */
        if (netsvc_dev() == netback_svc_netdev())
            net_lwip_command(w, nw);
        else
            printk("net: eth0 is the network back end's uplink; ifup gives this domain its own address\n");
        return;
    }

    if (!have_eth0) {
        printk("net: no virtio NIC\n");
        return;
    }
    if (netsvc_owns(&eth0)) {           /* ifup gave eth0 to the lwIP stack (guest-kernel/net/) */
        net_lwip_command(w, nw);
        return;
    }
    net_poll(&eth0);
    if (nw == 2 && !strcmp(w[1], "info"))
        printk("eth0: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, ip 10.0.2.15, rx %lu tx %lu dropped %lu\n",
               m[0], m[1], m[2], m[3], m[4], m[5], vnet_link_up(&eth0) ? "up" : "down",
               (unsigned long)eth0.rx_packets, (unsigned long)eth0.tx_packets, (unsigned long)eth0.rx_dropped);
    else if ((nw == 3 || nw == 4) && !strcmp(w[1], "ping"))
        cmd_ping(w[2], nw == 4 ? (unsigned int)strtoul(w[3], NULL, 0) : 4, 1, false);
    else if ((nw == 2 || nw == 3) && !strcmp(w[1], "bench")) {
        unsigned int count = nw == 3 ? (unsigned int)strtoul(w[2], NULL, 0) : 2000;

        cmd_ping("10.0.2.2", count, 16, true);      /* throughput: 16 in flight */
        cmd_ping("10.0.2.2", count / 4 ? count / 4 : 1, 1, true);  /* round trip: one at a time */
    }
    else
        printk("net info | net ping IP [COUNT] | net bench [COUNT]\n");
}

struct vnet *dev_eth0(void)
{
    dev_probe();
    return have_eth0 ? &eth0 : NULL;
}

bool shell_dev_command(char *line)
{
    char buf[128], *w[MAX_WORDS];
    int nw;

    snprintf(buf, sizeof(buf), "%s", line);
    nw = shell_split(buf, w, MAX_WORDS);
    if (!nw)
        return false;
    if (!strcmp(w[0], "lspci") && nw == 1)
        cmd_lspci();
    else if (!strcmp(w[0], "drivers") && nw == 1) {
        bool was = probed;

        dev_probe();                    /* waits if another thread is probing */
        if (was)
            printk("drivers: vda %s, eth0 %s%s\n", have_vda ? "driven" : "absent", have_eth0 ? "driven" : "absent",
                   have_eth0 && netback_svc_running() ? " (the network back end's uplink)" : "");
    }
    else if (!strcmp(w[0], "irqs") && nw == 1)
        cmd_irqs();
    else if (!strcmp(w[0], "vbd") && nw == 1)
        blkback_svc_list();
    else if (!strcmp(w[0], "devmodel") && nw == 1)
        devmodel_svc_list();
    else if ((!strcmp(w[0], "vifs") || !strcmp(w[0], "netback")) && nw == 1)
        netback_svc_list();
    else if (!strcmp(w[0], "vif"))
        netfront_command(w, nw);
    else if (!strcmp(w[0], "xvd"))
        xvd_command(w, nw);
    else if (!strcmp(w[0], "blk")) {
        dev_probe();
        if (have_vda)
            blk_command(vda, w, nw);
        else
            printk("blk: no virtio disk\n");
    } else if (!strcmp(w[0], "net")) {
        dev_probe();
        net_command(w, nw);
    } else
        return false;
    return true;
}
