/*
 * The native kernel's ATA disk driver (docs/devmodel.md "The native
 * kernel's driver"): the primary IDE channel (0x1f0-0x1f7, 0x3f6), master
 * and slave, found by IDENTIFY DEVICE, driven by polling (nIEN set: no
 * interrupt controller is needed) with bus-master DMA when a BMDMA engine
 * answers (the PIIX IDE function's BAR4 on bare QEMU, the device model's
 * fixed 0xc000 in an HVM domain) and PIO otherwise, or with ide=pio on the
 * command line. It offers the disks through xvd.h, as hda and hdb, so the
 * shell's xvd commands, `disk ls` and `run hda:NAME` work on them as on a
 * PV domain's vbds.
 */
#include "native.h"
#include "devices.h"
#include "kmutex.h"
#include "mm.h"
#include "xvd.h"
#include "kbench.h"
#include <tandem/errno.h>

#define CMD             0x1f0
#define CTL             0x3f6
#define BMDMA_FIXED     0xc000          /* the device model's (pvdrivers/devmodel/ide.h) */
#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define TIMEOUT_NS      5000000000ULL
#define DMA_PAGES       16              /* a DMA command moves at most 64 KiB */

struct xvd {
    char name[8];
    unsigned int unit;                  /* 0 master, 1 slave */
    uint64_t sectors;
    bool lba48, dma;
    char model[41];
    uint64_t reads, writes, errors;
};

static struct xvd disks[2];
static unsigned int nr_disks;
static struct kmutex lock;
static uint16_t bm;                     /* BMDMA base port, 0 for none */
static uint32_t *prd;
static uint8_t *dma_page[DMA_PAGES];
static bool pio_only;

/* outw/inw: native.h. */
static inline void outl(uint16_t port, uint32_t v) { __asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* 400 ns after selecting a drive: four reads of the alternate status. */
static void delay400(void)
{
    for (int i = 0; i < 4; i++)
        inb(CTL);
}

/* Status once BSY clears (and, if want_drq, DRQ or ERR is set); -1 on timeout. */
static int wait_ready(bool want_drq)
{
    uint64_t deadline = system_time_ns() + TIMEOUT_NS;

    for (;;) {
        uint8_t st = inb(CMD + 7);
        if (st == 0xff)
            return -1;                  /* nothing there */
        if (!(st & ST_BSY) && (!want_drq || (st & (ST_DRQ | ST_ERR))))
            return st;
        if (system_time_ns() > deadline)
            return -1;
    }
}

static void select(const struct xvd *d, uint64_t lba, bool ext)
{
    outb(CMD + 6, (uint8_t)(0xe0 | (d->unit << 4) | (ext ? 0 : (lba >> 24) & 0x0f)));
    delay400();
}

static void task(const struct xvd *d, uint64_t lba, uint32_t count, uint8_t cmd28, uint8_t cmd48)
{
    bool ext = d->lba48 && (lba + count > 0x0fffffffULL || count > 256);

    select(d, lba, ext);
    if (ext) {
        outb(CMD + 2, (uint8_t)(count >> 8));
        outb(CMD + 3, (uint8_t)(lba >> 24));
        outb(CMD + 4, (uint8_t)(lba >> 32));
        outb(CMD + 5, (uint8_t)(lba >> 40));
    }
    outb(CMD + 2, (uint8_t)count);
    outb(CMD + 3, (uint8_t)lba);
    outb(CMD + 4, (uint8_t)(lba >> 8));
    outb(CMD + 5, (uint8_t)(lba >> 16));
    outb(CMD + 7, ext ? cmd48 : cmd28);
}

static void id_string(char *dst, const uint16_t *w, unsigned int words)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < words; i++) {
        dst[n++] = (char)(w[i] >> 8);
        dst[n++] = (char)w[i];
    }
    while (n && dst[n - 1] == ' ')
        n--;
    dst[n] = 0;
}

static bool identify(unsigned int unit, struct xvd *d)
{
    uint16_t w[256];
    int st;

    outb(CMD + 6, (uint8_t)(0xa0 | (unit << 4)));
    delay400();
    if (inb(CMD + 7) == 0 || inb(CMD + 7) == 0xff)
        return false;                   /* no drive (or no controller) */
    outb(CMD + 7, 0xec);
    delay400();
    if ((st = wait_ready(true)) < 0 || (st & ST_ERR) || !(st & ST_DRQ))
        return false;                   /* an ATAPI device or no answer */
    insw(CMD, w, 256);
    d->unit = unit;
    d->lba48 = w[83] & (1 << 10);
    d->sectors = d->lba48 ? (uint64_t)w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32 |
                            (uint64_t)w[103] << 48 : (uint64_t)w[60] | (uint64_t)w[61] << 16;
    d->dma = (w[49] & (1 << 8)) && bm && !pio_only;
    id_string(d->model, &w[27], 20);
    snprintf(d->name, sizeof(d->name), "hd%c", 'a' + unit);
    return d->sectors != 0;
}

/* The BMDMA engine: the PCI IDE function's BAR4 (bus 0), else the device model's fixed one. */
static uint32_t pci_read(unsigned int dev, unsigned int fn, unsigned int reg)
{
    outl(0xcf8, 0x80000000U | dev << 11 | fn << 8 | reg);
    return inl(0xcfc);
}

static void find_bmdma(void)
{
    for (unsigned int dev = 0; dev < 32; dev++)
        for (unsigned int fn = 0; fn < 8; fn++) {
            uint32_t id = pci_read(dev, fn, 0), cls = pci_read(dev, fn, 8), bar4;
            if ((uint16_t)id == 0xffff || (cls >> 16) != 0x0101)
                continue;
            bar4 = pci_read(dev, fn, 0x20);
            if ((bar4 & 1) && (bar4 & 0xfff0)) {
                uint32_t cmd = pci_read(dev, fn, 4);
                outl(0xcf8, 0x80000000U | dev << 11 | fn << 8 | 4);
                outl(0xcfc, cmd | 0x5);         /* I/O space and bus mastering */
                bm = (uint16_t)(bar4 & 0xfff0);
                return;
            }
        }
    if (native_hypervisor && inb(BMDMA_FIXED + 2) != 0xff)
        bm = BMDMA_FIXED;
}

void xvd_init(void)
{
    const char *cl = (const char *)start_info->cmd_line;
    char v[8] = "";

    for (const char *p = cl; *p; p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "ide=", 4)) {
            for (unsigned int i = 0; i < sizeof(v) - 1 && p[4 + i] && p[4 + i] != ' '; i++)
                v[i] = p[4 + i];
            break;
        }
    pio_only = !strcmp(v, "pio");
    if (!strcmp(v, "off") || inb(CMD + 7) == 0xff) {
        printk("ide: %s\n", v[0] ? "off (ide=off)" : "no IDE controller");
        return;
    }
    outb(CTL, 0x02);                    /* nIEN: polled */
    find_bmdma();
    for (unsigned int i = 0; bm && i <= DMA_PAGES; i++) {
        uint64_t pfn = alloc_page(PG_KERNEL);
        if (!pfn)
            bm = 0;                     /* no memory for DMA: PIO */
        else if (i == DMA_PAGES)
            prd = pfn_to_virt(pfn);
        else
            dma_page[i] = pfn_to_virt(pfn);
    }
    for (unsigned int u = 0; u < 2; u++)
        if (identify(u, &disks[nr_disks])) {
            struct xvd *d = &disks[nr_disks++];
            printk("ide: %s: %s, %lu sectors (%lu MiB), %s%s\n", d->name, d->model, (unsigned long)d->sectors,
                   (unsigned long)(d->sectors >> 11), d->lba48 ? "LBA48, " : "",
                   d->dma ? "bus-master DMA" : "PIO");
        }
    if (!nr_disks)
        printk("ide: no ATA disk on the primary channel\n");
}

unsigned int xvd_count(void) { return nr_disks; }
struct xvd *xvd_get(unsigned int i) { return i < nr_disks ? &disks[i] : NULL; }
const char *xvd_name(const struct xvd *d) { return d->name; }
uint32_t xvd_devid(const struct xvd *d) { return d->unit; }
bool xvd_wait_connected(struct xvd *d, uint64_t timeout_ns) { (void)d; (void)timeout_ns; return true; }
bool xvd_connected(const struct xvd *d) { (void)d; return true; }
uint64_t xvd_sectors(const struct xvd *d) { return d->sectors; }
bool xvd_readonly(const struct xvd *d) { (void)d; return false; }
const char *xvd_state_name(const struct xvd *d) { (void)d; return "connected"; }
const char *xvd_backend(const struct xvd *d) { return d->dma ? "IDE, bus-master DMA" : "IDE, PIO"; }

struct xvd *xvd_by_name(const char *name)
{
    for (unsigned int i = 0; i < nr_disks; i++)
        if (!strcmp(disks[i].name, name))
            return &disks[i];
    return NULL;
}

void xvd_describe(const struct xvd *d)
{
    printk("%s: IDE primary %s, %s, %lu sectors, %s%s; %lu reads, %lu writes, %lu errors\n", d->name,
           d->unit ? "slave" : "master", d->model, (unsigned long)d->sectors, d->lba48 ? "LBA48, " : "",
           d->dma ? "bus-master DMA" : "PIO", (unsigned long)d->reads, (unsigned long)d->writes,
           (unsigned long)d->errors);
}

/* One PIO command of n (<= 256) sectors. */
static int pio(struct xvd *d, uint64_t lba, uint32_t n, uint8_t *buf, bool write)
{
    int st;

    task(d, lba, n, write ? 0x30 : 0x20, write ? 0x34 : 0x24);
    for (uint32_t s = 0; s < n; s++, buf += 512) {
        if ((st = wait_ready(true)) < 0 || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
            return st < 0 ? -XEN_ETIMEDOUT : -XEN_EIO;
        /* A sector by REP OUTSL/INSL, as a stock driver moves it (one device-model request under HVM). */
        if (write)
            outsl(CMD, buf, 128);
        else
            insl(CMD, buf, 128);
    }
    if ((st = wait_ready(false)) < 0 || (st & (ST_ERR | ST_DF)))
        return st < 0 ? -XEN_ETIMEDOUT : -XEN_EIO;
    return 0;
}

/* One DMA command of n (<= 128) sectors through the bounce pages. */
static int dma(struct xvd *d, uint64_t lba, uint32_t n, uint8_t *buf, bool write)
{
    uint32_t bytes = n * 512, pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t deadline = system_time_ns() + TIMEOUT_NS;
    uint8_t bst;
    int st;

    for (uint32_t i = 0; i < pages; i++) {
        uint32_t len = bytes - i * PAGE_SIZE < PAGE_SIZE ? bytes - i * PAGE_SIZE : PAGE_SIZE;
        prd[2 * i] = (uint32_t)pfn_maddr(virt_to_pfn(dma_page[i]));
        prd[2 * i + 1] = len | (i + 1 == pages ? 0x80000000U : 0);
        if (write)
            memcpy(dma_page[i], buf + i * PAGE_SIZE, len);
    }
    outb(bm, 0);
    outl(bm + 4, (uint32_t)pfn_maddr(virt_to_pfn(prd)));
    outb(bm + 2, 0x06);                 /* clear IRQ and ERROR */
    outb(bm, write ? 0 : 0x08);
    task(d, lba, n, write ? 0xca : 0xc8, write ? 0x35 : 0x25);
    outb(bm, write ? 0x01 : 0x09);
    /* Until the engine stops or interrupts, or the drive refused (ERR or DF, not busy). A drive
     * momentarily neither busy nor asking for data while the engine still runs is not a refusal:
     * QEMU's PIIX shows that between two PRD pages, which failed long runs of requests. */
    while (((bst = inb(bm + 2)) & 0x05) == 0x01 && system_time_ns() < deadline) {
        uint8_t as = inb(CTL);
        if (!(as & ST_BSY) && (as & (ST_ERR | ST_DF)))
            break;
    }
    outb(bm, 0);
    st = wait_ready(false);
    if (st < 0 || (bst & 0x01))
        return -XEN_ETIMEDOUT;
    if ((bst & 0x02) || (st & (ST_ERR | ST_DF)))
        return -XEN_EIO;
    if (!write)
        for (uint32_t i = 0; i < pages; i++)
            memcpy(buf + i * PAGE_SIZE, dma_page[i],
                   bytes - i * PAGE_SIZE < PAGE_SIZE ? bytes - i * PAGE_SIZE : PAGE_SIZE);
    return 0;
}

static int rw(struct xvd *d, uint64_t sector, uint32_t count, uint8_t *buf, bool write)
{
    int rc = 0;

    if (sector > d->sectors || count > d->sectors - sector)
        return -XEN_EINVAL;
    kmutex_lock(&lock);
    while (count && !rc) {
        uint32_t n = d->dma ? (count < DMA_PAGES * 8 ? count : DMA_PAGES * 8) : (count < 256 ? count : 256);
        rc = d->dma ? dma(d, sector, n, buf, write) : pio(d, sector, n, buf, write);
        if (!rc) {
            sector += n;
            count -= n;
            buf += n * 512;
            if (write)
                d->writes++;
            else
                d->reads++;
        }
    }
    if (rc)
        d->errors++;
    kmutex_unlock(&lock);
    return rc;
}

int xvd_read(struct xvd *d, uint64_t sector, uint32_t count, void *buf)
{
    return rw(d, sector, count, buf, false);
}

int xvd_write(struct xvd *d, uint64_t sector, uint32_t count, const void *buf)
{
    return rw(d, sector, count, (uint8_t *)buf, true);
}

int xvd_flush(struct xvd *d)
{
    int st;

    kmutex_lock(&lock);
    select(d, 0, false);
    outb(CMD + 7, d->lba48 ? 0xea : 0xe7);
    st = wait_ready(false);
    kmutex_unlock(&lock);
    return st < 0 ? -XEN_ETIMEDOUT : (st & ST_ERR) ? -XEN_EIO : 0;
}

/*
 * `xvd bench NAME read|write|randread SIZE_KIB COUNT DEPTH` (the PV kernel's
 * command, kernel/xvd_bench.c, for make bench's disk rows, docs/benchmarks.md
 * section 9): COUNT requests of SIZE_KIB, one after another (IDE without
 * queuing has one command in flight: DEPTH above 1 is accepted and the BENCH
 * name keeps it, but the requests still go one at a time). Sequential requests
 * walk the disk from sector 0 (wrapping), random ones land on SIZE-aligned
 * places of a fixed xorshift sequence. The BENCH line carries TSC ticks per
 * request and, under Tandem, the HVM counters' change over the run (VM exits
 * by reason, device-model round trips) as the benchmark program's ev.* fields.
 */
#define XB_KIB_MAX 256

void xvd_bench_command(char **w, int nw)
{
    static uint8_t *buf;
    static const char *names[KBENCH_MAX_COUNTERS];
    static uint64_t v0[KBENCH_MAX_COUNTERS], v1[KBENCH_MAX_COUNTERS];
    unsigned int kib, count, depth, n0, n1;
    uint64_t slots, x = 0x9e3779b97f4a7c15ULL, t0, t1;
    struct xvd *d;
    bool write, rnd;
    char line[700];
    size_t len;
    int rc = 0;

    if (nw != 7 || (strcmp(w[3], "read") && strcmp(w[3], "write") && strcmp(w[3], "randread"))) {
        printk("xvd bench NAME read|write|randread SIZE_KIB COUNT DEPTH: SIZE_KIB 1..%u\n", XB_KIB_MAX);
        return;
    }
    kib = (unsigned int)strtoul(w[4], NULL, 0);
    count = (unsigned int)strtoul(w[5], NULL, 0);
    depth = (unsigned int)strtoul(w[6], NULL, 0);
    if (!kib || kib > XB_KIB_MAX || !count || count > 10000000 || !depth || depth > 32) {
        printk("xvd bench: SIZE_KIB 1..%u, COUNT 1..10000000, DEPTH 1..32\n", XB_KIB_MAX);
        return;
    }
    if (!(d = xvd_by_name(w[2]))) {
        printk("xvd bench: %s: no such disk\n", w[2]);
        return;
    }
    slots = d->sectors / (kib * 2u);
    if (!slots) {
        printk("xvd bench: %s: smaller than one request\n", w[2]);
        return;
    }
    if (!buf) {
        uint64_t pfn = alloc_pages(XB_KIB_MAX / 4, PG_KERNEL);
        if (!pfn) {
            printk("xvd bench: out of memory\n");
            return;
        }
        buf = pfn_to_virt(pfn);
    }
    write = !strcmp(w[3], "write");
    rnd = !strcmp(w[3], "randread");
    memset(buf, 0x5a, kib * 1024u);
    n0 = kbench_platform_counters(names, v0, KBENCH_MAX_COUNTERS);
    t0 = rdtsc();
    for (unsigned int i = 0; i < count && !rc; i++) {
        uint64_t slot = i % slots;
        if (rnd) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            slot = x % slots;
        }
        rc = write ? xvd_write(d, slot * kib * 2u, kib * 2u, buf) : xvd_read(d, slot * kib * 2u, kib * 2u, buf);
    }
    t1 = rdtsc();
    n1 = kbench_platform_counters(names, v1, KBENCH_MAX_COUNTERS);
    if (rc) {
        printk("xvd bench %s %s: a request failed with %d (after %lu ms)\n", xvd_name(d), w[3], rc,
               (unsigned long)(native_tsc_khz ? (t1 - t0) / native_tsc_khz : 0));
        return;
    }
    {
        uint64_t ns = native_tsc_khz ? (t1 - t0) * 1000000ULL / native_tsc_khz : 0;
        uint64_t mib100 = ns ? (uint64_t)count * kib * 100000000000ULL / 1024 / ns : 0;
        printk("xvd bench %s %s %u KiB x %u (depth %u, one at a time): %lu ms, %lu.%02lu MiB/s, %lu IOPS (%s)\n",
               xvd_name(d), w[3], kib, count, depth, (unsigned long)(ns / 1000000),
               (unsigned long)(mib100 / 100), (unsigned long)(mib100 % 100),
               (unsigned long)(ns ? (uint64_t)count * 1000000000ULL / ns : 0), xvd_backend(d));
    }
    len = (size_t)snprintf(line, sizeof(line), "BENCH scenario=%s.xvd_%s_%uk_qd%u iters=%u total=%lu per_op=%lu "
                           "unit=tsc ops=%u tsc_khz=%lu", kbench_platform_name(), w[3], kib, depth, count,
                           (unsigned long)(t1 - t0), (unsigned long)((t1 - t0) / count), count,
                           (unsigned long)native_tsc_khz);
    if (n0 && n0 == n1) {
        len += (size_t)snprintf(line + len, sizeof(line) - len, " marked=%u", count);
        for (unsigned int i = 0; i < n0 && len < sizeof(line); i++)
            if (!i || v1[i] != v0[i])
                len += (size_t)snprintf(line + len, sizeof(line) - len, " ev.%s=%lu", names[i],
                                        (unsigned long)(v1[i] - v0[i]));
    }
    printk("%s\n", line);
}

/*
 * `idetest` (tests/guest/hvm_dmdisk_hostile, docs/devmodel.md "Hostile
 * use"): the controller programmed as a hostile guest would, on hda. Each
 * case must end in an error status (never a hang, never a write outside
 * our memory: the device model's to guarantee), then the disk must still
 * read sector 0 as before.
 */
static uint8_t bm_after(uint32_t table, uint64_t lba, uint32_t count, uint8_t cmd, uint8_t *st)
{
    uint8_t bst;

    outb(bm, 0);
    outl(bm + 4, table);
    outb(bm + 2, 0x06);
    outb(bm, 0x08);
    select(&disks[0], 0, true);
    outb(CMD + 2, (uint8_t)(count >> 8));
    outb(CMD + 3, (uint8_t)(lba >> 24));
    outb(CMD + 4, (uint8_t)(lba >> 32));
    outb(CMD + 5, (uint8_t)(lba >> 40));
    outb(CMD + 2, (uint8_t)count);
    outb(CMD + 3, (uint8_t)lba);
    outb(CMD + 4, (uint8_t)(lba >> 8));
    outb(CMD + 5, (uint8_t)(lba >> 16));
    outb(CMD + 7, cmd);
    outb(bm, 0x09);
    for (uint64_t deadline = system_time_ns() + TIMEOUT_NS; ((bst = inb(bm + 2)) & 0x05) == 0x01 &&
         (inb(CTL) & (ST_BSY | ST_DRQ)) && system_time_ns() < deadline;)
        ;
    outb(bm, 0);
    *st = inb(CMD + 7);
    return bst;
}

static bool hostile_case(const char *what, uint8_t bst, uint8_t st)
{
    bool refused = (bst & 0x02) || (st & ST_ERR);

    printk("idetest: %s: %s (bmdma status %02x, status %02x, error %02x)\n", what,
           refused ? "error status" : "NOT REFUSED", bst, st, inb(CMD + 1));
    return refused;
}

static void idetest(void)
{
    uint64_t top = start_info->nr_pages << PAGE_SHIFT;
    uint8_t st, bst, sector0[512], again[512];
    bool ok = true;
    int rc;

    if (!nr_disks || !bm || !prd) {
        printk("idetest: needs hda with bus-master DMA\n");
        return;
    }
    kmutex_lock(&lock);
    /* A buffer beyond our memory (below 4 GiB: the PRD's reach). */
    prd[0] = (uint32_t)(top + 0x100000);
    prd[1] = 512 | 0x80000000U;
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 0, 1, 0x25, &st);
    ok &= hostile_case("DMA into a buffer beyond its memory", bst, st);
    /* The PRD table itself beyond our memory. */
    bst = bm_after((uint32_t)(top + 0x200000), 0, 1, 0x25, &st);
    ok &= hostile_case("a PRD table beyond its memory", bst, st);
    /* A buffer in the hole below 4 GiB (where nothing is). */
    prd[0] = 0xfebff000U;
    prd[1] = 4096 | 0x80000000U;
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 0, 8, 0x25, &st);
    ok &= hostile_case("DMA into the MMIO hole", bst, st);
    /* 65536 sectors (count 0) from sector 0 of a small disk. */
    prd[0] = (uint32_t)pfn_maddr(virt_to_pfn(dma_page[0]));
    prd[1] = 0 | 0x80000000U;                   /* 64 KiB: more than the page, but the count fails first */
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 0, 0, 0x25, &st);
    ok &= hostile_case("65536 sectors at sector 0", bst, st);
    /* A sector 2^48 - 1. */
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 0xffffffffffffULL, 1, 0x25, &st);
    ok &= hostile_case("sector 2^48-1", bst, st);
    /* A table without end: 512 two-byte entries for 8 sectors. */
    for (unsigned int i = 0; i < 512; i++) {
        prd[2 * i] = (uint32_t)pfn_maddr(virt_to_pfn(dma_page[0]));
        prd[2 * i + 1] = 2;
    }
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 0, 8, 0x25, &st);
    ok &= hostile_case("a PRD table that never ends", bst, st);
    /* A DMA write from beyond our memory: the disk must keep sector 5. */
    prd[0] = (uint32_t)(top + 0x100000);
    prd[1] = 512 | 0x80000000U;
    bst = bm_after((uint32_t)pfn_maddr(virt_to_pfn(prd)), 5, 1, 0x35, &st);
    ok &= hostile_case("DMA write from beyond its memory", bst, st);
    /* Garbage: unknown commands, data with no command, a write abandoned half-way, a reset mid-read. */
    outb(CMD + 7, 0x00);
    ok &= hostile_case("command 0x00", 0, (uint8_t)wait_ready(false));
    outb(CMD + 7, 0xff);
    ok &= hostile_case("command 0xff", 0, (uint8_t)wait_ready(false));
    for (unsigned int i = 0; i < 300; i++)
        inw(CMD), outw(CMD, 0xdead);
    task(&disks[0], 6, 1, 0x30, 0x34);        /* WRITE SECTORS 6, then only half the data */
    for (unsigned int i = 0; i < 64; i++)
        outl(CMD, 0x0badf00d);
    task(&disks[0], 0, 4, 0x20, 0x24);        /* a READ instead: the write is abandoned */
    inl(CMD);
    outb(CTL, 0x06);                            /* SRST in the middle of the read */
    outb(CTL, 0x02);
    st = (uint8_t)wait_ready(false);
    printk("idetest: garbage sequences: status %02x after the reset\n", st);
    kmutex_unlock(&lock);
    if ((rc = xvd_read(&disks[0], 0, 1, sector0)) || (rc = xvd_read(&disks[0], 5, 1, again))) {
        printk("idetest: FAIL: the disk no longer reads (%d)\n", rc);
        return;
    }
    sector0[22] = again[22] = 0;
    printk("idetest: sector 0 reads '%s', sector 5 '%s' after it all\n", (const char *)sector0,
           (const char *)again);
    if ((rc = xvd_read(&disks[0], 6, 1, again)) == 0) {
        again[22] = 0;
        printk("idetest: sector 6 begins %02x %02x %02x %02x (the abandoned write)\n", again[0], again[1],
               again[2], again[3]);
    }
    printk("idetest: %s\n", ok ? "every hostile programming refused, the disk still works" : "FAIL");
}

bool ide_shell_command(const char *line)
{
    if (strcmp(line, "idetest"))
        return false;
    idetest();
    return true;
}
