/*
 * User address spaces (docs/guest-kernel.md): two pinned L4s per process
 * sharing one user L3 (natively one L4, ARCH_USER_L4 0), built in ordinary pages, then made read-only and
 * pinned in one multicall, changed afterwards only through batched
 * mmu_update. A frame is never a page table and writable-mapped at once:
 * before a page becomes a table its kernel mapping goes read-only in the
 * same batch, and it comes back read-write only after the table is unpinned.
 */
#include "mm.h"
#include "mm_private.h"
#include <tandem/errno.h>

unsigned int mm_fault_around = 16;     /* pages mapped per demand-zero fault (a power of 2, 1-64) */
struct mm *active_mm;                   /* NULL: the boot L4 is loaded */

static struct mm mm_pool[MAX_PROCS + 8];

static struct mm *mm_alloc(void)
{
    uint8_t m = events_save();

    for (unsigned i = 0; i < ARRAY_SIZE(mm_pool); i++) {
        if (!mm_pool[i].kl4 && !mm_pool[i].l3) {
            mm_pool[i] = (struct mm){ .l3 = ~0UL };     /* claimed */
            events_restore(m);
            return &mm_pool[i];
        }
    }
    events_restore(m);
    return NULL;
}

struct mm *mm_create(void)
{
    struct mm *mm = mm_alloc();
    uint64_t *kl4, *boot_l4 = pfn_to_virt(mm_boot_l4_pfn);

    if (!mm)
        return NULL;
    mm->l3 = alloc_page(PG_PT);
    mm->kl4 = alloc_page(PG_PT);
    mm->ul4 = ARCH_USER_L4 ? alloc_page(PG_PT) : 0;
    if (!mm->l3 || !mm->kl4 || (ARCH_USER_L4 && !mm->ul4)) {
        mm_destroy(mm);
        return NULL;
    }
    mm->pt_pages = ARCH_USER_L4 ? 3 : 2;
    kl4 = pfn_to_virt(mm->kl4);
    /* The kernel half (the hypervisor fills slots 256-271 when it validates). */
    for (unsigned i = 272; i < 512; i++)
        kl4[i] = boot_l4[i];
    kl4[0] = pfn_maddr(mm->l3) | PTE_TABLE;
    if (ARCH_USER_L4)
        ((uint64_t *)pfn_to_virt(mm->ul4))[0] = kl4[0];
    return mm;
}

/* Next table down from entry *e of a table that is not live yet; created if absent. */
static uint64_t *new_table_below(struct mm *mm, uint64_t *e)
{
    if (!(*e & _PAGE_PRESENT)) {
        uint64_t p = alloc_page(PG_PT);
        if (!p)
            return NULL;
        *e = pfn_maddr(p) | PTE_TABLE;
        mm->pt_pages++;
    }
    return pte_table(*e);
}

int mm_map_new(struct mm *mm, uint64_t va, uint64_t pfn, uint64_t flags)
{
    uint64_t *l2, *l1;

    if (mm->live || va >= USER_TOP)
        return -XEN_EINVAL;
    if (!(l2 = new_table_below(mm, (uint64_t *)pfn_to_virt(mm->l3) + L3_INDEX(va))) ||
        !(l1 = new_table_below(mm, l2 + L2_INDEX(va))))
        return -XEN_ENOMEM;
    if (!(l1[L1_INDEX(va)] & _PAGE_PRESENT))
        mm->pages++;
    l1[L1_INDEX(va)] = pfn_maddr(pfn) | flags;
    return 0;
}

uint64_t *mm_pte(struct mm *mm, uint64_t va)
{
    uint64_t *l3 = pfn_to_virt(mm->l3), *l2, *l1;

    if (va >= USER_TOP || !(l3[L3_INDEX(va)] & _PAGE_PRESENT))
        return NULL;
    l2 = pte_table(l3[L3_INDEX(va)]);
    if (!(l2[L2_INDEX(va)] & _PAGE_PRESENT))
        return NULL;
    l1 = pte_table(l2[L2_INDEX(va)]);
    return &l1[L1_INDEX(va)];
}

/* Visit every page-table page (post-order) and every mapped user page of mm. */
static void mm_walk(struct mm *mm, void (*table)(uint64_t pfn, void *ctx),
                    void (*page)(uint64_t va, uint64_t pte, void *ctx), void *ctx)
{
    uint64_t *l3 = pfn_to_virt(mm->l3);

    for (unsigned i3 = 0; i3 < 512; i3++) {
        uint64_t *l2;
        if (!(l3[i3] & _PAGE_PRESENT))
            continue;
        l2 = pte_table(l3[i3]);
        for (unsigned i2 = 0; i2 < 512; i2++) {
            uint64_t *l1;
            if (!(l2[i2] & _PAGE_PRESENT))
                continue;
            l1 = pte_table(l2[i2]);
            if (page)
                for (unsigned i1 = 0; i1 < 512; i1++)
                    if (l1[i1] & _PAGE_PRESENT)
                        page(((uint64_t)i3 << 30) | ((uint64_t)i2 << 21) | ((uint64_t)i1 << 12), l1[i1], ctx);
            if (table)
                table(virt_to_pfn(l1), ctx);
        }
        if (table)
            table(virt_to_pfn(l2), ctx);
    }
    if (table) {
        table(mm->l3, ctx);
        table(mm->kl4, ctx);
        if (ARCH_USER_L4)
            table(mm->ul4, ctx);
    }
}

static void commit_table(uint64_t pfn, void *ctx)
{
    mb_kmap(ctx, pfn, false);
}

int mm_commit(struct mm *mm)
{
    struct mmu_batch b = { 0 };
    struct mmuext_op pin[2] = {
        { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = pfn_to_mfn(mm->kl4) },
        { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = pfn_to_mfn(mm->ul4) },
    };

    /* Read-only first (the batch may flush on its own when full), then pin:
     * pinning the kernel L4 validates the whole tree, the user L4 reuses it. */
    mm_walk(mm, commit_table, NULL, &b);
    mb_multicall(NULL, 0, &b, pin, ARCH_USER_L4 ? 2 : 1);
    mm->live = true;
    return 0;
}

struct fork_ctx { struct mm *child; int err; };

static void fork_page(uint64_t va, uint64_t pte, void *ctx)
{
    struct fork_ctx *c = ctx;
    uint64_t np;

    if (c->err)
        return;
    if (!(np = alloc_page(PG_USER))) {
        c->err = -XEN_ENOMEM;
        return;
    }
    copy_page(pfn_to_virt(np), pte_table(pte));
    c->err = mm_map_new(c->child, va, np, pte & ~PTE_MFN_MASK);
    if (c->err)
        free_page(np, PG_USER);
}

struct mm *mm_fork(struct mm *parent)
{
    struct fork_ctx c = { mm_create(), 0 };

    if (!c.child)
        return NULL;
    c.child->brk_start = parent->brk_start;
    c.child->brk = parent->brk;
    mm_walk(parent, NULL, fork_page, &c);
    if (c.err) {
        mm_destroy(c.child);
        return NULL;
    }
    mm_commit(c.child);
    return c.child;
}

static void destroy_page(uint64_t va, uint64_t pte, void *ctx)
{
    free_page(pte_pfn(pte), PG_USER);
}

struct destroy_ctx { struct mm *mm; struct mmu_batch b; };

static void destroy_table(uint64_t pfn, void *ctx)
{
    struct destroy_ctx *c = ctx;

    if (c->mm->live)
        mb_kmap(&c->b, pfn, true);
    free_page(pfn, PG_PT);
}

void mm_destroy(struct mm *mm)
{
    struct destroy_ctx c = { .mm = mm };
    struct mmuext_op unpin[2] = {
        { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = pfn_to_mfn(mm->kl4) },
        { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = pfn_to_mfn(mm->ul4) },
    };
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    uint8_t m;

    if (mm == active_mm)
        kernel_panic("destroying the loaded address space");
    if (mm->l3 == ~0UL || !mm->l3 || !mm->kl4 || (ARCH_USER_L4 && !mm->ul4)) {   /* half-created */
        if (mm->l3 && mm->l3 != ~0UL)
            free_page(mm->l3, PG_PT);
        if (mm->kl4)
            free_page(mm->kl4, PG_PT);
        if (mm->ul4)
            free_page(mm->ul4, PG_PT);
        *mm = (struct mm){ 0 };
        return;
    }
    /* No preemption while freed pages may still be read-only (the bitmap
     * allocator never writes a free page, and nothing allocates here). */
    m = events_save();
    if (!mm->live) {
        mm_walk(mm, destroy_table, destroy_page, &c);
    } else if (mm->pt_pages <= MMU_BATCH) {
        /* One multicall: unpin both L4s (the hypervisor devalidates the whole
         * tree), every table's kernel mapping read-write again, TLB flush so
         * that no stale read-only translation survives. */
        mm_walk(mm, destroy_table, destroy_page, &c);
        mb_multicall(unpin, ARCH_USER_L4 ? 2 : 1, &c.b, &flush, 1);
    } else {
        /* More tables than one batch: unpin first, then the batches. */
        mb_multicall(unpin, ARCH_USER_L4 ? 2 : 1, &c.b, NULL, 0);
        mm_walk(mm, destroy_table, destroy_page, &c);
        mb_multicall(NULL, 0, &c.b, &flush, 1);
    }
    events_restore(m);
    *mm = (struct mm){ 0 };
}

/* Live table below entry idx of the live table at (mfn, va); created through b if absent. */
static int live_table_below(struct mm *mm, uint64_t *t, uint64_t t_mfn, unsigned idx,
                            struct mmu_batch *b, uint64_t *below_mfn)
{
    uint64_t p;

    if (t[idx] & _PAGE_PRESENT) {
        *below_mfn = (t[idx] & PTE_MFN_MASK) >> PAGE_SHIFT;
        return 0;
    }
    if (!(p = alloc_page(PG_PT)))
        return -XEN_ENOMEM;
    /* An empty table: read-only, then linked (the hypervisor validates it). */
    mb_kmap(b, p, false);
    mb_add(b, (t_mfn << PAGE_SHIFT) + idx * 8, pfn_maddr(p) | PTE_TABLE);
    mb_flush(b);
    mm->pt_pages++;
    *below_mfn = pfn_to_mfn(p);
    return 0;
}

int mm_fault_in(struct mm *mm, uint64_t va, uint64_t lo, uint64_t hi)
{
    struct mmu_batch b = { 0 };
    uint64_t group = (mm_fault_around - 1 < 64 && !(mm_fault_around & (mm_fault_around - 1)) ?
                      mm_fault_around : 16) * PAGE_SIZE;
    uint64_t start = va & ~(group - 1), end = start + group;
    uint64_t l2_mfn = 0, l1_mfn = 0;
    int rc = 0;

    start = start < lo ? lo : start;
    end = end > hi ? hi : end;
    for (uint64_t a = start; a < end; a += PAGE_SIZE) {
        uint64_t *l1, p;
        if (a == start || !L1_INDEX(a)) {
            if ((rc = live_table_below(mm, pfn_to_virt(mm->l3), pfn_to_mfn(mm->l3), L3_INDEX(a), &b, &l2_mfn)) ||
                (rc = live_table_below(mm, pfn_to_virt(mfn_to_pfn(l2_mfn)), l2_mfn, L2_INDEX(a), &b, &l1_mfn)))
                break;
        }
        l1 = pfn_to_virt(mfn_to_pfn(l1_mfn));
        if (l1[L1_INDEX(a)] & _PAGE_PRESENT)
            continue;
        if (!(p = alloc_page(PG_USER)))
            break;              /* short of memory: is va itself mapped? (below) */
        mb_add(&b, (l1_mfn << PAGE_SHIFT) + L1_INDEX(a) * 8,
               pfn_maddr(p) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX);
        mm->pages++;
    }
    mb_flush(&b);
    if (!rc) {
        uint64_t *pte = mm_pte(mm, va);
        if (!pte || !(*pte & _PAGE_PRESENT))
            rc = -XEN_ENOMEM;
    }
    return rc;
}

int mm_unmap_range(struct mm *mm, uint64_t lo, uint64_t hi)
{
    struct mmu_batch b = { 0 };
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    uint64_t gone[MMU_BATCH];
    unsigned n = 0;

    for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
        uint64_t *pte = mm_pte(mm, a);
        if (pte && (*pte & _PAGE_PRESENT)) {
            gone[n++] = pte_pfn(*pte);
            mb_add(&b, pfn_maddr(virt_to_pfn(pte)) + ((uint64_t)pte & (PAGE_SIZE - 1)), 0);
        }
        if (n == MMU_BATCH || (a + PAGE_SIZE >= hi && n)) {
            /* Unmapped and flushed before the pages can be handed out again. */
            mb_multicall(NULL, 0, &b, &flush, 1);
            mm->pages -= n;
            while (n)
                free_page(gone[--n], PG_USER);
        }
    }
    return 0;
}
