/*
 * Boot self-test of DMA remapping (hypervisor option iommu_selftest), with
 * QEMU's edu device (-device edu) behind the IOMMU, before any domain
 * exists: edu's DMA engine copies 64 bytes between RAM and its buffer
 * through a scratch set of tables that maps two frames (one read/write,
 * one read-only) and leaves a third out. It must reach the first and be
 * blocked (faults recorded, frame unchanged) at the other two.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "pci.h"
#include "time.h"
#include "processor.h"
#include "iommu.h"
#include "vtd/vtd.h"

bool opt_iommu_selftest;

#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_CNT   0x90
#define EDU_DMA_CMD   0x98
#define EDU_BUF       0x40000
#define EDU_CMD_RUN   1
#define EDU_CMD_TO_RAM 2
#define TEST_BYTES    64

/* Type 1 configuration access of our own: this runs alone, before any domain. */
static uint32_t conf_read32(pci_sbdf_t sbdf, unsigned int reg)
{
    outl(0xcf8, 0x80000000U | (PCI_BUS(sbdf) << 16) | (PCI_DEVFN(sbdf) << 8) | (reg & 0xfc));
    return inl(0xcfc);
}

static void conf_write16(pci_sbdf_t sbdf, unsigned int reg, uint16_t v)
{
    outl(0xcf8, 0x80000000U | (PCI_BUS(sbdf) << 16) | (PCI_DEVFN(sbdf) << 8) | (reg & 0xfc));
    outw(0xcfc + (reg & 2), v);
}

static bool find_edu(pci_sbdf_t *out)
{
    for (unsigned int devfn = 0; devfn < 256; devfn++)
        if (conf_read32(PCI_SBDF(0, 0, devfn >> 3, devfn & 7), 0) == 0x11e81234) {
            *out = PCI_SBDF(0, 0, devfn >> 3, devfn & 7);
            return true;
        }
    return false;
}

/* One DMA of TEST_BYTES between RAM at `ram` and the device buffer; false if it never finished. */
static bool edu_dma(volatile uint8_t *bar, paddr_t ram, bool to_ram)
{
    uint64_t until = now_ns() + 5000000000ULL;

    *(volatile uint64_t *)(bar + EDU_DMA_SRC) = to_ram ? EDU_BUF : ram;
    *(volatile uint64_t *)(bar + EDU_DMA_DST) = to_ram ? ram : EDU_BUF;
    *(volatile uint64_t *)(bar + EDU_DMA_CNT) = TEST_BYTES;
    *(volatile uint64_t *)(bar + EDU_DMA_CMD) = EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0);
    while (*(volatile uint64_t *)(bar + EDU_DMA_CMD) & EDU_CMD_RUN)
        if (now_ns() > until)
            return false;
    return true;
}

static bool frame_is(const uint8_t *p, uint8_t v)
{
    for (unsigned int i = 0; i < TEST_BYTES; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* A write the tables refuse: blocked, the frame unchanged, one fault recorded (and cleared, see below). */
static bool blocked(struct vtd_unit *u, volatile uint8_t *bar, uint8_t *pg)
{
    uint64_t faults = u->faults;

    if (!edu_dma(bar, __pa(pg), true) || !frame_is(pg, 0))
        return false;
    /* Read now: a unit may fold a device's next fault into a record still pending (QEMU does). */
    vtd_fault_poll(u);
    return u->faults == faults + 1;
}

static const char *run(struct vtd_unit *u, volatile uint8_t *bar, uint8_t *pg[3])
{
    memset(pg[0], 0x5a, TEST_BYTES);
    if (!edu_dma(bar, __pa(pg[0]), false))                 /* RAM (mapped) -> device */
        return "DMA from a mapped frame never completed";
    memset(pg[0], 0, TEST_BYTES);
    if (!edu_dma(bar, __pa(pg[0]), true) || !frame_is(pg[0], 0x5a))
        return "DMA to a mapped frame did not arrive";
    if (!blocked(u, bar, pg[1]))
        return "DMA to an unmapped frame was not blocked and recorded";
    if (!blocked(u, bar, pg[2]))
        return "DMA to a read-only frame was not blocked and recorded";
    return NULL;
}

void iommu_selftest(void)
{
    struct vtd_domain vd = { 0 };
    struct vtd_unit *u;
    pci_sbdf_t sbdf;
    uint8_t *pg[3] = { xzalloc_bytes(PAGE_SIZE), xzalloc_bytes(PAGE_SIZE), xzalloc_bytes(PAGE_SIZE) };
    volatile uint8_t *bar;
    const char *why;
    uint16_t did;

    if (!opt_iommu_selftest)
        return;
    if (!iommu_enabled || !find_edu(&sbdf) || !(u = vtd_unit_for(sbdf)) || !pg[0] || !pg[1] || !pg[2]) {
        printk("IOMMU self-test: skipped (needs -device intel-iommu and -device edu)\n");
        goto out;
    }
    did = u->nr_domids - 1;         /* never a domain's (those are domid + 1) */
    bar = ioremap(conf_read32(sbdf, 0x10) & ~0xfU, PAGE_SIZE);
    if (vtd_pt_init(&vd, vtd_common_levels(), did) || vtd_pt_map(&vd, __pa(pg[0]) >> PAGE_SHIFT, true) ||
        vtd_pt_map(&vd, __pa(pg[2]) >> PAGE_SHIFT, false) ||
        vtd_context_set(u, sbdf, did, __pa(vd.pgd), vd.levels)) {
        printk("IOMMU self-test: skipped (no memory)\n");
        goto out;
    }
    conf_write16(sbdf, 0x04, 0x0006);       /* memory decode, bus master */
    why = run(u, bar, pg);
    conf_write16(sbdf, 0x04, 0);
    vtd_context_clear(u, sbdf, did);
    if (why)
        printk(XENLOG_ERR "IOMMU self-test: FAILED: %s\n", why);
    else
        printk("IOMMU self-test: DMA reached the mapped frame; the unmapped and read-only ones were "
               "blocked (2 faults): OK\n");
out:
    vtd_pt_free(&vd);
    for (unsigned int i = 0; i < 3; i++)
        xfree(pg[i]);
}
