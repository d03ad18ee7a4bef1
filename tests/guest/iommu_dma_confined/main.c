/*
 * iommu_dma_confined (hostile): a driver domain programs QEMU's edu device,
 * behind intel-iommu, to DMA into and out of memory. Its own writable
 * frames are reached; every other target is blocked, with a fault logged
 * and the target unchanged (Xen's PV IOMMU rules: arch/x86/mm.c
 * _get_page_type maps a PV domain's frame while it is PGT_writable_page,
 * guest_remove_page unmaps what it gives back):
 *  - one of its own frames pinned as an L1 page table (and, unpinned and
 *    mapped writable again, reachable again);
 *  - a frame of the hypervisor's (the M2P, which we can read);
 *  - a frame it gave back (decrease_reservation);
 *  - a read of the hypervisor's frame.
 * Between two blocked DMAs it sleeps once: the hypervisor logs faults from
 * its timer interrupt, and a unit may fold a device's next fault into a
 * record still pending.
 */
#include "multidom.h"
#include "pt.h"
#include "edu_dma.h"
#include <tandem/memory.h>

const char test_title[] = "hostile: a driver domain's DMA reaches its own memory only";

static uint8_t src[4096] __attribute__((aligned(4096))), dst[4096] __attribute__((aligned(4096)));

static bool all(const volatile uint8_t *p, uint8_t v)
{
    for (unsigned int i = 0; i < EDU_DMA_BYTES; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Load the device buffer with `v` (DMA from our own frame: must work). */
static bool load(uint8_t v)
{
    memset(src, v, sizeof(src));
    return edu_dma_from_ram(pt_va_to_mfn(src) << 12);
}

static void own_frames(void)
{
    if (!load(0x5a) || !edu_dma_to_ram(pt_va_to_mfn(dst) << 12))
        return;
    if (!all(dst, 0x5a))
        test_fail("DMA into our own writable frame did not arrive");
    else
        printk("own frame %#lx: DMA in and out works\n", (unsigned long)pt_va_to_mfn(dst));
}

static void page_table(void)
{
    uint64_t l1 = pt_new_table(NULL, NULL, 0);
    volatile uint8_t *w;

    if (!l1 || !expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin a fresh L1"))
        return;
    if (!load(0x5a) || !edu_dma_to_ram(l1 << 12))          /* 0x5a..: not present, harmless if it lands */
        return;
    for (unsigned int i = 0; i < EDU_DMA_BYTES / 8; i++)
        if (pt_read_entry(l1, i))
            test_fail("DMA rewrote entry %u of a pinned L1: %#lx", i, (unsigned long)pt_read_entry(l1, i));
    printk("pinned L1 %#lx: DMA write blocked, table unchanged\n", (unsigned long)l1);
    md_sleep_ns(MD_MS(2));
    /* No longer a table, mapped writable: the device reaches it again. */
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin it");
    if (!(w = pt_map_rw(l1)) || !load(0x33) || !edu_dma_to_ram(l1 << 12))
        return;
    if (!all(w, 0x33))
        test_fail("the frame, writable again, is not reachable by DMA");
    else
        printk("the same frame, writable again: DMA arrives\n");
    pt_unmap_va((void *)w);
}

static void hypervisor_frame(void)
{
    uint64_t m2p_mfn[4];
    const volatile uint64_t *m2p0 = (const volatile uint64_t *)0xFFFF800000000000UL;
    uint64_t before[EDU_DMA_BYTES / 8];

    if (!pt_m2p_frames(m2p_mfn, 4))
        return;
    for (unsigned int i = 0; i < EDU_DMA_BYTES / 8; i++)
        before[i] = m2p0[i];
    if (!load(0x66) || !edu_dma_to_ram(m2p_mfn[0] << 12))
        return;
    for (unsigned int i = 0; i < EDU_DMA_BYTES / 8; i++)
        if (m2p0[i] != before[i])
            test_fail("DMA rewrote the hypervisor's M2P (entry %u: %#lx)", i, (unsigned long)m2p0[i]);
    printk("hypervisor frame %#lx (M2P): DMA write blocked, unchanged\n", (unsigned long)m2p_mfn[0]);
    md_sleep_ns(MD_MS(2));
    if (!edu_dma_from_ram(m2p_mfn[0] << 12))
        return;
    printk("hypervisor frame %#lx (M2P): DMA read blocked\n", (unsigned long)m2p_mfn[0]);
    md_sleep_ns(MD_MS(2));
}

static void given_back(void)
{
    uint64_t m = pt_free_mfn();
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };

    r.extent_start = (uint64_t)&m;
    if (!m || !expect_rc(memop(XENMEM_decrease_reservation, &r), 1, "give a frame back"))
        return;
    if (!load(0x77) || !edu_dma_to_ram(m << 12))
        return;
    printk("frame %#lx given back: DMA write blocked\n", (unsigned long)m);
    md_sleep_ns(MD_MS(2));
}

void test_main(void)
{
    char bdf[16];

    md_init();
    if (!pt_init() || !edu_open())
        return;
    printk("edu at %s\n", edu_bdf(bdf));
    own_frames();
    md_sleep_ns(MD_MS(2));
    page_table();
    hypervisor_frame();
    given_back();
    own_frames();               /* still fine after all the faults */
    test_success();
}
