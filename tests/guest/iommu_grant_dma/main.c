/*
 * iommu_grant_dma (hostile): grants and a driver domain's DMA behind
 * intel-iommu (Xen's map_grant_ref / unmap_common with mapkind for a PV
 * mapper with an IOMMU). role=granter (d1) grants d2 page P writable
 * (ref 8), page Q writable (ref 9, where d2 reports progress) and page R
 * read-only (ref 10). role=mapper (d2, the driver domain, with edu) maps P
 * with host_map|device_map: edu DMA into dev_bus_addr arrives (seen through
 * the host mapping); after the unmap a second DMA to the same address is
 * blocked and the granter finds P still holding the first pattern. R,
 * mapped read-only: the device reads it, its write is blocked.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"
#include "edu_dma.h"

const char test_title[] = "hostile: granted frames reachable by DMA exactly while mapped";

#define DONE_MAPPED   0x4d41505045440001UL   /* Q[0]: the first DMA arrived */
#define DONE_UNMAPPED 0x4d41505045440002UL   /* Q[0]: the second DMA (after the unmap) was issued */

static uint8_t src[4096] __attribute__((aligned(4096)));

static bool all(const volatile uint8_t *p, uint8_t v)
{
    for (unsigned int i = 0; i < EDU_DMA_BYTES; i++)
        if (p[i] != v)
            return false;
    return true;
}

static bool load(uint8_t v)
{
    memset(src, v, sizeof(src));
    return edu_dma_from_ram(pt_va_to_mfn(src) << 12);
}

static void granter(domid_t peer)
{
    volatile struct grant_entry_v1 *t = gt_own_table(10);
    uint64_t p = pt_free_mfn(), q, r, deadline;
    volatile uint8_t *pv, *rv;
    volatile uint64_t *qv;

    if (!t)
        return;
    q = pt_free_mfn();
    r = pt_free_mfn();
    if (!(pv = pt_map_rw(p)) || !(qv = pt_map_rw(q)) || !(rv = pt_map_rw(r)))
        return;
    memset((void *)rv, 0xc3, 4096);
    gt_grant(t, 10, peer, r, GTF_permit_access | GTF_readonly);
    gt_grant(t, 9, peer, q, GTF_permit_access);
    gt_grant(t, 8, peer, p, GTF_permit_access);     /* last: the mapper polls ref 8 */
    deadline = md_now() + MD_MS(30000);
    while (qv[0] != DONE_UNMAPPED && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (qv[0] != DONE_UNMAPPED) {
        test_fail("the mapper never finished (Q[0] %#lx)", (unsigned long)qv[0]);
        return;
    }
    if (!all(pv, 0xa1))
        test_fail("P after the mapper's unmap: %#x, want the first DMA's 0xa1 (the second got through?)", pv[0]);
    else
        printk("granter: P holds the first DMA's bytes; the one after the unmap did not land\n");
    if (!all(rv, 0xc3))
        test_fail("the read-only grant R was written: %#x", rv[0]);
    test_success();
}

/* The frame behind scratch slot `slot` (a grant mapping's: gt_map does not say). */
static uint64_t slot_mfn(unsigned int slot)
{
    return (pt_read_entry(pt_scratch_l1, slot) & 0x000ffffffffff000UL) >> 12;
}

/* P, mapped host+device: DMA arrives; unmapped: the same DMA must not land (the granter checks). */
static bool mapped_phase(domid_t peer, volatile uint64_t *qv)
{
    volatile uint8_t *pv = pt_slot_va(20);
    uint64_t bus = 0, deadline = md_now() + MD_MS(20000);
    grant_handle_t h, hq;
    int16_t st;

    pt_unmap(20);
    pt_unmap(21);
    while ((st = gt_map_dev(8, peer, (void *)pv, GNTMAP_host_map | GNTMAP_device_map, &h, &bus)) != GNTST_okay &&
           md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return false;
    }
    /* Ref 9 was granted before ref 8. */
    if (!expect_rc(gt_map(9, peer, (void *)qv, GNTMAP_host_map, &hq), GNTST_okay, "map ref 9"))
        return false;
    if (!load(0xa1) || !edu_dma_to_ram(bus))
        return false;
    if (!all(pv, 0xa1)) {
        test_fail("DMA into a granted frame mapped host+device did not arrive");
        return false;
    }
    qv[0] = DONE_MAPPED;
    printk("mapper: DMA to dev_bus_addr %#lx of a mapped grant arrives\n", (unsigned long)bus);
    if (!expect_rc(gt_unmap_dev((void *)pv, bus, h), GNTST_okay, "unmap ref 8"))
        return false;
    if (!load(0xb2) || !edu_dma_to_ram(bus))
        return false;
    printk("mapper: DMA to the same address after the unmap issued\n");
    md_sleep_ns(MD_MS(2));
    return true;
}

/* R, mapped read-only: the device reads it and cannot write it. */
static void readonly_phase(domid_t peer)
{
    volatile uint8_t *rv = pt_slot_va(22);
    grant_handle_t h;
    uint64_t mfn;

    pt_unmap(22);
    if (!expect_rc(gt_map(10, peer, (void *)rv, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay,
                   "map ref 10 read-only"))
        return;
    mfn = slot_mfn(22);
    /*
     * The write first: QEMU records no fault for a write that hits a
     * read-only translation it has cached (from a read), it only drops it.
     */
    if (!load(0x5e) || !edu_dma_to_ram(mfn << 12))
        return;
    md_sleep_ns(MD_MS(2));
    if (!all(rv, 0xc3))
        test_fail("DMA wrote a frame granted read-only");
    else
        printk("mapper: its DMA write to the read-only grant was blocked\n");
    memset(src, 0, sizeof(src));
    if (!edu_dma_from_ram(mfn << 12) || !edu_dma_to_ram(pt_va_to_mfn(src) << 12))
        return;
    if (!all(src, 0xc3))
        test_fail("the device could not read a read-only grant mapping (%#x)", src[0]);
    else
        printk("mapper: the device reads the read-only grant\n");
    expect_rc(gt_unmap((void *)rv, h), GNTST_okay, "unmap ref 10");
}

static void mapper(domid_t peer)
{
    volatile uint64_t *qv = pt_slot_va(21);

    if (!edu_open() || !mapped_phase(peer, qv))
        return;
    readonly_phase(peer);
    qv[0] = DONE_UNMAPPED;
    test_success();
}

void test_main(void)
{
    domid_t peer = (domid_t)md_arg_ul("peer", 0);

    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "granter"))
        granter(peer);
    else
        mapper(peer);
}
