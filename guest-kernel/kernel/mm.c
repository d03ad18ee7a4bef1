/*
 * Guest kernel memory, the Xen PV way (docs/guest-kernel.md):
 *  - the P2M (start_info->mfn_list) names the machine frame of each pfn, the
 *    read-only M2P the way back;
 *  - every guest page is mapped at KERNEL_VIRT_BASE + pfn * 4 KiB: the builder
 *    mapped the boot region, mm_init() adds L1 tables for the rest, filled
 *    while they are ordinary pages and then hooked in by one batched
 *    mmu_update (each table's own mapping made read-only first);
 *  - a bitmap page allocator over the pfns the boot region leaves free;
 *  - user address spaces: two pinned L4s per process sharing one user L3,
 *    built in ordinary pages then made read-only and pinned in one
 *    multicall, changed afterwards only through batched mmu_update.
 * A frame is never a page table and writable-mapped at once: before a page
 * becomes a table its kernel mapping goes read-only in the same batch, and
 * it comes back read-write only after the table is unpinned.
 */
#include "proc.h"
#include <tandem/errno.h>

unsigned int mm_fault_around = 16;     /* pages mapped per demand-zero fault (a power of 2, 1-64) */

static uint64_t nr_pages;               /* pages managed (start_info nr_pages, capped) */
static uint64_t *free_map;              /* bit set = free */
static uint64_t alloc_cursor, nr_free;
static uint64_t kind_count[NR_PAGE_KINDS];
static uint64_t boot_l4_pfn, kmap_l2_mfn;
static uint64_t kmap_l1_mfn[MAX_GUEST_PAGES / 512];   /* L1 of the kernel map for each 2 MiB */
struct mm *active_mm;                   /* NULL: the boot L4 is loaded */

static struct mm mm_pool[MAX_PROCS + 8];

__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("kernel panic: %s\n", buf);
    shutdown(SHUTDOWN_crash);
}

static inline uint64_t pfn_maddr(uint64_t pfn) { return pfn_to_mfn(pfn) << PAGE_SHIFT; }

/* The pfn an entry points at, through the M2P; only our own frames are valid. */
static uint64_t entry_pfn(uint64_t e)
{
    uint64_t pfn = mfn_to_pfn((e & PTE_MFN_MASK) >> PAGE_SHIFT);

    if (pfn >= nr_pages)
        kernel_panic("page-table entry %lx names a frame that is not ours", (unsigned long)e);
    return pfn;
}

static inline uint64_t *entry_table(uint64_t e) { return pfn_to_virt(entry_pfn(e)); }

uint64_t pte_pfn(uint64_t pte)
{
    return entry_pfn(pte);
}

/* ---- the page allocator ---- */

/* Whole pages, 8 bytes at a time (a quarter of the work of rep stosb/movsb in instructions). */
static void clear_pages(void *p, uint64_t n)
{
    uint64_t cnt = n * PAGE_SIZE / 8;

    __asm__ __volatile__("rep stosq" : "+D"(p), "+c"(cnt) : "a"(0UL) : "memory");
}

void copy_page(void *dst, const void *src)
{
    uint64_t cnt = PAGE_SIZE / 8;

    __asm__ __volatile__("rep movsq" : "+D"(dst), "+S"(src), "+c"(cnt) :: "memory");
}

static inline bool pfn_free(uint64_t p) { return free_map[p / 64] & (1UL << (p % 64)); }
static inline void set_free(uint64_t p) { free_map[p / 64] |= 1UL << (p % 64); }
static inline void set_used(uint64_t p) { free_map[p / 64] &= ~(1UL << (p % 64)); }

uint64_t alloc_pages(unsigned n, enum page_kind kind)
{
    uint8_t m = events_save();
    uint64_t start = 0, run = 0, p = alloc_cursor;

    for (uint64_t scanned = 0; scanned < nr_pages + n; scanned++, p++) {
        if (p >= nr_pages) {
            p = 0;
            run = 0;
        }
        if (!pfn_free(p)) {
            run = 0;
            continue;
        }
        if (run++ == 0)
            start = p;
        if (run == n) {
            for (uint64_t i = start; i < start + n; i++)
                set_used(i);
            nr_free -= n;
            kind_count[kind] += n;
            alloc_cursor = start + n;
            events_restore(m);
            clear_pages(pfn_to_virt(start), n);
            return start;
        }
    }
    events_restore(m);
    return 0;
}

uint64_t alloc_page(enum page_kind kind)
{
    return alloc_pages(1, kind);
}

void free_pages(uint64_t pfn, unsigned n, enum page_kind kind)
{
    uint8_t m = events_save();

    for (uint64_t p = pfn; p < pfn + n; p++) {
        if (p >= nr_pages || pfn_free(p))
            kernel_panic("freeing pfn %lx twice", (unsigned long)p);
        set_free(p);
    }
    nr_free += n;
    kind_count[kind] -= n;
    events_restore(m);
}

void mm_get_info(struct meminfo *mi)
{
    mi->total = start_info->nr_pages;
    mi->free = nr_free;
    mi->page_tables = kind_count[PG_PT];
    mi->user = kind_count[PG_USER];
    mi->kernel = kind_count[PG_KERNEL] + (start_info->nr_pages - nr_pages);
}

void mm_report(void)
{
    struct meminfo mi;

    thread_reap_dead();
    mm_get_info(&mi);
    printk("guest memory: %lu pages (%lu MiB): %lu free, %lu page tables, %lu user, %lu kernel\n",
           (unsigned long)mi.total, (unsigned long)(mi.total >> 8), (unsigned long)mi.free,
           (unsigned long)mi.page_tables, (unsigned long)mi.user, (unsigned long)mi.kernel);
}

/* ---- batched updates ---- */

void mb_flush(struct mmu_batch *b)
{
    unsigned int done = 0;
    long rc;

    if (!b->n)
        return;
    rc = HC4(mmu_update, b->req, b->n, &done, DOMID_SELF);
    if (rc)
        kernel_panic("mmu_update refused request %u of %u (ptr %lx val %lx): %ld", done, b->n,
                     (unsigned long)b->req[done < b->n ? done : 0].ptr,
                     (unsigned long)b->req[done < b->n ? done : 0].val, rc);
    b->n = 0;
}

void mb_add(struct mmu_batch *b, uint64_t ptr, uint64_t val)
{
    if (b->n == MMU_BATCH)
        mb_flush(b);
    b->req[b->n].ptr = ptr | MMU_NORMAL_PT_UPDATE;
    b->req[b->n].val = val;
    b->n++;
}

static uint64_t kmap_pte_maddr(uint64_t pfn)
{
    return (kmap_l1_mfn[pfn >> 9] << PAGE_SHIFT) + (pfn & 511) * 8;
}

void mb_kmap(struct mmu_batch *b, uint64_t pfn, bool writable)
{
    mb_add(b, kmap_pte_maddr(pfn), pfn_maddr(pfn) | (writable ? PTE_KERNEL_RW : PTE_KERNEL_RO) | _PAGE_NX);
}

/* One multicall: mmuext ops `pre`, the batch's updates, mmuext ops `post` (any part may be empty). */
static void mmu_multicall(const struct mmuext_op *pre, unsigned npre, struct mmu_batch *b,
                          const struct mmuext_op *post, unsigned npost)
{
    struct multicall_entry mc[3];
    unsigned int done[3] = { 0 }, n = 0;

    memset(mc, 0, sizeof(mc));
    if (npre) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
                                          .args = { (uint64_t)pre, npre, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (b->n) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmu_update,
                                          .args = { (uint64_t)b->req, b->n, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (npost) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
                                          .args = { (uint64_t)post, npost, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (HC2(multicall, mc, n))
        kernel_panic("multicall failed");
    for (unsigned i = 0; i < n; i++)
        if (mc[i].result)
            kernel_panic("multicall entry %u (op %lu) failed: %ld after %u done", i,
                         (unsigned long)mc[i].op, (long)mc[i].result, done[i]);
    b->n = 0;
}

/* ---- boot: the allocator and the kernel map of all guest memory ---- */

/* Boot: send the queued kernel-map updates, then free the pfns they mapped, up to `upto`. */
static void mm_release_mapped(struct mmu_batch *b, uint64_t *released, uint64_t upto)
{
    mb_flush(b);
    if (upto > nr_pages)
        upto = nr_pages;
    for (; *released < upto; (*released)++) {
        set_free(*released);
        nr_free++;
    }
}

void mm_init(void)
{
    const struct start_info *si = start_info;
    uint64_t pt_pfn = (si->pt_base - KERNEL_VIRT_BASE) >> PAGE_SHIFT;
    uint64_t first_free = pt_pfn + si->nr_pt_frames + 1;     /* after the boot stack page */
    uint64_t *l4 = (uint64_t *)si->pt_base, *l3, *l2, boot_end, map_pages, k, released;
    struct mmu_batch b = { 0 };

    nr_pages = si->nr_pages < MAX_GUEST_PAGES ? si->nr_pages : MAX_GUEST_PAGES;
    boot_l4_pfn = pt_pfn;
    if (!(l4[511] & _PAGE_PRESENT))
        kernel_panic("no boot L3 for the kernel");
    l3 = entry_table(l4[511]);
    if (!(l3[510] & _PAGE_PRESENT))
        kernel_panic("no boot L2 for the kernel");
    kmap_l2_mfn = (l3[510] & PTE_MFN_MASK) >> PAGE_SHIFT;
    l2 = entry_table(l3[510]);
    for (k = 0; k < 512 && (l2[k] & _PAGE_PRESENT); k++)
        kmap_l1_mfn[k] = (l2[k] & PTE_MFN_MASK) >> PAGE_SHIFT;
    boot_end = k * 512;         /* the builder maps whole 4 MiB, so whole L1s */
    if (boot_end > nr_pages || first_free >= boot_end)
        kernel_panic("unexpected boot region: %lu pages mapped, %lu in use", (unsigned long)boot_end,
                     (unsigned long)first_free);

    /* The allocator's bitmap lives in the first free pages of the boot region. */
    map_pages = (nr_pages + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
    free_map = pfn_to_virt(first_free);
    memset(free_map, 0, map_pages * PAGE_SIZE);
    for (uint64_t p = first_free + map_pages; p < boot_end; p++)
        set_free(p);
    nr_free = boot_end - first_free - map_pages;
    kind_count[PG_KERNEL] = first_free + map_pages - si->nr_pt_frames;
    kind_count[PG_PT] = si->nr_pt_frames;
    alloc_cursor = first_free + map_pages;

    /* L1s for the rest of memory: each filled while it is an ordinary page;
     * then, 32 at a time (64 requests, one mmu_update), each one's own
     * mapping goes read-only and the boot L2 points at it. The pages a batch
     * maps join the allocator, so a big domain's L1s come from memory the
     * previous batches mapped. */
    released = boot_end;
    for (; k * 512 < nr_pages; k++) {
        uint64_t l1 = alloc_page(PG_PT), *t;

        if (!l1) {
            mm_release_mapped(&b, &released, k * 512);
            if (!(l1 = alloc_page(PG_PT)))
                kernel_panic("no page for the kernel map");
        }
        t = pfn_to_virt(l1);
        for (uint64_t j = 0; j < 512 && k * 512 + j < nr_pages; j++)
            t[j] = pfn_maddr(k * 512 + j) | PTE_KERNEL_RW | _PAGE_NX;
        mb_kmap(&b, l1, false);
        mb_add(&b, (kmap_l2_mfn << PAGE_SHIFT) + k * 8, pfn_maddr(l1) | PTE_TABLE);
        kmap_l1_mfn[k] = pfn_to_mfn(l1);
        if (b.n == MMU_BATCH)
            mm_release_mapped(&b, &released, (k + 1) * 512);
    }
    mm_release_mapped(&b, &released, nr_pages);
    printk("memory: %lu pages, kernel map of all of them at %lx (%lu new L1 tables), %lu free\n",
           (unsigned long)nr_pages, KERNEL_VIRT_BASE, (unsigned long)(k - boot_end / 512),
           (unsigned long)nr_free);
    if (nr_pages < si->nr_pages)
        printk("memory: the %lu pages above 1 GiB are left unused (one L2 of kernel map)\n",
               (unsigned long)(si->nr_pages - nr_pages));
}

/* ---- user address spaces ---- */

#define L3_INDEX(va) (((va) >> 30) & 511)
#define L2_INDEX(va) (((va) >> 21) & 511)
#define L1_INDEX(va) (((va) >> 12) & 511)

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
    uint64_t *kl4, *ul4, *boot_l4 = pfn_to_virt(boot_l4_pfn);

    if (!mm)
        return NULL;
    mm->l3 = alloc_page(PG_PT);
    mm->kl4 = alloc_page(PG_PT);
    mm->ul4 = alloc_page(PG_PT);
    if (!mm->l3 || !mm->kl4 || !mm->ul4) {
        mm_destroy(mm);
        return NULL;
    }
    mm->pt_pages = 3;
    kl4 = pfn_to_virt(mm->kl4);
    ul4 = pfn_to_virt(mm->ul4);
    /* The kernel half (the hypervisor fills slots 256-271 when it validates). */
    for (unsigned i = 272; i < 512; i++)
        kl4[i] = boot_l4[i];
    kl4[0] = ul4[0] = pfn_maddr(mm->l3) | PTE_TABLE;
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
    return entry_table(*e);
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
    l2 = entry_table(l3[L3_INDEX(va)]);
    if (!(l2[L2_INDEX(va)] & _PAGE_PRESENT))
        return NULL;
    l1 = entry_table(l2[L2_INDEX(va)]);
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
        l2 = entry_table(l3[i3]);
        for (unsigned i2 = 0; i2 < 512; i2++) {
            uint64_t *l1;
            if (!(l2[i2] & _PAGE_PRESENT))
                continue;
            l1 = entry_table(l2[i2]);
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
    mmu_multicall(NULL, 0, &b, pin, 2);
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
    copy_page(pfn_to_virt(np), entry_table(pte));
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
    free_page(entry_pfn(pte), PG_USER);
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
    if (mm->l3 == ~0UL || !mm->l3 || !mm->kl4 || !mm->ul4) {   /* half-created */
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
        mmu_multicall(unpin, 2, &c.b, &flush, 1);
    } else {
        /* More tables than one batch: unpin first, then the batches. */
        mmu_multicall(unpin, 2, &c.b, NULL, 0);
        mm_walk(mm, destroy_table, destroy_page, &c);
        mmu_multicall(NULL, 0, &c.b, &flush, 1);
    }
    events_restore(m);
    *mm = (struct mm){ 0 };
}

void mm_switch(struct mm *mm, uint64_t kstack_top)
{
    struct mmuext_op ops[2] = {
        { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = pfn_to_mfn(mm ? mm->kl4 : boot_l4_pfn) },
        { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = mm ? pfn_to_mfn(mm->ul4) : 0 },
    };
    struct multicall_entry mc[2];
    unsigned n = 0;

    memset(mc, 0, sizeof(mc));
    if (mm != active_mm) {
        mc[n].op = __HYPERVISOR_mmuext_op;
        mc[n].args[0] = (uint64_t)ops;
        mc[n].args[1] = 2;
        mc[n].args[3] = DOMID_SELF;
        n++;
    }
    if (kstack_top) {
        mc[n].op = __HYPERVISOR_stack_switch;
        mc[n].args[0] = FLAT_KERNEL_SS;
        mc[n].args[1] = kstack_top;
        n++;
    }
    if (!n)
        return;
    if (HC2(multicall, mc, n) || mc[0].result || (n > 1 && mc[1].result))
        kernel_panic("address-space switch failed: %ld %ld", (long)mc[0].result, (long)mc[1].result);
    active_mm = mm;
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
            gone[n++] = entry_pfn(*pte);
            mb_add(&b, pfn_maddr(virt_to_pfn(pte)) + ((uint64_t)pte & (PAGE_SIZE - 1)), 0);
        }
        if (n == MMU_BATCH || (a + PAGE_SIZE >= hi && n)) {
            /* Unmapped and flushed before the pages can be handed out again. */
            mmu_multicall(NULL, 0, &b, &flush, 1);
            mm->pages -= n;
            while (n)
                free_page(gone[--n], PG_USER);
        }
    }
    return 0;
}

/* ---- the kernel's access to user memory ---- */

static bool demand_region(struct mm *mm, uint64_t va, uint64_t *lo, uint64_t *hi)
{
    if (va >= mm->brk_start && va < mm->brk) {
        *lo = mm->brk_start;
        *hi = (mm->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        return true;
    }
    if (va >= USER_STACK_TOP - USER_STACK_MAX && va < USER_STACK_TOP) {
        *lo = USER_STACK_TOP - USER_STACK_MAX;
        *hi = USER_STACK_TOP;
        return true;
    }
    return false;
}

int mm_demand_fault(struct mm *mm, uint64_t va)
{
    uint64_t lo, hi;

    if (!demand_region(mm, va, &lo, &hi))
        return -XEN_EFAULT;
    return mm_fault_in(mm, va & ~(PAGE_SIZE - 1), lo, hi);
}

int user_access_ok(uint64_t va, uint64_t len, bool write)
{
    struct mm *mm = active_mm;
    uint64_t end = va + len;

    if (!mm || end < va || end > USER_TOP)
        return -XEN_EFAULT;
    for (uint64_t a = va & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
        uint64_t *pte = mm_pte(mm, a);
        int rc;
        if ((!pte || !(*pte & _PAGE_PRESENT)) && (rc = mm_demand_fault(mm, a)))
            return rc;
        pte = mm_pte(mm, a);
        if (write && !(*pte & _PAGE_RW))
            return -XEN_EFAULT;
    }
    return 0;
}

int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
    int rc = user_access_ok(src, len, false);

    if (!rc)
        memcpy(dst, (const void *)src, len);
    return rc;
}

int copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
    int rc = user_access_ok(dst, len, true);

    if (!rc)
        memcpy((void *)dst, src, len);
    return rc;
}

long strncpy_from_user(char *dst, uint64_t src, long max)
{
    for (long i = 0; i < max; i++) {
        if (copy_from_user(&dst[i], src + i, 1))
            return -XEN_EFAULT;
        if (!dst[i])
            return i;
    }
    return -XEN_EINVAL;
}
