/*
 * Boot: the kernel map of all guest memory, the Xen PV way
 * (docs/guest-kernel.md). The builder mapped the boot region; mm_init()
 * adds L1 tables for every other pfn at KERNEL_VIRT_BASE + pfn * 4 KiB,
 * each filled while it is an ordinary page and then hooked in by batched
 * mmu_update (its own mapping made read-only first), and hands the free
 * pages to the allocator. The P2M (start_info->mfn_list) names each pfn's
 * machine frame, the read-only M2P the way back (pte_pfn).
 */
#include "mm.h"
#include "mm_private.h"

uint64_t mm_boot_l4_pfn;
static uint64_t kmap_l2_mfn;
static uint64_t kmap_l1_mfn[MAX_GUEST_PAGES / 512];   /* L1 of the kernel map for each 2 MiB */

/* The pfn an entry points at, through the M2P; only our own frames are valid. */
uint64_t pte_pfn(uint64_t e)
{
    uint64_t pfn = mfn_to_pfn((e & PTE_MFN_MASK) >> PAGE_SHIFT);

    if (pfn >= mm_nr_pages)
        kernel_panic("page-table entry %lx names a frame that is not ours", (unsigned long)e);
    return pfn;
}

static uint64_t kmap_pte_maddr(uint64_t pfn)
{
    return (kmap_l1_mfn[pfn >> 9] << PAGE_SHIFT) + (pfn & 511) * 8;
}

uint64_t kmap_pte_machine(uint64_t pfn)
{
    return kmap_pte_maddr(pfn);
}

void mb_kmap(struct mmu_batch *b, uint64_t pfn, bool writable)
{
    mb_add(b, kmap_pte_maddr(pfn), pfn_maddr(pfn) | (writable ? PTE_KERNEL_RW : PTE_KERNEL_RO) | _PAGE_NX);
}

/* Boot: send the queued kernel-map updates, then free the pfns they mapped, up to `upto`. */
static void mm_release_mapped(struct mmu_batch *b, uint64_t *released, uint64_t upto)
{
    mb_flush(b);
    if (upto > mm_nr_pages)
        upto = mm_nr_pages;
    if (*released < upto) {
        page_alloc_release(*released, upto);
        *released = upto;
    }
}

void mm_init(void)
{
    const struct start_info *si = start_info;
    uint64_t pt_pfn = (si->pt_base - KERNEL_VIRT_BASE) >> PAGE_SHIFT;
    uint64_t first_free = pt_pfn + si->nr_pt_frames + 1;     /* after the boot stack page */
    uint64_t *l4 = (uint64_t *)si->pt_base, *l3, *l2, boot_end, k, released;
    struct mmu_batch b = { 0 };

    mm_nr_pages = si->nr_pages < MAX_GUEST_PAGES ? si->nr_pages : MAX_GUEST_PAGES;
    mm_boot_l4_pfn = pt_pfn;
    if (!(l4[511] & _PAGE_PRESENT))
        kernel_panic("no boot L3 for the kernel");
    l3 = pte_table(l4[511]);
    if (!(l3[510] & _PAGE_PRESENT))
        kernel_panic("no boot L2 for the kernel");
    kmap_l2_mfn = (l3[510] & PTE_MFN_MASK) >> PAGE_SHIFT;
    l2 = pte_table(l3[510]);
    for (k = 0; k < 512 && (l2[k] & _PAGE_PRESENT); k++)
        kmap_l1_mfn[k] = (l2[k] & PTE_MFN_MASK) >> PAGE_SHIFT;
    boot_end = k * 512;         /* the builder maps whole 4 MiB, so whole L1s */
    if (boot_end > mm_nr_pages || first_free >= boot_end)
        kernel_panic("unexpected boot region: %lu pages mapped, %lu in use", (unsigned long)boot_end,
                     (unsigned long)first_free);

    page_alloc_init(first_free, boot_end, si->nr_pt_frames);

    /* L1s for the rest of memory: each filled while it is an ordinary page;
     * then, 32 at a time (64 requests, one mmu_update), each one's own
     * mapping goes read-only and the boot L2 points at it. The pages a batch
     * maps join the allocator, so a big domain's L1s come from memory the
     * previous batches mapped. */
    released = boot_end;
    for (; k * 512 < mm_nr_pages; k++) {
        uint64_t l1 = alloc_page(PG_PT), *t;

        if (!l1) {
            mm_release_mapped(&b, &released, k * 512);
            if (!(l1 = alloc_page(PG_PT)))
                kernel_panic("no page for the kernel map");
        }
        t = pfn_to_virt(l1);
        for (uint64_t j = 0; j < 512 && k * 512 + j < mm_nr_pages; j++)
            t[j] = pfn_maddr(k * 512 + j) | PTE_KERNEL_RW | _PAGE_NX;
        mb_kmap(&b, l1, false);
        mb_add(&b, (kmap_l2_mfn << PAGE_SHIFT) + k * 8, pfn_maddr(l1) | PTE_TABLE);
        kmap_l1_mfn[k] = pfn_to_mfn(l1);
        if (b.n == MMU_BATCH)
            mm_release_mapped(&b, &released, (k + 1) * 512);
    }
    mm_release_mapped(&b, &released, mm_nr_pages);
    printk("memory: %lu pages, kernel map of all of them at %lx (%lu new L1 tables), %lu free\n",
           (unsigned long)mm_nr_pages, KERNEL_VIRT_BASE, (unsigned long)(k - boot_end / 512),
           (unsigned long)page_alloc_nr_free());
    if (mm_nr_pages < si->nr_pages)
        printk("memory: the %lu pages above 1 GiB are left unused (one L2 of kernel map)\n",
               (unsigned long)(si->nr_pages - mm_nr_pages));
}
