/*
 * The shell's `blk` commands on the virtio disk (docs/guest-kernel.md):
 * info, read (a checksum and the first bytes), write (a byte pattern),
 * flush, and bench (sequential or random requests, several in flight: MiB/s,
 * IOPS, and per request this domain's hypercalls and events, kcounters).
 * Data lives in pages from the allocator: their machine frames are what
 * the device is given.
 */
#include "devices.h"
#include "mm.h"
#include <tandem/errno.h>

#define CMD_PAGES       16              /* blk read/write: 64 KiB at most */
#define DEPTH_MAX       16
#define SECTORS_PER_PAGE (PAGE_SIZE / VBLK_SECTOR_SIZE)

static const char *blk_err(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case -XEN_EIO: return "EIO";
    case -XEN_EOPNOTSUPP: return "EOPNOTSUPP";
    case -XEN_ERANGE: return "ERANGE (past the end of the disk)";
    case -XEN_EINVAL: return "EINVAL";
    case -XEN_ETIMEDOUT: return "ETIMEDOUT";
    case -XEN_EAGAIN: return "EAGAIN";
    default: return "error";
    }
}

/* The request's segments over `pages` for `sectors` sectors. */
static void fill_segs(struct vblk_req *r, void **pages, unsigned int sectors)
{
    r->nr_segs = 0;
    for (unsigned int i = 0; sectors; i++) {
        unsigned int s = sectors < SECTORS_PER_PAGE ? sectors : SECTORS_PER_PAGE;

        r->seg[r->nr_segs++] = (struct virtq_buf){ pvos_page_mfn(pages[i]) << PAGE_SHIFT, s * VBLK_SECTOR_SIZE };
        sectors -= s;
    }
}

static bool alloc_pages_n(void **pages, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (!(pages[i] = pvos_page_alloc())) {
            while (i--)
                pvos_page_free(pages[i]);
            return false;
        }
    return true;
}

static void free_pages_n(void **pages, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        pvos_page_free(pages[i]);
}

/* FNV-1a, 64 bits: the host side of tests/guest/virtio_blk_rw computes the same. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void blk_rw(struct vblk *b, bool write, uint64_t sector, unsigned int count, uint8_t byte)
{
    struct vblk_req r = { .type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, .sector = sector };
    unsigned int npages = (count + SECTORS_PER_PAGE - 1) / SECTORS_PER_PAGE;
    void *pages[CMD_PAGES];
    uint64_t h = 0xcbf29ce484222325ULL;
    const uint8_t *p;
    char text[33];
    int rc;

    if (!count || npages > CMD_PAGES) {
        printk("blk: 1 to %lu sectors at a time\n", (unsigned long)(CMD_PAGES * SECTORS_PER_PAGE));
        return;
    }
    if (!alloc_pages_n(pages, npages)) {
        printk("blk: out of memory\n");
        return;
    }
    for (unsigned int i = 0; write && i < npages; i++)
        memset(pages[i], byte, PAGE_SIZE);
    fill_segs(&r, pages, count);
    rc = vblk_do(b, &r);
    if (write || rc) {
        printk("blk %s %lu+%u: %s\n", write ? "write" : "read", (unsigned long)sector, count, blk_err(rc));
        free_pages_n(pages, npages);
        return;
    }
    for (unsigned int i = 0; i < npages; i++)
        h = fnv1a(h, pages[i], i + 1 < npages || !(count % SECTORS_PER_PAGE) ? PAGE_SIZE :
                  (count % SECTORS_PER_PAGE) * VBLK_SECTOR_SIZE);
    p = pages[0];
    for (unsigned int i = 0; i < 32; i++)
        text[i] = p[i] >= 32 && p[i] < 127 ? (char)p[i] : '.';
    text[32] = 0;
    /* One printk: a line another thread prints meanwhile cannot cut it. */
    printk("blk read %lu+%u: checksum %016lx, bytes %02x %02x %02x %02x %02x %02x %02x %02x |%s|\n",
           (unsigned long)sector, count, (unsigned long)h, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], text);
    free_pages_n(pages, npages);
}

/* ---- blk bench: `depth` requests of `kib` in flight, sequential, until total_mib are done ---- */
static struct bench {
    struct vblk_req req[DEPTH_MAX];
    bool busy[DEPTH_MAX];
    unsigned int done, failed;
} bench;

static void bench_done(struct vblk_req *r)
{
    bench.busy[(struct vblk_req *)r - bench.req] = false;
    bench.done++;
    if (r->status)
        bench.failed++;
}

static bool bench_slot_free(void *arg)
{
    unsigned int depth = *(unsigned int *)arg;

    for (unsigned int i = 0; i < depth; i++)
        if (!bench.busy[i])
            return true;
    return false;
}

/* The i-th random request's place: a fixed pseudo-random sequence (splitmix64) of kib-aligned slots. */
static uint64_t random_slot(uint64_t i, uint64_t slots)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return (x ^ (x >> 31)) % slots;
}

/* v / n with two decimals. */
static const char *per_req(uint64_t v, uint64_t n, char *buf, size_t size)
{
    uint64_t x = n ? v * 100 / n : 0;

    snprintf(buf, size, "%lu.%02lu", (unsigned long)(x / 100), (unsigned long)(x % 100));
    return buf;
}

static void blk_bench(struct vblk *b, const char *op, unsigned int kib, unsigned int total_mib, unsigned int depth)
{
    static void *pages[DEPTH_MAX * CMD_PAGES];
    bool write = !strcmp(op, "write"), random = !strcmp(op, "randread");
    unsigned int per = kib / 4, total = total_mib * 1024 / kib, issued = 0;
    uint64_t sector = 0, t0, ns, tsc0, tsc, sectors = (uint64_t)kib * 2;
    struct kcounters c0, c1;
    char hc[24], ev[24], qd[8] = "";

    if (!kib || kib % 4 || per > CMD_PAGES || !total || !depth || depth > DEPTH_MAX || sectors > b->capacity) {
        printk("blk bench read|write|randread KIB TOTAL_MIB [DEPTH]: KIB 4..64 in steps of 4, DEPTH 1..%u\n",
               DEPTH_MAX);
        return;
    }
    if (!alloc_pages_n(pages, per * depth)) {
        printk("blk bench: out of memory\n");
        return;
    }
    bench = (struct bench){ 0 };
    c0 = kcounters;
    t0 = pvos_now_ns();
    tsc0 = dev_rdtsc();
    while (bench.done < total) {
        vblk_plug(b);           /* one kick for the slots refilled together (as blkback kicks per round) */
        for (unsigned int i = 0; i < depth && issued < total; i++) {
            struct vblk_req *r = &bench.req[i];

            if (bench.busy[i])
                continue;
            if (random)
                sector = random_slot(issued, b->capacity / sectors) * sectors;
            else if (sector + sectors > b->capacity)
                sector = 0;
            *r = (struct vblk_req){ .type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, .sector = sector,
                                    .done = bench_done };
            fill_segs(r, &pages[i * per], (unsigned int)sectors);
            if (vblk_submit(b, r))
                break;
            bench.busy[i] = true;
            issued++;
            sector += sectors;
        }
        vblk_unplug(b);
        if (!vblk_wait(b, bench_slot_free, &depth, pvos_now_ns() + 10000000000ULL)) {
            printk("blk bench: no completion for 10 s\n");
            break;
        }
    }
    ns = pvos_now_ns() - t0;
    tsc = dev_rdtsc() - tsc0;
    c1 = kcounters;
    vblk_wait(b, bench_slot_free, &depth, pvos_now_ns() + 10000000000ULL);
    ns = ns ? ns : 1;
    per_req(c1.hypercalls - c0.hypercalls, bench.done, hc, sizeof(hc));
    per_req(c1.evt_handled - c0.evt_handled, bench.done, ev, sizeof(ev));
    printk("blk bench %s %u KiB x %u (depth %u): %lu ms, %lu.%lu MiB/s, %lu IOPS%s; per request: %s hypercalls, "
           "%s events received\n", op, kib, bench.done, depth, (unsigned long)(ns / 1000000),
           (unsigned long)((uint64_t)bench.done * kib * 1000000000ULL / 1024 / ns),
           (unsigned long)((uint64_t)bench.done * kib * 10000000000ULL / 1024 / ns % 10),
           (unsigned long)((uint64_t)bench.done * 1000000000ULL / ns), bench.failed ? " (some failed)" : "", hc, ev);
    /* For make bench (docs/benchmarks.md): TSC ticks per request; MiB/s and IOPS follow from it.
     * Depth 8 keeps its old names (pv.virtio_blk_read_4k); other depths end in _qdN. */
    if (depth != 8)
        snprintf(qd, sizeof(qd), "_qd%u", depth);
    if (bench.done && !bench.failed)
        printk("BENCH scenario=pv.virtio_blk_%s_%uk%s iters=%u total=%lu per_op=%lu unit=tsc ops=%u hc_per_op=%s "
               "recv_per_op=%s\n", op, kib, qd, bench.done, (unsigned long)tsc, (unsigned long)(tsc / bench.done),
               bench.done, hc, ev);
    free_pages_n(pages, per * depth);
}

void blk_command(struct vblk *b, char **w, int nw)
{
    if (nw == 2 && !strcmp(w[1], "info"))
        printk("vda: %lu sectors, serial %s%s%s, queue %u, %u segments/request, %lu events\n",
               (unsigned long)b->capacity, b->serial[0] ? b->serial : "(none)", b->readonly ? ", read-only" : "",
               b->can_flush ? ", flush" : "", b->vq.size, b->seg_max, (unsigned long)b->events);
    else if (nw == 4 && !strcmp(w[1], "read"))
        blk_rw(b, false, strtoul(w[2], NULL, 0), (unsigned int)strtoul(w[3], NULL, 0), 0);
    else if (nw == 5 && !strcmp(w[1], "write"))
        blk_rw(b, true, strtoul(w[2], NULL, 0), (unsigned int)strtoul(w[3], NULL, 0),
               (uint8_t)strtoul(w[4], NULL, 0));
    else if (nw == 2 && !strcmp(w[1], "flush")) {
        struct vblk_req r = { .type = VIRTIO_BLK_T_FLUSH };
        printk("blk flush: %s\n", blk_err(b->can_flush ? vblk_do(b, &r) : -XEN_EOPNOTSUPP));
    } else if ((nw == 5 || nw == 6) && !strcmp(w[1], "bench") &&
               (!strcmp(w[2], "read") || !strcmp(w[2], "write") || !strcmp(w[2], "randread")))
        blk_bench(b, w[2], (unsigned int)strtoul(w[3], NULL, 0), (unsigned int)strtoul(w[4], NULL, 0),
                  nw == 6 ? (unsigned int)strtoul(w[5], NULL, 0) : 8);
    else
        printk("blk info | read SECTOR COUNT | write SECTOR COUNT BYTE | flush | bench read|write|randread KIB "
               "TOTAL_MIB [DEPTH]\n");
}
