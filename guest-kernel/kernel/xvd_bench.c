/*
 * xvd_bench.c: `xvd bench NAME read|write|randread SIZE_KIB COUNT DEPTH` on a
 * vbd (xvd.h; docs/guest-kernel.md, docs/benchmarks.md): COUNT requests of
 * SIZE_KIB each, DEPTH of them in flight. The queue depth comes from DEPTH
 * kernel threads each making synchronous xvd_read/xvd_write calls, which
 * blkfront queues on the ring together; sequential requests walk the disk
 * from sector 0 (wrapping), random ones land on SIZE-aligned offsets
 * (a fixed pseudo-random sequence). Prints MiB/s, IOPS and, per request, the
 * hypercalls, events sent and received and grant operations this domain made
 * (kcounters, kernel.h: the whole domain's, timer ticks included), and a
 * BENCH line for make bench. Writes overwrite the disk: a scratch disk only.
 */
#include "kernel.h"
#include "mm.h"
#include "pvos.h"
#include "xvd.h"
#include "devices.h"
#include <tandem/errno.h>

#define BENCH_DEPTH_MAX 32
#define BENCH_KIB_MAX   256
#define BENCH_WAIT_NS   120000000000ULL

static struct xbench {
    struct xvd *d;
    bool write, random;
    uint32_t sectors;           /* per request */
    uint64_t slots;             /* SIZE-aligned places on the disk */
    uint32_t count, next, done, failed;
    int first_err;
    unsigned int running;
    struct pvos_wait w;
    void *buf[BENCH_DEPTH_MAX];
    unsigned int pages;
} xb;
static bool xb_busy;

static uint64_t slot_of(uint32_t i)
{
    uint64_t x;

    if (!xb.random)
        return i % xb.slots;
    x = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;     /* splitmix64 */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return (x ^ (x >> 31)) % xb.slots;
}

static void worker(void *arg)
{
    void *buf = arg;

    for (;;) {
        uint8_t m = events_save();
        uint32_t i = xb.next < xb.count ? xb.next++ : UINT32_MAX;
        uint64_t sector;
        int rc;

        events_restore(m);
        if (i == UINT32_MAX)
            break;
        sector = slot_of(i) * xb.sectors;
        rc = xb.write ? xvd_write(xb.d, sector, xb.sectors, buf) : xvd_read(xb.d, sector, xb.sectors, buf);
        m = events_save();
        xb.done++;
        if (rc) {
            xb.failed++;
            if (!xb.first_err)
                xb.first_err = rc;
            xb.next = xb.count;         /* the others stop too */
        }
        events_restore(m);
    }
    uint8_t m = events_save();
    xb.running--;
    events_restore(m);
    pvos_wake(&xb.w);
}

static bool all_done(void *arg)
{
    (void)arg;
    return xb.running == 0;
}

/* v / n with two decimals, as "12.34". */
static const char *per(uint64_t v, uint64_t n, char *buf, size_t size)
{
    uint64_t x = n ? v * 100 / n : 0;

    snprintf(buf, size, "%lu.%02lu", (unsigned long)(x / 100), (unsigned long)(x % 100));
    return buf;
}

static void bench_run(struct xvd *d, const char *op, unsigned int kib, unsigned int count, unsigned int depth)
{
    struct kcounters c0, c1;
    uint64_t t0, tsc0, ns, tsc, grants, mib100;
    unsigned int started = 0;
    char a[24], b[24], e[24], g[24], h[24];

    xb = (struct xbench){ .d = d, .write = !strcmp(op, "write"), .random = !strcmp(op, "randread"),
                          .sectors = kib * 2, .count = count, .pages = (kib + 3) / 4 };
    xb.slots = xvd_sectors(d) / xb.sectors;
    if (!xb.slots) {
        printk("xvd bench: %s is smaller than one request\n", xvd_name(d));
        return;
    }
    if (xb.write && xvd_readonly(d)) {
        printk("xvd bench: %s is read-only\n", xvd_name(d));
        return;
    }
    for (unsigned int i = 0; i < depth; i++) {
        uint64_t pfn = alloc_pages(xb.pages, PG_KERNEL);
        if (!pfn) {
            printk("xvd bench: out of memory\n");
            while (i--)
                free_pages(virt_to_pfn(xb.buf[i]), xb.pages, PG_KERNEL);
            return;
        }
        xb.buf[i] = pfn_to_virt(pfn);
        memset(xb.buf[i], 0x5a, (size_t)xb.pages * PAGE_SIZE);
    }
    xb_busy = true;
    c0 = kcounters;
    t0 = pvos_now_ns();
    tsc0 = dev_rdtsc();
    {
        uint8_t m = events_save();      /* all threads made before any runs */
        for (unsigned int i = 0; i < depth; i++)
            if (thread_create("xvdbench", worker, xb.buf[i]))
                started++;
        xb.running = started;
        events_restore(m);
    }
    if (!started) {
        printk("xvd bench: no thread\n");
        xb_busy = false;
        return;
    }
    if (!pvos_wait_until(&xb.w, all_done, NULL, pvos_now_ns() + BENCH_WAIT_NS)) {
        printk("xvd bench: %u of %u requests done after %lu s: given up (buffers kept)\n", xb.done, count,
               (unsigned long)(BENCH_WAIT_NS / 1000000000ULL));
        return;                         /* xb_busy stays: the threads still use xb */
    }
    tsc = dev_rdtsc() - tsc0;
    ns = pvos_now_ns() - t0;
    c1 = kcounters;
    ns = ns ? ns : 1;
    for (unsigned int i = 0; i < depth; i++)
        free_pages(virt_to_pfn(xb.buf[i]), xb.pages, PG_KERNEL);
    xb_busy = false;
    if (xb.failed) {
        printk("xvd bench %s %s: %u of %u requests failed, the first with %d (%s)\n", xvd_name(d), op,
               xb.failed, xb.done, xb.first_err,
               xb.first_err == -XEN_ENOTCONN ? "not connected" : xb.first_err == -XEN_EIO ? "EIO" :
               xb.first_err == -XEN_ETIMEDOUT ? "timed out" : xb.first_err == -XEN_EACCES ? "read-only" : "error");
        return;
    }
    grants = (c1.grants - c0.grants) + (c1.grant_ends - c0.grant_ends) + (c1.grant_maps - c0.grant_maps) +
             (c1.grant_unmaps - c0.grant_unmaps) + (c1.grant_copies - c0.grant_copies);
    mib100 = (uint64_t)xb.done * kib * 100000000000ULL / 1024 / ns;      /* MiB/s x 100 */
    printk("xvd bench %s %s %u KiB x %u (depth %u): %lu ms, %lu.%02lu MiB/s, %lu IOPS; per request: "
           "%s hypercalls, %s events sent, %s received, %s grant ops, %s blocks\n",
           xvd_name(d), op, kib, xb.done, depth, (unsigned long)(ns / 1000000), (unsigned long)(mib100 / 100),
           (unsigned long)(mib100 % 100), (unsigned long)((uint64_t)xb.done * 1000000000ULL / ns),
           per(c1.hypercalls - c0.hypercalls, xb.done, h, sizeof(h)),
           per(c1.evt_sent - c0.evt_sent, xb.done, a, sizeof(a)),
           per(c1.evt_handled - c0.evt_handled, xb.done, b, sizeof(b)), per(grants, xb.done, g, sizeof(g)),
           per(c1.blocks - c0.blocks, xb.done, e, sizeof(e)));
    /* For make bench (docs/benchmarks.md): TSC ticks per request; MiB/s and IOPS follow from it. */
    printk("BENCH scenario=pv.xvd_%s_%uk_qd%u iters=%u total=%lu per_op=%lu unit=tsc ops=%u hc_per_op=%s "
           "sent_per_op=%s recv_per_op=%s grants_per_op=%s\n",
           op, kib, depth, xb.done, (unsigned long)tsc, (unsigned long)(tsc / xb.done), xb.done, h, a, b, g);
}

void xvd_bench_command(char **w, int nw)
{
    struct xvd *d;
    unsigned int kib, count, depth;

    if (nw != 7 || strcmp(w[1], "bench") ||
        (strcmp(w[3], "read") && strcmp(w[3], "write") && strcmp(w[3], "randread"))) {
        printk("xvd bench NAME read|write|randread SIZE_KIB COUNT DEPTH: SIZE_KIB 1..%u, DEPTH 1..%u\n",
               BENCH_KIB_MAX, BENCH_DEPTH_MAX);
        return;
    }
    kib = (unsigned int)strtoul(w[4], NULL, 0);
    count = (unsigned int)strtoul(w[5], NULL, 0);
    depth = (unsigned int)strtoul(w[6], NULL, 0);
    if (!kib || kib > BENCH_KIB_MAX || !count || count > 10000000 || !depth || depth > BENCH_DEPTH_MAX) {
        printk("xvd bench: SIZE_KIB 1..%u, COUNT 1..10000000, DEPTH 1..%u\n", BENCH_KIB_MAX, BENCH_DEPTH_MAX);
        return;
    }
    if (xb_busy) {
        printk("xvd bench: a bench is still running\n");
        return;
    }
    if (!(d = xvd_by_name(w[2]))) {
        printk("xvd bench: %s: no such disk\n", w[2]);
        return;
    }
    if (!xvd_wait_connected(d, 10000000000ULL)) {
        printk("xvd bench: %s: not connected\n", w[2]);
        return;
    }
    bench_run(d, w[3], kib, count, depth);
}
