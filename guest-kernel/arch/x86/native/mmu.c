/*
 * Memory on the native platform: the kernel map (every pfn at
 * KERNEL_VIRT_BASE + pfn * 4 KiB, the boot L2's 2 MiB pages, head32.S), and
 * mm.h's page-table interface done directly: a pfn is its machine frame, a
 * batch's updates are plain writes, its mmuext ops are what they would make
 * the hypervisor do (load CR3, reload it to flush the TLB, INVLPG); pins
 * are nothing (no hypervisor to validate the tables). The kernel map is not
 * user-accessible: ring 0 needs no _PAGE_USER on kernel pages.
 */
#include "native.h"
#include "mm.h"
#include "mm_private.h"            /* guest-kernel/kernel/: mm_nr_pages, the allocator's boot side */

#define KERNEL_MAP_L3_SLOT  510
#define MMIO_L3_SLOT        511
#define MMIO_VA             0xffffffffc0000000UL
#define PTE_UNCACHED        0x018UL     /* PWT | PCD */

extern uint64_t boot_pml4[512], boot_l3_hi[512], boot_l2[512];
extern char _end[];

uint64_t mm_boot_l4_pfn;
static uint64_t mmio_l2[512] __attribute__((aligned(4096)));
static uint64_t mmio_l1[512] __attribute__((aligned(4096)));
static unsigned mmio_used;

/* The boot tables are in the image below the kernel map (VA == PA there): reach them through it. */
static uint64_t *boot_table(uint64_t *t)
{
    return pfn_to_virt((uint64_t)t >> PAGE_SHIFT);
}

uint64_t pte_pfn(uint64_t e)
{
    uint64_t pfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;

    if (pfn >= mm_nr_pages)
        kernel_panic("page-table entry %lx names a frame beyond memory", (unsigned long)e);
    return pfn;
}

void native_mm_init(uint64_t mem_top)
{
    uint64_t *l4 = boot_table(boot_pml4), *l2 = boot_table(boot_l2);
    uint64_t first_free = ((uint64_t)_end - KERNEL_VIRT_BASE + PAGE_SIZE - 1) >> PAGE_SHIFT;

    mm_nr_pages = mem_top >> PAGE_SHIFT < MAX_GUEST_PAGES ? mem_top >> PAGE_SHIFT : MAX_GUEST_PAGES;
    if (first_free + 64 > mm_nr_pages)
        kernel_panic("%lu pages of memory: too few for a kernel of %lu", (unsigned long)mm_nr_pages,
                     (unsigned long)first_free);
    mm_boot_l4_pfn = (uint64_t)boot_pml4 >> PAGE_SHIFT;
    /* The kernel map covers memory only, and the identity map of the boot goes. */
    for (uint64_t i = (mm_nr_pages + 511) / 512; i < 512; i++)
        l2[i] = 0;
    l4[0] = 0;
    write_cr3(read_cr3());
    page_alloc_init(first_free, mm_nr_pages, 4);    /* boot L4, two L3s, L2: in the image */
    printk("memory: %lu pages, kernel map of all of them at %lx (2 MiB pages), %lu free\n",
           (unsigned long)mm_nr_pages, KERNEL_VIRT_BASE, (unsigned long)page_alloc_nr_free());
    if (mm_nr_pages < start_info->nr_pages)
        printk("memory: the %lu pages above 1 GiB are left unused (one L2 of kernel map)\n",
               (unsigned long)(start_info->nr_pages - mm_nr_pages));
}

/* An uncached 4 KiB mapping of the MMIO page at pa (the local APIC), in the top GiB of the kernel half. */
uint64_t native_mmio_map(uint64_t pa)
{
    uint64_t *l3 = boot_table(boot_l3_hi), va = MMIO_VA + mmio_used * PAGE_SIZE;

    if (mmio_used == 512)
        kernel_panic("no room for another MMIO mapping");
    l3[MMIO_L3_SLOT] = ((uint64_t)mmio_l2 - KERNEL_VIRT_BASE) | _PAGE_PRESENT | _PAGE_RW;
    mmio_l2[0] = ((uint64_t)mmio_l1 - KERNEL_VIRT_BASE) | _PAGE_PRESENT | _PAGE_RW;
    mmio_l1[mmio_used++] = (pa & PTE_MFN_MASK) | _PAGE_PRESENT | _PAGE_RW | PTE_UNCACHED | native_page_nx;
    invlpg(va);
    return va + (pa & (PAGE_SIZE - 1));
}

/* ---- mm.h's batches: queued as on PV, written at the flush ---- */

void mb_add(struct mmu_batch *b, uint64_t ptr, uint64_t val)
{
    if (b->n == MMU_BATCH)
        mb_flush(b);
    b->req[b->n].ptr = ptr;
    b->req[b->n].val = val;
    b->n++;
}

void mb_flush(struct mmu_batch *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        uint64_t pa = b->req[i].ptr;

        if ((pa & 7) || (pa >> PAGE_SHIFT) >= mm_nr_pages)
            kernel_panic("page-table update at %lx: not an entry in memory", (unsigned long)pa);
        *(volatile uint64_t *)(KERNEL_VIRT_BASE + pa) = b->req[i].val;
    }
    b->n = 0;
}

static void mmuext(const struct mmuext_op *op)
{
    switch (op->cmd) {
    case MMUEXT_PIN_L4_TABLE:
    case MMUEXT_UNPIN_TABLE:
        break;                  /* nobody validates our tables */
    case MMUEXT_TLB_FLUSH_LOCAL:
        write_cr3(read_cr3());
        break;
    case MMUEXT_INVLPG_LOCAL:
        invlpg(op->arg1.linear_addr);
        break;
    case MMUEXT_NEW_BASEPTR:
        write_cr3(op->arg1.mfn << PAGE_SHIFT);
        break;
    default:
        kernel_panic("mmuext op %u has no native counterpart", op->cmd);
    }
}

void mb_multicall(const struct mmuext_op *pre, unsigned npre, struct mmu_batch *b,
                  const struct mmuext_op *post, unsigned npost)
{
    for (unsigned i = 0; i < npre; i++)
        mmuext(&pre[i]);
    mb_flush(b);
    for (unsigned i = 0; i < npost; i++)
        mmuext(&post[i]);
}

/* The kernel map is the kernel's own, page tables included: nothing to make read-only. */
void mb_kmap(struct mmu_batch *b, uint64_t pfn, bool writable)
{
    (void)b;
    (void)pfn;
    (void)writable;
}

/* One L4 per address space (kl4: the user L3 in slot 0, the kernel half copied; no ul4). */
void mm_switch(struct mm *mm, uint64_t kstack_top)
{
    if (mm != active_mm)
        write_cr3((mm ? mm->kl4 : mm_boot_l4_pfn) << PAGE_SHIFT);
    if (kstack_top)
        cpu_set_kernel_stack(kstack_top);
    active_mm = mm;
}
