/*
 * The native kernel's ATA disk driver (docs/devmodel.md "The native
 * kernel's driver"): the primary IDE channel (0x1f0-0x1f7, 0x3f6), master
 * and slave, found by IDENTIFY DEVICE (polled, nIEN set), then driven by
 * IRQ 14 (irq.c: the IOAPIC or the 8259s): the thread that issued a
 * command sleeps until the handler has read the status (which lowers the
 * drive's INTRQ) and, for DMA, the BMDMA status (its interrupt bit, then
 * cleared) and stopped the engine; no interrupt within TIMEOUT_NS is
 * -ETIMEDOUT, never a hang. Without an interrupt controller (irq=off) or
 * with ide=poll it polls the status as before. Bus-master DMA when a BMDMA
 * engine answers (the PIIX IDE function's BAR4 on bare QEMU, the device
 * model's fixed 0xc000 in an HVM domain), PIO otherwise or with ide=pio.
 * Every register access is a round trip to the device model in an HVM
 * domain, so none is repeated: the device register is written only when
 * it changes (and only then the 400 ns wait), the PRD table's address once.
 * It offers the disks through xvd.h, as hda and hdb, so the shell's xvd
 * commands, `disk ls` and `run hda:NAME` work on them as on a PV domain's
 * vbds.
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
#define BM_ACTIVE 0x01
#define BM_ERROR 0x02
#define BM_IRQ 0x04
#define IDE_IRQ         14
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
static bool use_irq;                    /* IRQ 14 taken: commands wait for it */
static uint8_t cur_dev = 0xff;          /* the device register as last written (0xff: unknown) */
static bool prd_loaded;                 /* the engine holds prd's address */
static bool bm_dirty;                   /* its status may hold an interrupt or error bit that is not a DMA's */
/* What IRQ 14's handler saw; the waiter it wakes. */
static volatile bool irq_seen, dma_inflight;
static volatile uint8_t irq_st, irq_bst;
static struct thread *volatile irq_waiter;
static uint64_t irq_timeouts, irq_spurious;

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
    uint8_t dev = (uint8_t)(0xe0 | (d->unit << 4) | (ext ? 0 : (lba >> 24) & 0x0f));

    if (dev == cur_dev)
        return;
    outb(CMD + 6, dev);
    cur_dev = dev;
    delay400();
}

/* After anything that may have left the channel in another state: write everything again. */
static void forget_state(void)
{
    cur_dev = 0xff;
    prd_loaded = false;
    bm_dirty = true;
}

/*
 * IRQ 14 (interrupts off). A DMA command's end: the BMDMA status must say
 * interrupt (else it is not ours yet), the engine is stopped, the status
 * read (the drive lowers INTRQ), the BMDMA interrupt and error bits
 * cleared. Otherwise only the status. The waiter, if any, is woken.
 */
static void ide_irq(unsigned int irq)
{
    uint8_t bst = 0;

    (void)irq;
    if (dma_inflight) {
        bst = inb(bm + 2);
        if (!(bst & BM_IRQ)) {
            irq_spurious++;
            return;
        }
        outb(bm, 0);
        dma_inflight = false;
    }
    irq_st = inb(CMD + 7);
    if (bst & (BM_ERROR | BM_IRQ))
        outb(bm + 2, (uint8_t)((bst & 0x60) | BM_ERROR | BM_IRQ));
    irq_bst = bst;
    irq_seen = true;
    if (irq_waiter)
        thread_wake(irq_waiter);
}

/* Before a command that will interrupt. */
static void irq_arm(bool dma_cmd)
{
    uint8_t m = events_save();

    irq_seen = false;
    dma_inflight = dma_cmd;
    events_restore(m);
}

/* Until IRQ 14's handler has run: its status, or -1 after TIMEOUT_NS (the channel is then forgotten). */
static int wait_irq(void)
{
    uint64_t deadline = system_time_ns() + TIMEOUT_NS;
    uint8_t m = events_save();
    int st;

    while (!irq_seen && system_time_ns() < deadline) {
        irq_waiter = current_thread;
        thread_sleep_until(deadline);
        irq_waiter = NULL;
    }
    st = irq_seen ? irq_st : -1;
    irq_seen = false;
    if (st < 0) {
        irq_timeouts++;
        if (dma_inflight) {
            outb(bm, 0);
            outb(bm + 2, 0x06);
            dma_inflight = false;
        }
        inb(CMD + 7);                   /* an INTRQ nobody took acknowledged: the next command's is an edge */
        forget_state();
    }
    events_restore(m);
    return st;
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
    cur_dev = 0xff;
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
    use_irq = strcmp(v, "poll") != 0;
    if (!strcmp(v, "off") || inb(CMD + 7) == 0xff) {
        printk("ide: %s\n", v[0] ? "off (ide=off)" : "no IDE controller");
        return;
    }
    outb(CTL, 0x02);                    /* nIEN: polled while the drives are identified */
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
    if (!nr_disks) {
        printk("ide: no ATA disk on the primary channel\n");
        return;
    }
    if (bm) {
        outb(bm, 0);
        outb(bm + 2, 0x06);
    }
    forget_state();
    use_irq = use_irq && native_irq_register(IDE_IRQ, ide_irq);
    if (use_irq) {
        inb(CMD + 7);                   /* anything pending from the identification acknowledged */
        outb(CTL, 0x00);                /* nIEN clear: the drive interrupts */
    }
    printk("ide: %s\n", use_irq ? "interrupt-driven, IRQ 14" : !strcmp(v, "poll") ? "polled (ide=poll)" :
           "polled (no interrupt controller)");
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
    if (use_irq)
        printk("%s: IRQ 14 through the %s: %lu interrupts, %lu not ours, %lu timeouts\n", d->name,
               native_irq_controller(), (unsigned long)native_irq_count(IDE_IRQ), (unsigned long)irq_spurious,
               (unsigned long)irq_timeouts);
    else
        printk("%s: polled\n", d->name);
}

/* One PIO command of n (<= 256) sectors. */
static int pio(struct xvd *d, uint64_t lba, uint32_t n, uint8_t *buf, bool write)
{
    int st;

    if (use_irq)
        irq_arm(false);
    task(d, lba, n, write ? 0x30 : 0x20, write ? 0x34 : 0x24);
    for (uint32_t s = 0; s < n; s++, buf += 512) {
        /* Each block of a read interrupts when it is there; a write's first block does not (ATA). */
        st = use_irq && (!write || s) ? wait_irq() : wait_ready(true);
        if (st < 0 || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ)) {
            forget_state();
            return st < 0 ? -XEN_ETIMEDOUT : -XEN_EIO;
        }
        /* A sector by REP OUTSL/INSL, as a stock driver moves it (one device-model request under HVM). */
        if (write)
            outsl(CMD, buf, 128);
        else
            insl(CMD, buf, 128);
    }
    if (use_irq && !write)
        return 0;                       /* no interrupt after a read's last block: each one's status was good */
    if ((st = use_irq ? wait_irq() : wait_ready(false)) < 0 || (st & (ST_ERR | ST_DF))) {
        forget_state();
        return st < 0 ? -XEN_ETIMEDOUT : -XEN_EIO;
    }
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
    if (use_irq) {
        /* The engine is stopped and its status clear (the last command's handler did both). */
        if (!prd_loaded) {
            outl(bm + 4, (uint32_t)pfn_maddr(virt_to_pfn(prd)));
            prd_loaded = true;
        }
        if (bm_dirty) {
            outb(bm + 2, 0x06);
            bm_dirty = false;
        }
        irq_arm(true);
        task(d, lba, n, write ? 0xca : 0xc8, write ? 0x35 : 0x25);
        outb(bm, write ? 0x01 : 0x09);  /* direction and start in one write, after the command */
        st = wait_irq();
        bst = irq_bst;
        if (st < 0)
            return -XEN_ETIMEDOUT;
        if ((bst & BM_ERROR) || (st & (ST_ERR | ST_DF))) {
            forget_state();
            return -XEN_EIO;
        }
        goto copy_out;
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
copy_out:
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
    bm_dirty = true;                    /* the PIIX latches any command's interrupt in the BMDMA status */
    if (use_irq)
        irq_arm(false);
    outb(CMD + 7, d->lba48 ? 0xea : 0xe7);
    st = use_irq ? wait_irq() : wait_ready(false);
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
    outb(CTL, use_irq ? 0x00 : 0x02);   /* interrupts back on if we take them */
    st = (uint8_t)wait_ready(false);
    printk("idetest: garbage sequences: status %02x after the reset\n", st);
    if (bm) {
        outb(bm, 0);
        outb(bm + 2, 0x06);
    }
    forget_state();
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

/*
 * `irqtest` (tests/guest/hvm_dmdisk_hostile, native/bare-disk-dma; docs/devmodel.md
 * "Hostile use"): every ISA line masked at the interrupt controller, as a kernel gone wrong
 * would leave it. A read of hda must end in -ETIMEDOUT after TIMEOUT_NS, never hang; with the
 * lines unmasked again the disk reads as before.
 */
static void irqtest(void)
{
    uint8_t sector[512];
    int rc;

    if (!nr_disks || !use_irq) {
        printk("irqtest: needs hda, interrupt-driven\n");
        return;
    }
    for (unsigned int i = 0; i < NATIVE_NR_IRQS; i++)
        native_irq_mask(i);
    rc = xvd_read(&disks[0], 0, 1, sector);
    printk("irqtest: every line masked: a read of hda gives %d (%s)\n", rc,
           rc == -XEN_ETIMEDOUT ? "timed out" : "NOT A TIMEOUT");
    for (unsigned int i = 0; i < NATIVE_NR_IRQS; i++)
        native_irq_unmask(i);
    if ((rc = xvd_read(&disks[0], 0, 1, sector))) {
        printk("irqtest: FAIL: unmasked again, the read gives %d\n", rc);
        return;
    }
    sector[22] = 0;
    printk("irqtest: unmasked again: sector 0 reads '%s'; %lu timeouts\n", (const char *)sector,
           (unsigned long)irq_timeouts);
}

bool ide_shell_command(const char *line)
{
    if (!strcmp(line, "irqtest"))
        irqtest();
    else if (!strcmp(line, "idetest"))
        idetest();
    else
        return false;
    return true;
}
