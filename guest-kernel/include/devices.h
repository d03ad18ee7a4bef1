/*
 * The driver domain's devices in the bundled kernel (docs/devices.md,
 * docs/guest-kernel.md): the virtio disk and NIC found on first use
 * (dev_shell.c), the tiny ARP + ICMP echo for pinging (net_ping.c), and
 * pvos_dev.c's report of the MSI-X entries bound as events.
 */
#ifndef GUEST_DEVICES_H
#define GUEST_DEVICES_H

#include "kernel.h"
#include "virtio_net.h"
#include "virtio_blk.h"

/* The TSC, for make bench's BENCH lines (docs/benchmarks.md: unit=tsc). */
static inline uint64_t dev_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Shell: lspci, blk ..., net ..., irqs; false if the line is none of them. */
bool shell_dev_command(char *line);
/* blk_shell.c: `blk WORDS...` on disk b (w[0] is "blk"). */
void blk_command(struct vblk *b, char **w, int nw);
/* xvd_shell.c: `xvd WORDS...` (w[0] is "xvd"): the vbds of xvd.h. */
void xvd_command(char **w, int nw);
/* xvd_bench.c: `xvd bench NAME read|write|randread SIZE_KIB COUNT DEPTH` (w[0] is "xvd"). */
void xvd_bench_command(char **w, int nw);
/* pvos_dev.c: one line per MSI-X entry bound as an event (`irqs`). */
void pvos_dev_report(void);

/* net_ping.c: IPv4 addresses in host order; ours is 10.0.2.15 (QEMU's user network). */
#define NET_OUR_IP      0x0a00020fu
struct net_ping_result {
    unsigned int sent, received;
    uint64_t rtt_ns[64];        /* the first 64 replies' round trips */
    uint64_t elapsed_ns;        /* from the first request to the last reply (or the time-out) */
};
/* The MAC of `ip` on the link (ARP, 3 tries of 1 s): 0, or -ETIMEDOUT. */
int net_arp_resolve(struct vnet *n, uint32_t ip, uint8_t mac[6]);
/* `count` ICMP echo requests to `ip`, at most `window` outstanding, 1 s per reply at most. */
int net_ping(struct vnet *n, uint32_t ip, unsigned int count, unsigned int window, struct net_ping_result *r);
/* Answer what arrived meanwhile (ARP requests for our address, echo requests to us). */
void net_poll(struct vnet *n);

#endif
