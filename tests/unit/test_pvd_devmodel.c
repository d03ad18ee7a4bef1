/*
 * Unit tests for pvdrivers/devmodel (devmodel.c: the device table, dispatch,
 * IRQ lines, checked DMA; ide.c: the emulated ATA controller) against a
 * host harness: a guest memory of GFRAMES frames (map_gfn refuses any other
 * frame), a RAM disk, and ioreqs built as the hypervisor builds them.
 * Hostile programming (DMA outside memory, absurd counts, garbage sequences,
 * a random fuzz) must end in an error status, never a write outside the
 * guest's frames or the disk, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devmodel.h"
#include "../../pvdrivers/devmodel/ide.h"
#include <tandem/errno.h>

#define GFRAMES  16
#define SECTORS  2048
#define GUARD    4096

static uint8_t mem_all[GUARD + GFRAMES * 4096 + GUARD];
#define MEM (mem_all + GUARD)
static uint8_t disk_all[GUARD + SECTORS * 512 + GUARD];
#define DISK (disk_all + GUARD)
static int irq_level[16], irq_changes;
static unsigned int mapped, maps;
static bool fail_io, fail_flush;
static unsigned int flushes;

static int h_set_irq(void *ctx, unsigned int irq, bool level)
{
    (void)ctx;
    assert_true(irq < 16);
    irq_level[irq] = level;
    irq_changes++;
    return 0;
}

static void *h_map(void *ctx, uint64_t gfn, bool write)
{
    (void)ctx;
    (void)write;
    assert_int_equal(mapped, 0);        /* one frame at a time */
    if (gfn >= GFRAMES)
        return NULL;
    mapped++;
    maps++;
    return MEM + gfn * 4096;
}

static void h_unmap(void *ctx, void *va)
{
    (void)ctx;
    (void)va;
    assert_int_equal(mapped, 1);
    mapped--;
}

static const struct dm_host_ops hops = { h_set_irq, h_map, h_unmap };

static int b_read(struct dm_blk *b, uint64_t sector, void *buf, unsigned int nr)
{
    assert_true(sector + nr <= b->sectors);
    if (fail_io)
        return -XEN_EIO;
    memcpy(buf, DISK + sector * 512, nr * 512);
    return 0;
}

static int b_write(struct dm_blk *b, uint64_t sector, const void *buf, unsigned int nr)
{
    assert_true(sector + nr <= b->sectors);
    assert_false(b->readonly);
    if (fail_io)
        return -XEN_EIO;
    memcpy(DISK + sector * 512, buf, nr * 512);
    return 0;
}

static int b_flush(struct dm_blk *b)
{
    (void)b;
    flushes++;
    return fail_flush ? -XEN_EIO : 0;
}

static struct dm_blk blk = { SECTORS, false, b_read, b_write, b_flush, NULL };
static struct dm_host host;
static struct ide_state ide;

static void setup(bool readonly)
{
    memset(mem_all, 0xa5, sizeof(mem_all));
    for (unsigned int i = 0; i < SECTORS * 512; i++)
        DISK[i] = (uint8_t)(i / 512 + i * 7);
    memset(disk_all, 0x3c, GUARD);
    memset(DISK + SECTORS * 512, 0x3c, GUARD);
    memset(irq_level, 0, sizeof(irq_level));
    irq_changes = 0;
    fail_io = fail_flush = false;
    flushes = 0;
    blk.readonly = readonly;
    dm_host_init(&host, &hops, NULL, 1);
    assert_int_equal(ide_init(&ide, &host, &blk, NULL, "DISK-SERIAL", NULL), 0);
}

static void guards_intact(void)
{
    for (unsigned int i = 0; i < GUARD; i++) {
        assert_int_equal(mem_all[i], 0xa5);
        assert_int_equal(MEM[GFRAMES * 4096 + i], 0xa5);
        assert_int_equal(disk_all[i], 0x3c);
        assert_int_equal(DISK[SECTORS * 512 + i], 0x3c);
    }
}

static uint64_t io(uint8_t type, uint64_t addr, uint32_t size, bool read, uint64_t data)
{
    struct ioreq r = { .addr = addr, .data = read ? 0x1234567890abcdefULL : data, .count = 1, .size = size,
                       .dir = read ? IOREQ_READ : IOREQ_WRITE, .type = type, .state = STATE_IOREQ_READY };

    dm_dispatch(&host, &r);
    return read ? r.data : 0;
}

static uint32_t inp(uint16_t port, uint32_t size) { return (uint32_t)io(IOREQ_TYPE_PIO, port, size, true, 0); }
static void outp(uint16_t port, uint32_t size, uint32_t v) { io(IOREQ_TYPE_PIO, port, size, false, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)inp(port, 1); }
static void outb(uint16_t port, uint8_t v) { outp(port, 1, v); }

static void task(uint64_t lba, uint32_t count, bool ext, uint8_t cmd)
{
    outb(0x1f6, (uint8_t)(0xe0 | (ext ? 0 : (lba >> 24) & 0xf)));
    if (ext) {
        outb(0x1f2, (uint8_t)(count >> 8));
        outb(0x1f3, (uint8_t)(lba >> 24));
        outb(0x1f4, (uint8_t)(lba >> 32));
        outb(0x1f5, (uint8_t)(lba >> 40));
    }
    outb(0x1f2, (uint8_t)count);
    outb(0x1f3, (uint8_t)lba);
    outb(0x1f4, (uint8_t)(lba >> 8));
    outb(0x1f5, (uint8_t)(lba >> 16));
    outb(0x1f7, cmd);
}

static void read_words(uint16_t *w, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        w[i] = (uint16_t)inp(0x1f0, 2);
}

static void test_table(void **state)
{
    struct dm_device a = { .name = "a", .nr_ranges = 1, .irq = -1,
                           .ranges = { { DM_RANGE_PORT, 0x1f7, 0x1f8 } } };
    (void)state;
    setup(false);
    a.ops = ide.dev.ops;
    assert_int_equal(dm_add(&host, &a), -XEN_EEXIST);
    a.ranges[0] = (struct dm_range){ DM_RANGE_PORT, 0x300, 0x2ff };
    assert_int_equal(dm_add(&host, &a), -XEN_EINVAL);
    a.ranges[0] = (struct dm_range){ 3, 0x300, 0x31f };
    assert_int_equal(dm_add(&host, &a), -XEN_EINVAL);
    a.ranges[0] = (struct dm_range){ DM_RANGE_PORT, 0x300, 0x31f };
    a.irq = 16;
    assert_int_equal(dm_add(&host, &a), -XEN_EINVAL);
    a.irq = 9;
    a.nr_ranges = 0;
    assert_int_equal(dm_add(&host, &a), -XEN_EINVAL);
    a.nr_ranges = 1;
    a.ranges[0] = (struct dm_range){ DM_RANGE_MEMORY, 0x1f0, 0x1f7 };     /* same numbers, MMIO: fine */
    assert_int_equal(dm_add(&host, &a), 0);
    assert_ptr_equal(dm_find(&host, DM_RANGE_PORT, 0x1f0, 2), &ide.dev);
    assert_ptr_equal(dm_find(&host, DM_RANGE_MEMORY, 0x1f0, 2), &a);
    assert_null(dm_find(&host, DM_RANGE_PORT, 0x1f7, 2));                /* straddles the end */
    assert_null(dm_find(&host, DM_RANGE_PORT, ~0ULL, 2));                /* wraps */
    /* Unclaimed, odd sizes, counts and types: all ones, nothing dispatched. */
    uint64_t before = ide.dev.accesses;
    assert_int_equal(inp(0x80, 1), 0xff);
    assert_int_equal(inp(0x80, 2), 0xffff);
    assert_int_equal(inp(0x80, 4), 0xffffffffU);
    assert_int_equal(inp(0x1f7, 3), 0xffffff);
    struct ioreq r = { .addr = 0x1f7, .count = 2, .size = 1, .dir = IOREQ_READ, .type = IOREQ_TYPE_PIO };
    dm_dispatch(&host, &r);
    assert_int_equal(r.data, 0xff);
    r = (struct ioreq){ .addr = 0x1f7, .count = 1, .size = 1, .dir = IOREQ_READ, .type = 9 };
    dm_dispatch(&host, &r);
    assert_int_equal(r.data, 0xff);
    assert_int_equal(ide.dev.accesses, before);
    assert_int_equal(host.unclaimed, 6);
    dm_host_destroy(&host);
    assert_int_equal(host.nr_devices, 0);
}

static void test_identify_and_read(void **state)
{
    uint16_t w[256];
    (void)state;
    setup(false);
    assert_int_equal(inb(0x1f7), 0x50);
    assert_int_equal(inb(0x1f2), 1);            /* the signature */
    outb(0x1f6, 0xa0);
    outb(0x1f7, ATA_IDENTIFY);
    assert_int_equal(irq_level[14], 1);
    assert_int_equal(inb(0x3f6), 0x58);         /* alternate status: the line stays */
    assert_int_equal(irq_level[14], 1);
    assert_int_equal(inb(0x1f7), 0x58);
    assert_int_equal(irq_level[14], 0);
    read_words(w, 256);
    assert_int_equal(inb(0x1f7), 0x50);
    assert_int_equal(w[0], 0x0040);
    assert_int_equal(w[60] | (uint32_t)w[61] << 16, SECTORS);
    assert_int_equal(w[100], SECTORS);
    assert_true(w[49] & (1 << 9));
    assert_true(w[83] & (1 << 10));
    assert_int_equal(w[10], ('D' << 8) | 'I');  /* byte-swapped ATA string */
    assert_int_equal(w[27], ('T' << 8) | 'A');
    /* Data port with nothing to transfer: all ones, counted, harmless. */
    assert_int_equal(inp(0x1f0, 2), 0xffff);
    assert_int_equal(ide.garbage, 1);

    /* READ SECTORS 5, 2 sectors, 28-bit; 32-bit data reads. */
    task(5, 2, false, ATA_READ_SECTORS);
    for (unsigned int s = 0; s < 2; s++) {
        uint32_t d[128];
        assert_int_equal(irq_level[14], 1);
        assert_int_equal(inb(0x1f7), 0x58);
        for (unsigned int i = 0; i < 128; i++)
            d[i] = inp(0x1f0, 4);
        assert_memory_equal(d, DISK + (5 + s) * 512, 512);
    }
    assert_int_equal(irq_level[14], 0);
    assert_int_equal(inb(0x1f7), 0x50);
    /* LBA48: the last sector. */
    task(SECTORS - 1, 1, true, ATA_READ_SECTORS_EXT);
    assert_int_equal(inb(0x1f7), 0x58);
    read_words(w, 256);
    assert_memory_equal(w, DISK + (SECTORS - 1) * 512, 512);
    /* CHS: cylinder 0, head 1, sector 1 = LBA 63. */
    outb(0x1f6, 0xa1);
    outb(0x1f2, 1);
    outb(0x1f3, 1);
    outb(0x1f4, 0);
    outb(0x1f5, 0);
    outb(0x1f7, ATA_READ_SECTORS);
    assert_int_equal(inb(0x1f7), 0x58);
    read_words(w, 256);
    assert_memory_equal(w, DISK + 63 * 512, 512);
    guards_intact();
}

/* A string request as the hypervisor sends an INS/OUTS run (data_is_ptr: data is the buffer's gpa). */
static void rep(uint16_t port, uint32_t size, bool in, uint64_t gpa, uint32_t count, bool df)
{
    struct ioreq r = { .addr = port, .data = gpa, .count = count, .size = size, .state = STATE_IOREQ_READY,
                       .data_is_ptr = 1, .dir = in ? IOREQ_READ : IOREQ_WRITE, .df = df, .type = IOREQ_TYPE_PIO };

    dm_dispatch(&host, &r);
    assert_int_equal(r.data, gpa);              /* a string request's data stays the address */
    assert_int_equal(mapped, 0);
}

/* REP INSW/OUTSW on the data port (what a stock kernel's PIO does): whole sectors per request, both directions, DF. */
static void test_string_io(void **state)
{
    uint64_t req0, faults0;
    (void)state;
    setup(false);
    /* REP INSW of sector 9 into frame 3 at offset 0x100: one request of 256 words. */
    task(9, 2, false, ATA_READ_SECTORS);
    assert_int_equal(inb(0x1f7), 0x58);
    req0 = host.requests;
    rep(0x1f0, 2, true, 3 * 4096 + 0x100, 256, false);
    assert_int_equal(host.requests, req0 + 1);
    assert_memory_equal(MEM + 3 * 4096 + 0x100, DISK + 9 * 512, 512);
    /* Sector 10 with DF set: the first word lands at the highest address (as REP INSW with STD). */
    assert_int_equal(inb(0x1f7), 0x58);
    rep(0x1f0, 2, true, 5 * 4096 + 510, 256, true);
    for (unsigned int i = 0; i < 256; i++)
        assert_memory_equal(MEM + 5 * 4096 + 510 - 2 * i, DISK + 10 * 512 + 2 * i, 2);
    assert_int_equal(inb(0x1f7), 0x50);
    /* REP OUTSL of a sector from frame 7 to sector 20, in two requests (as a buffer across a page). */
    for (unsigned int i = 0; i < 512; i++)
        MEM[7 * 4096 + 4000 + i] = (uint8_t)(i * 13 + 1);
    task(20, 1, false, ATA_WRITE_SECTORS);
    assert_int_equal(inb(0x1f7), 0x58);
    rep(0x1f0, 4, false, 7 * 4096 + 4000, 24, false);
    rep(0x1f0, 4, false, 7 * 4096 + 4096, 104, false);
    assert_memory_equal(DISK + 20 * 512, MEM + 7 * 4096 + 4000, 512);
    assert_int_equal(inb(0x1f7), 0x50);

    /* Hostile: a buffer beyond the guest's memory ends the request there (a DMA fault), nothing written. */
    task(30, 1, false, ATA_READ_SECTORS);
    faults0 = host.dma_faults;
    rep(0x1f0, 2, true, GFRAMES * 4096ULL, 256, false);
    assert_int_equal(host.dma_faults, faults0 + 1);
    rep(0x1f0, 2, true, 4090, 8, true);          /* fine: 4076..4091 */
    rep(0x1f0, 2, true, 6, 8, true);             /* below address 0 */
    assert_int_equal(host.dma_faults, faults0 + 2);
    rep(0x1f0, 2, true, ~0ULL - 3, 4, false);    /* wraps */
    assert_int_equal(host.dma_faults, faults0 + 3);
    /* More than a page of elements, a bad size, count 0, another type, nobody's port: unclaimed, untouched. */
    req0 = host.unclaimed;
    rep(0x1f0, 2, true, 0, 2049, false);
    rep(0x1f0, 3, true, 0, 4, false);
    rep(0x1f0, 8, true, 0, 4, false);
    rep(0x1f0, 2, true, 0, 0, false);
    rep(0x500, 2, true, 0, 4, false);
    {
        struct ioreq r = { .addr = 0x1f0, .data = 0, .count = 4, .size = 2, .data_is_ptr = 1,
                           .dir = IOREQ_READ, .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY };
        dm_dispatch(&host, &r);
    }
    assert_int_equal(host.unclaimed, req0 + 6);
    guards_intact();
}

static void test_write_flush(void **state)
{
    uint8_t pat[1024];
    (void)state;
    setup(false);
    for (unsigned int i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i ^ 0x5a);
    task(10, 2, false, ATA_WRITE_SECTORS);
    assert_int_equal(irq_level[14], 0);         /* first block: DRQ, no interrupt */
    assert_int_equal(inb(0x3f6), 0x58);
    for (unsigned int i = 0; i < 512; i += 2)
        outp(0x1f0, 2, pat[i] | pat[i + 1] << 8);
    assert_int_equal(irq_level[14], 1);
    assert_int_equal(inb(0x1f7), 0x58);
    for (unsigned int i = 512; i < 1024; i += 4)
        outp(0x1f0, 4, pat[i] | pat[i + 1] << 8 | pat[i + 2] << 16 | (uint32_t)pat[i + 3] << 24);
    assert_int_equal(inb(0x1f7), 0x50);
    assert_memory_equal(DISK + 10 * 512, pat, 1024);
    outb(0x1f7, ATA_FLUSH_CACHE);
    assert_int_equal(inb(0x1f7), 0x50);
    assert_int_equal(flushes, 1);
    fail_flush = true;
    outb(0x1f7, ATA_FLUSH_CACHE_EXT);
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_ABRT);
    guards_intact();
}

static void test_refusals(void **state)
{
    (void)state;
    setup(true);
    /* Past the end: IDNF, nothing read. */
    task(SECTORS, 1, false, ATA_READ_SECTORS);
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_IDNF);
    task(SECTORS - 1, 2, true, ATA_READ_SECTORS_EXT);
    assert_int_equal(inb(0x1f7), 0x41);
    task(0xffffffffffffULL, 0, true, ATA_READ_DMA_EXT);     /* 65536 sectors at 2^48-1 */
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_IDNF);
    /* Read-only: writes aborted. */
    task(0, 1, false, ATA_WRITE_SECTORS);
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_ABRT);
    outp(0x1f0, 2, 0xdead);                     /* data nobody asked for */
    task(0, 1, false, ATA_WRITE_DMA);
    assert_int_equal(inb(0x1f7), 0x41);
    /* Unknown commands: aborted. */
    outb(0x1f7, 0x00);
    assert_int_equal(inb(0x1f7), 0x41);
    outb(0x1f7, 0xa1);                          /* IDENTIFY PACKET: an ATA disk aborts it */
    assert_int_equal(inb(0x1f1), ATA_ER_ABRT);
    /* Backend errors: UNC. */
    blk.readonly = false;
    fail_io = true;
    task(1, 1, false, ATA_READ_SECTORS);
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_UNC);
    /* The slave is absent: registers read 0, commands go nowhere. */
    fail_io = false;
    outb(0x1f6, 0xb0);
    assert_int_equal(inb(0x1f7), 0);
    outb(0x1f7, ATA_IDENTIFY);
    assert_int_equal(inb(0x3f6), 0);
    outb(0x1f6, 0xa0);
    /* nIEN masks the line; SRST resets. */
    outb(0x3f6, ATA_CTL_NIEN);
    outb(0x1f7, ATA_IDENTIFY);
    assert_int_equal(irq_level[14], 0);
    outb(0x3f6, ATA_CTL_SRST);
    assert_int_equal(inb(0x1f7), ATA_SR_BSY);
    outb(0x3f6, 0);
    assert_int_equal(inb(0x1f7), 0x50);
    assert_int_equal(inb(0x1f2), 1);
    assert_int_equal(inp(0x1f0, 2), 0xffff);    /* the IDENTIFY data went with the reset */
    guards_intact();
}

/* A PRD table at gpa table: entries (addr, bytes, eot). */
static void prd(uint32_t table, unsigned int i, uint32_t addr, uint32_t bytes, bool eot)
{
    uint32_t e[2] = { addr, (bytes & 0xffff) | (eot ? 0x80000000U : 0) };
    memcpy(MEM + table + 8 * i, e, 8);
}

static void dma(uint32_t table, uint64_t lba, uint32_t count, bool write)
{
    outp(IDE_BMDMA_PORT + 4, 4, table);
    assert_int_equal(inp(IDE_BMDMA_PORT + 4, 4), table & ~3U);
    outb(IDE_BMDMA_PORT + 2, BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    task(lba, count, true, write ? ATA_WRITE_DMA_EXT : ATA_READ_DMA_EXT);
    outb(IDE_BMDMA_PORT, write ? BM_CMD_START : BM_CMD_START | BM_CMD_READ);
}

static void test_dma(void **state)
{
    (void)state;
    setup(false);
    /* Read 16 sectors into two pieces: 4 KiB at 0x3000, 4 KiB at 0x5000 (a frame boundary each). */
    prd(0x1000, 0, 0x3000, 4096, false);
    prd(0x1000, 1, 0x5800, 4096, true);
    dma(0x1000, 100, 16, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_DMA0);
    assert_int_equal(irq_level[14], 1);
    assert_int_equal(inb(0x1f7), 0x50);
    outb(IDE_BMDMA_PORT, 0);
    assert_memory_equal(MEM + 0x3000, DISK + 100 * 512, 4096);
    assert_memory_equal(MEM + 0x5800, DISK + 108 * 512, 4096);
    /* Write them back elsewhere: sectors 300.., start bit set before the command. */
    outb(IDE_BMDMA_PORT + 2, BM_ST_IRQ | BM_ST_DMA0);
    outp(IDE_BMDMA_PORT + 4, 4, 0x1000);
    outb(IDE_BMDMA_PORT, BM_CMD_START);
    task(300, 16, false, ATA_WRITE_DMA);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_DMA0);
    outb(IDE_BMDMA_PORT, 0);
    assert_memory_equal(DISK + 300 * 512, DISK + 100 * 512, 16 * 512);
    /* A 64 KiB entry (count 0) for 128 sectors: frames 0..15 written whole, no further. */
    prd(0x0, 0, 0, 0, true);
    dma(0x0, 0, 128, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_DMA0);
    assert_memory_equal(MEM, DISK, 65536);
    guards_intact();
}

static void test_dma_hostile(void **state)
{
    (void)state;
    setup(false);
    /* A buffer beyond the guest's memory: error, nothing written anywhere. */
    prd(0x1000, 0, GFRAMES * 4096, 512, true);
    dma(0x1000, 0, 1, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    assert_int_equal(inb(0x1f7), 0x41);
    assert_int_equal(inb(0x1f1), ATA_ER_ABRT);
    assert_true(host.dma_faults >= 1);
    /* A buffer straddling the end of memory: the part inside is written, then the error. */
    prd(0x1000, 0, GFRAMES * 4096 - 256, 512, true);
    dma(0x1000, 0, 1, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    /* The PRD table itself outside memory. */
    dma(0xfffffff0U, 0, 1, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    /* A table too short (one 512-byte entry, EOT) for 8 sectors. */
    prd(0x1000, 0, 0x2000, 512, true);
    dma(0x1000, 0, 8, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    /* A table without EOT that runs on: BM_PRD_MAX entries, then the error. */
    for (unsigned int i = 0; i < 512; i++)
        prd(0x4000, i, 0x8000, 2, false);
    dma(0x4000, 0, 65535, false);               /* 65535 sectors past the end: IDNF first */
    assert_int_equal(inb(0x1f7), 0x41);
    dma(0x4000, 0, 8, false);                   /* 512 entries of 2 bytes: 1 KiB for 4 KiB */
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    /* A DMA write from outside memory: the disk keeps its sectors. */
    uint8_t before[512];
    memcpy(before, DISK + 7 * 512, 512);
    prd(0x1000, 0, 0x7fff0000, 512, true);
    dma(0x1000, 7, 1, true);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_ERROR | BM_ST_DMA0);
    assert_memory_equal(DISK + 7 * 512, before, 512);
    /* The device still works. */
    prd(0x1000, 0, 0x2000, 512, true);
    dma(0x1000, 3, 1, false);
    assert_int_equal(inb(IDE_BMDMA_PORT + 2), BM_ST_IRQ | BM_ST_DMA0);
    assert_memory_equal(MEM + 0x2000, DISK + 3 * 512, 512);
    guards_intact();
}

/* Random accesses to every register of the device (and around it): no crash, no write outside. */
static void test_fuzz(void **state)
{
    static const uint16_t ports[] = { 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
                                      0xc000, 0xc002, 0xc004, 0xc006, 0xc001, 0x1ef, 0x1f8, 0x3f7 };
    static const uint8_t cmds[] = { 0x20, 0x24, 0x25, 0x30, 0x34, 0x35, 0xc8, 0xca, 0xec, 0xe7, 0xea,
                                    0x40, 0xef, 0x91, 0x00, 0xff, 0xe5, 0x08 };
    uint64_t seed = 0x12345678;
    (void)state;
    setup(false);
    for (unsigned int i = 0; i < 4096 / 8; i++)         /* PRD tables pointing everywhere */
        prd(0x0, i, (uint32_t)(i * 0x9e3779b9U), (uint32_t)i * 97, i % 7 == 0);
    for (unsigned int n = 0; n < 200000; n++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        uint16_t port = ports[r % (sizeof(ports) / 2)];
        uint32_t size = 1u << ((r >> 8) % 3);
        uint32_t v = (r >> 12) & 1 ? (uint32_t)(seed >> 7) : cmds[(r >> 13) % sizeof(cmds)];
        if (port == 0x1f7 && !((r >> 20) & 3))
            v = cmds[(r >> 22) % sizeof(cmds)];
        if (port == 0x1f2 || port == 0x1f5)
            v &= 0x3;                   /* small counts and LBAs: transfers actually happen */
        if ((r >> 30) & 1)
            inp(port, size);
        else
            outp(port, size, v);
    }
    guards_intact();
    /* Reset; it answers as new. */
    outb(0x3f6, ATA_CTL_SRST);
    outb(0x3f6, 0);
    outb(IDE_BMDMA_PORT, 0);
    outb(0x1f6, 0xa0);
    task(2, 1, false, ATA_READ_SECTORS);
    assert_int_equal(inb(0x1f7), 0x58);
    uint16_t w[256];
    read_words(w, 256);
    assert_memory_equal(w, DISK + 2 * 512, 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_identify_and_read),
        cmocka_unit_test(test_string_io),
        cmocka_unit_test(test_write_flush),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_dma),
        cmocka_unit_test(test_dma_hostile),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
