/*
 * The PV MMU core: reference and type counting of machine frames, and
 * validation of guest page tables (Xen's get_page / get_page_type model).
 *
 * Invariants this file keeps (checked by mm_audit):
 *  - a frame is a page table (L1-L4) or writable-mapped, never both: RW
 *    L1 entries hold a PGT_writable type reference, and the type can only
 *    change while type_count is 0;
 *  - a validated table only references frames its domain owns, with the
 *    right type one level down, and no hypervisor slot of an L4 is the
 *    guest's to set;
 *  - before a frame changes type, every CPU that may still cache it from
 *    its last use is flushed (TLB-flush clock), so no stale writable
 *    translation survives the type change.
 *
 * Concurrency (as Xen's get_page/_get_page_type): count and owner change
 * together by compare-and-exchange of count_info, type_count, type and
 * flags together by compare-and-exchange of type_info, never by plain
 * read-modify-write. A validation or teardown belongs to the one CPU that
 * set PGF_validating (or took the PGF_partial / PGF_dying state over);
 * everyone else is refused the table's type meanwhile, so nr_validated and
 * the table's entries are that CPU's alone. No frame lock is taken.
 */
#include "refuse.h"
#include "lib.h"
#include "trace.h"
#include "mm.h"
#include "grant_table.h"
#include "domain.h"
#include "pv.h"
#include "mm_internal.h"
#include "processor.h"
#include "iommu.h"
#include "cpu.h"
#include "pci.h"
#include <tandem/errno.h>

/*
 * Bits a guest may not set, per level (Xen's *_DISALLOW_MASK for 64-bit PV):
 * cache attributes without I/O rights, superpages, global upper entries.
 * Bits 9-11 and 52-62 are the guest's software bits, NX is allowed.
 */
#define L1_DISALLOW     (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)
#define L234_DISALLOW   (_PAGE_PWT | _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL)

/* Xen's l1_disallow_mask: a domain with I/O rights chooses cache attributes (device BARs need UC). */
/* What a frame is now, for the refusal notes (refuse.h). */
static const char *type_name(unsigned int t)
{
    static const char *const names[] = { "untyped", "an L1 page table", "an L2 page table",
                                         "an L3 page table", "an L4 page table",
                                         "a descriptor (GDT/LDT) page", "writable" };

    return t < ARRAY_SIZE(names) ? names[t] : "?";
}

static __pv_fast_mm uint64_t l1_disallow(const struct domain *d)
{
    return d && d == pci_driver_domain() ? 0 : L1_DISALLOW;
}

/*
 * An L1 entry naming a frame that is not RAM (Xen's get_page_from_l1e for
 * I/O space): allowed only for a domain with iomem permission for it (the
 * memory BARs of the functions it owns), and then it holds no reference:
 * such frames have no page_info to count, and nobody frees them.
 */
static int get_io_entry(uint64_t e, const struct domain *d)
{
    mfn_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;

    if (!iomem_access_permitted(d, mfn, mfn)) {
        printk(XENLOG_DEBUG "d%u: non-privileged attempt to map I/O space %#lx\n", d->domain_id,
               (unsigned long)mfn);
        return -XEN_EPERM;
    }
    return 0;
}

static struct domain *page_owner_domain(const struct page_info *pg)
{
    return get_domain_by_id(pg->owner);
}

static uint64_t page_count_info(const struct page_info *pg)
{
    return __atomic_load_n(&pg->count_info, __ATOMIC_ACQUIRE);
}

static __pv_fast_mm bool page_count_cmpxchg(struct page_info *pg, uint64_t *old, uint64_t new)
{
    return __atomic_compare_exchange_n(&pg->count_info, old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
}

/*
 * A reference is taken only while d owns the frame (checked in the same
 * compare-and-exchange); allocated and zombie are checked again once it is
 * held, and a frame given back meanwhile is let go (Xen checks the owner
 * after the increment the same way).
 */
__pv_fast_mm bool get_page(struct page_info *pg, const struct domain *d)
{
    uint64_t x = page_count_info(pg);
    uint16_t f;

    do {
        if (PCI_OWNER(x) != d->domain_id || PCI_COUNT(x) >= 0x7fffffff)
            return false;
    } while (!page_count_cmpxchg(pg, &x, x + 1));
    f = READ_ONCE(pg->flags);
    if (!(f & PGF_allocated) || (f & PGF_zombie)) {
        put_page(pg);
        return false;
    }
    return true;
}

__pv_fast_mm void put_page(struct page_info *pg)
{
    uint64_t x = page_count_info(pg);

    do {
        BUG_ON(PCI_COUNT(x) == 0);
    } while (!page_count_cmpxchg(pg, &x, x - 1));
    /* The last reference to a released (or dead domain's) page frees it. */
    if (PCI_COUNT(x) == 1)
        page_free_if_zombie(pg);
}

/*
 * Exactly one CPU frees a zombie: the one that sets PGF_freeing and then
 * moves owner to DOMID_INVALID while count is 0 (after which get_page
 * refuses the frame). A reference that appears meanwhile (a get_page about
 * to let go, since the frame is a zombie) makes it back off; that
 * reference's put_page tries again.
 */
void page_free_if_zombie(struct page_info *pg)
{
    for (;;) {
        uint64_t t = page_type_info(pg), c;
        struct domain *od;

        if ((PTI_FLAGS(t) & (PGF_zombie | PGF_freeing)) != PGF_zombie || PTI_COUNT(t) ||
            PCI_COUNT(page_count_info(pg)))
            return;
        if (!page_type_cmpxchg(pg, &t, PTI_MAKE(t, 0, PTI_TYPE(t), PTI_FLAGS(t) | PGF_freeing)))
            continue;
        c = page_count_info(pg);
        if (PCI_COUNT(c) == 0 &&
            page_count_cmpxchg(pg, &c, (c & ~(0xffffULL << PCI_OWNER_SHIFT)) |
                                       ((uint64_t)DOMID_INVALID << PCI_OWNER_SHIFT))) {
            /* Hypervisor-written pages (shared_info, grant frames, ioreq pages) were never charged. */
            if (!(PTI_FLAGS(t) & PGF_shared_info) && (od = get_domain_by_id(PCI_OWNER(c)))) {
                spin_lock(&od->page_alloc_lock);
                if (od->tot_pages)
                    od->tot_pages--;
                spin_unlock(&od->page_alloc_lock);
            }
            free_frames(page_to_mfn(pg), 0);
            return;
        }
        page_flags_update(pg, PGF_freeing, 0);
    }
}

static int validate_table(struct page_info *pg, unsigned int type, bool preemptible);
static void devalidate_entries(struct page_info *pg, unsigned int level, unsigned int n);
static void devalidate_table(struct page_info *pg, unsigned int level);
static bool guest_slot(unsigned int level, unsigned int i);
static bool put_linear_entry(mfn_t c, struct page_info *tpg);

/*
 * Runs of not-present entries, four at a time: the first present entry in
 * [i, end) (end if none), and the lowest k in [lo, i) such that entries
 * [k, i) are all not present.
 */
static unsigned int next_present(const uint64_t *t, unsigned int i, unsigned int end)
{
    while (i + 4 <= end && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) & _PAGE_PRESENT))
        i += 4;
    while (i < end && !(t[i] & _PAGE_PRESENT))
        i++;
    return i;
}

static unsigned int absent_below(const uint64_t *t, unsigned int i, unsigned int lo)
{
    while (i >= lo + 4 && !((t[i - 1] | t[i - 2] | t[i - 3] | t[i - 4]) & _PAGE_PRESENT))
        i -= 4;
    while (i > lo && !(t[i - 1] & _PAGE_PRESENT))
        i--;
    return i;
}

/* Entries a preemptible loop may still count before its budget check stops it. */
static unsigned int budget_room(bool preemptible, unsigned int work)
{
    if (!preemptible)
        return 512;
    return work >= MM_PREEMPT_WORK ? 0 : MM_PREEMPT_WORK - work;
}

static bool needs_validation(unsigned int type)
{
    return is_pt_type(type) || type == PGT_seg_desc_page;
}

/* Work done on this CPU since the last preemption point (entries validated). */
static unsigned int mm_work[NR_CPUS] __pv_fast_data;

__pv_fast_mm void pv_mm_preempt_reset(void)
{
    mm_work[this_cpu()->cpu_id] = 0;
}

void pv_mm_work_add(unsigned int n)
{
    mm_work[this_cpu()->cpu_id] += n;
}

bool pv_mm_preempt_check(void)
{
    return mm_work[this_cpu()->cpu_id] >= MM_PREEMPT_WORK;
}

/* The type word's count set to tc, flags cleared then set, type kept (the caller owns the state). */
static __pv_fast_mm void page_type_set(struct page_info *pg, uint32_t tc, uint16_t clear, uint16_t set)
{
    uint64_t x = page_type_info(pg);

    while (!page_type_cmpxchg(pg, &x, PTI_MAKE(x, tc, PTI_TYPE(x), (PTI_FLAGS(x) & ~clear) | set)))
        ;
}

static __pv_fast_mm int page_get_type(struct page_info *pg, unsigned int type, bool preemptible)
{
    uint64_t x = page_type_info(pg), nx;
    bool resume, validate;
    int rc;

    do {
        uint32_t tc = PTI_COUNT(x);
        unsigned int t = PTI_TYPE(x);
        uint16_t f = PTI_FLAGS(x);

        resume = validate = false;
        if (tc == 0) {
            if (t != type) {
                /*
                 * A frame changing type may still be cached from its last use: as
                 * a writable translation in the TLB, or as a table in the
                 * paging-structure caches. Flush every CPU that has not flushed
                 * since that use ended (Xen's tlbflush_filter) before the new type
                 * is used: here, before the change is published, as Xen does.
                 */
                tlbflush_if_cached(READ_ONCE(pg->tlbflush_timestamp));
                t = type;
                f &= ~PGF_validated;
            }
            /* Validating: this CPU's alone (others are refused until it ends). */
            if (needs_validation(type) && !(f & PGF_validated)) {
                f |= PGF_validating;
                validate = true;
            }
            tc = 1;
        } else if ((f & PGF_partial) && t == type) {
            /* Take over a validation left partway: its type reference is ours if it completes. */
            f = (f & ~PGF_partial) | PGF_validating;
            resume = validate = true;
        } else if (t != type || (f & (PGF_validating | PGF_partial | PGF_dying))) {
            return -XEN_EINVAL;
        } else {
            if (tc >= 0x7fffffff)
                return -XEN_EINVAL;
            tc++;
        }
        nx = PTI_MAKE(x, tc, t, f);
    } while (!page_type_cmpxchg(pg, &x, nx));
    /* Devices lose a frame before it is validated as a table (Xen: "special pages"). */
    if (PTI_TYPE(x) != PTI_TYPE(nx))
        iommu_page_type_change(pg, PTI_TYPE(x), PTI_TYPE(nx));
    if (!validate)
        return 0;

    if (!resume)
        pg->nr_validated = 0;
    TRACE(PTVAL, PT_BEGIN, type, page_to_mfn(pg), 0, 0);
    rc = validate_table(pg, type, preemptible);
    TRACE(PTVAL, PT_END, type, page_to_mfn(pg), (uint64_t)(long)rc, 0);
    if (rc == -XEN_ERESTART) {
        if (!resume)
            __atomic_fetch_add(&pg->count_info, 1, __ATOMIC_SEQ_CST);  /* the partial state's own general reference */
        page_type_set(pg, 1, PGF_validating, PGF_partial);
        return rc;
    }
    if (resume)
        __atomic_fetch_sub(&pg->count_info, 1, __ATOMIC_SEQ_CST);      /* the caller holds another one */
    if (rc) {
        page_type_set(pg, 0, PGF_validating, 0);
        return rc;
    }
    page_type_set(pg, 1, PGF_validating, PGF_validated);
    return 0;
}

__pv_fast_mm int get_page_type(struct page_info *pg, unsigned int type)
{
    return page_get_type(pg, type, false);
}

int get_page_type_preemptible(struct page_info *pg, unsigned int type)
{
    return page_get_type(pg, type, true);
}

void pv_drop_partial(struct page_info *pg)
{
    uint64_t x = page_type_info(pg);

    /* Claim the partial state (PGF_validating meanwhile: nobody takes the type over). */
    do {
        if (!(PTI_FLAGS(x) & PGF_partial))
            return;
    } while (!page_type_cmpxchg(pg, &x, PTI_MAKE(x, PTI_COUNT(x), PTI_TYPE(x),
                                                 (PTI_FLAGS(x) & ~PGF_partial) | PGF_validating)));
    devalidate_entries(pg, PTI_TYPE(x), pg->nr_validated);
    page_set_tlbflush_timestamp(pg);
    page_type_set(pg, 0, PGF_validating, 0);
    put_page(pg);               /* the partial state's general reference (may free a zombie) */
}

/*
 * Drop one type reference. Returns true when it was the last one of a
 * validated L2-L4 table: the table is then PGF_dying (type count kept at 1,
 * nr_validated 512) and the caller must tear it down. An L1 is devalidated
 * here (512 entries that name data frames: bounded, no cascade).
 */
__pv_fast_mm bool pv_mm_put_type_begin(struct page_info *pg)
{
    uint64_t x = page_type_info(pg), nx;
    unsigned int t;
    uint16_t f;

    for (;;) {
        BUG_ON(PTI_COUNT(x) == 0);
        t = PTI_TYPE(x);
        f = PTI_FLAGS(x);
        if (PTI_COUNT(x) > 1) {
            nx = PTI_MAKE(x, PTI_COUNT(x) - 1, t, f);
        } else {
            page_set_tlbflush_timestamp(pg);    /* the last typed use may still be cached: before it is published */
            if ((f & PGF_validated) && is_pt_type(t) && t != PGT_l1_page_table)
                nx = PTI_MAKE(x, 1, t, (f & ~PGF_validated) | PGF_dying);       /* ours to tear down */
            else if ((f & PGF_validated) && t == PGT_l1_page_table)
                nx = PTI_MAKE(x, 1, t, (f & ~PGF_validated) | PGF_validating);  /* ours to devalidate */
            else
                nx = PTI_MAKE(x, 0, t, f & ~PGF_validated);
        }
        if (page_type_cmpxchg(pg, &x, nx))
            break;
    }
    if (PTI_FLAGS(nx) & PGF_dying) {
        pg->nr_validated = 512;
        return true;
    }
    if (PTI_FLAGS(nx) & PGF_validating) {
        mm_work[this_cpu()->cpu_id] += 512;
        devalidate_table(pg, t);
        page_type_set(pg, 0, PGF_validating, 0);
    }
    return false;
}

/*
 * Tear down a PGF_dying table: drop the references of entries
 * [0, nr_validated), from the top. With PGF_pchild, the last of them names
 * a table that is itself dying and is finished first (this table still
 * holds that entry's general reference). Preemptible: stops before an entry
 * (never before the first of the call) once the work budget is spent, and
 * returns -XEN_ERESTART; whoever holds the table continues later.
 */
int pv_mm_teardown(struct page_info *pg, bool preemptible)
{
    uint64_t *t = mfn_to_virt(page_to_mfn(pg));
    unsigned int level = pg->type;
    bool first = true;
    int rc;

    while (pg->nr_validated) {
        unsigned int i = pg->nr_validated - 1;
        struct page_info *c = mfn_to_page((t[i] & PADDR_MASK) >> PAGE_SHIFT);
        if (pg->flags & PGF_pchild) {
            if ((rc = pv_mm_teardown(c, preemptible)))
                return rc;
            page_flags_update(pg, PGF_pchild, 0);
            put_page(c);
            pg->nr_validated = i;
            first = false;
            continue;
        }
        if (preemptible && !first && pv_mm_preempt_check())
            return -XEN_ERESTART;
        first = false;
        mm_work[this_cpu()->cpu_id]++;
        if (!(t[i] & _PAGE_PRESENT)) {
            /*
             * A run of not-present entries holds nothing: stepped over in one
             * loop, each counted, stopping where the per-entry check would.
             */
            unsigned int *work = &mm_work[this_cpu()->cpu_id], room = budget_room(preemptible, *work);
            unsigned int k = absent_below(t, i, i > room ? i - room : 0);
            *work += i - k;
            pg->nr_validated = k;
            continue;
        }
        if (guest_slot(level, i) && put_linear_entry(page_to_mfn(c), pg)) {
            if (pv_mm_put_type_begin(c)) {
                page_flags_update(pg, 0, PGF_pchild);
                continue;
            }
            put_page(c);
        }
        pg->nr_validated = i;
    }
    page_type_set(pg, 0, PGF_dying, 0);
    return 0;
}

__pv_fast_mm void put_page_type(struct page_info *pg)
{
    if (pv_mm_put_type_begin(pg))
        pv_mm_teardown(pg, false);
}

int put_page_and_type_preemptible(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (pv_mm_put_type_begin(pg) && pv_mm_teardown(pg, true)) {
        BUG_ON(current->arch.pv.mm_pending);        /* callers finish the last one first */
        current->arch.pv.mm_pending = mfn;          /* our general reference goes with it */
        current->domain->ctr.mm_teardown_restarts++;
        return -XEN_ERESTART;
    }
    put_page(pg);
    return 0;
}

__pv_fast_mm int pv_mm_finish_pending(struct vcpu *v, bool preemptible)
{
    mfn_t m = v->arch.pv.mm_pending;
    int rc;

    if (!m)
        return 0;
    if ((rc = pv_mm_teardown(mfn_to_page(m), preemptible))) {
        v->domain->ctr.mm_teardown_restarts++;
        return rc;
    }
    v->arch.pv.mm_pending = 0;
    put_page(mfn_to_page(m));
    return 0;
}

int pv_drop_partial_preemptible(struct vcpu *v, struct page_info *pg)
{
    if (!(pg->flags & PGF_partial))
        return 0;
    BUG_ON(v->arch.pv.mm_pending);
    /* Entries [0, nr_validated) hold their references, as a dying table's. */
    pg->flags = (pg->flags & ~PGF_partial) | PGF_dying;
    page_set_tlbflush_timestamp(pg);
    if (pv_mm_teardown(pg, true)) {
        v->arch.pv.mm_pending = page_to_mfn(pg);    /* with the partial state's general reference */
        v->domain->ctr.mm_teardown_restarts++;
        return -XEN_ERESTART;
    }
    put_page(pg);               /* the partial state's general reference (may free a zombie) */
    return 0;
}

static int page_get_and_type(mfn_t mfn, const struct domain *d, unsigned int type, bool preemptible)
{
    struct page_info *pg;
    int rc;

    if (!mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), d))
        return -XEN_EINVAL;
    if ((rc = page_get_type(pg, type, preemptible)))
        put_page(pg);
    return rc;
}

int get_page_and_type(mfn_t mfn, const struct domain *d, unsigned int type)
{
    return page_get_and_type(mfn, d, type, false);
}

int get_page_and_type_preemptible(mfn_t mfn, const struct domain *d, unsigned int type)
{
    return page_get_and_type(mfn, d, type, true);
}

void put_page_and_type(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    put_page_type(pg);
    put_page(pg);
}

/* Xen's adjust_guest_l*e: both guest modes run in ring 3, so every entry is user. */
__pv_fast_mm uint64_t pv_adjust_entry(uint64_t e, unsigned int level)
{
    mfn_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;

    if (!(e & _PAGE_PRESENT))
        return e;
    if (level == 1) {
        /* MSI-X tables and PBAs are the hypervisor's to write (Xen's mmio_ro_ranges). */
        if ((e & _PAGE_RW) && !mfn_valid(mfn) && mmio_ro_frame(mfn)) {
            printk(XENLOG_DEBUG "forcing read-only access to MFN %#lx\n", (unsigned long)mfn);
            e &= ~(uint64_t)_PAGE_RW;
        }
        if (!(e & _PAGE_USER))
            e |= _PAGE_USER | _PAGE_GUEST_KERNEL;
        return e & ~_PAGE_GLOBAL;   /* a global guest mapping would survive CR3 switches */
    }
    return e | _PAGE_USER;
}

bool opt_pv_linear_pt = true;

/*
 * Linear page-table counts (Xen's inc/dec_linear_entries and _uses): a
 * table holding linear entries cannot be named by one, and the other way
 * round, so linear links never chain (XSA-240).
 */
static int16_t linear_count(const struct page_info *pg)
{
    return __atomic_load_n(&pg->linear_pt_count, __ATOMIC_ACQUIRE);
}

static bool linear_count_step(struct page_info *pg, int step)
{
    int16_t x = linear_count(pg);

    do {
        if (step > 0 ? x < 0 || x == INT16_MAX : x > 0 || x == INT16_MIN)
            return false;
    } while (!__atomic_compare_exchange_n(&pg->linear_pt_count, &x, (int16_t)(x + step), false,
                                          __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
    return true;
}

static void linear_count_undo(struct page_info *pg, int step)
{
    int16_t old = __atomic_fetch_sub(&pg->linear_pt_count, (int16_t)step, __ATOMIC_SEQ_CST);

    BUG_ON(step > 0 ? old <= 0 : old >= 0);
}

/*
 * Xen's get_lN_linear_pagetable, tried when entry e of the level-`level`
 * table `table` names no table of the level below: a read-only entry may
 * name the table itself (no reference is taken: the table cannot go while
 * it exists) or another validated table of its own level, which then holds
 * a general and a type reference. Refused with -XEN_EINVAL (the answer the
 * type mismatch gave) when the feature is off, the entry is writable, or
 * either table would be part of a longer chain.
 */
static int get_linear_entry(uint64_t e, unsigned int level, mfn_t table, const struct domain *d)
{
    mfn_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg, *tpg = mfn_to_page(table);
    uint64_t x;

    if (!opt_pv_linear_pt) {
        printk(XENLOG_DEBUG "d%u: attempt to create a linear page table (pv-linear-pt off)\n", d->domain_id);
        return -XEN_EINVAL;
    }
    if (e & _PAGE_RW) {
        printk(XENLOG_DEBUG "d%u: attempt to create a linear page table with write permission\n", d->domain_id);
        return -XEN_EINVAL;
    }
    if (mfn == table)
        return 0;
    if (!mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), d))
        return -XEN_EINVAL;
    if (!linear_count_step(tpg, 1))
        goto no_entries;
    if (!linear_count_step(pg, -1))
        goto no_uses;
    x = page_type_info(pg);
    do {
        if (PTI_TYPE(x) != level || PTI_COUNT(x) == 0 || PTI_COUNT(x) >= 0x7fffffff ||
            (PTI_FLAGS(x) & (PGF_validated | PGF_validating | PGF_partial | PGF_dying)) != PGF_validated)
            goto not_table;
    } while (!page_type_cmpxchg(pg, &x, PTI_MAKE(x, PTI_COUNT(x) + 1, PTI_TYPE(x), PTI_FLAGS(x))));
    return 0;

not_table:
    linear_count_undo(pg, -1);
no_uses:
    linear_count_undo(tpg, 1);
no_entries:
    put_page(pg);
    return -XEN_EINVAL;
}

/*
 * Before the references of present L2-L4 entry naming c (in table t) go:
 * false for a self-reference (it holds none); a linear entry (c is of t's
 * own level, which a normal link's target never is) gives its counts back.
 */
static __pv_fast_mm bool put_linear_entry(mfn_t c, struct page_info *tpg)
{
    struct page_info *pg = mfn_to_page(c);

    if (c == page_to_mfn(tpg))
        return false;
    if (READ_ONCE(pg->type) == tpg->type) {
        linear_count_undo(pg, -1);
        linear_count_undo(tpg, 1);
    }
    return true;
}

/* Take the references entry e of a level-`level` table needs (-XEN_ERESTART: none taken). */
static __pv_fast_mm int get_entry_refs(uint64_t e, unsigned int level, const struct domain *d, bool preemptible,
                          mfn_t table)
{
    mfn_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg;
    int rc;

    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & (level == 1 ? l1_disallow(d) : L234_DISALLOW)) {
        REFUSE_WHY("entry %#lx has flags %#lx an L%u entry may not have (PWT/PCD/PAT in an L1; "
                   "PSE/G/PWT/PCD above)", (unsigned long)e,
                   (unsigned long)(e & (level == 1 ? l1_disallow(d) : L234_DISALLOW)), level);
        return -XEN_EINVAL;
    }
    if (level == 1) {
        /* Xen's get_page_from_l1e: not RAM is I/O space (-EPERM without the
         * permission), RAM that cannot be referenced as asked is -EBUSY. */
        if (mfn == (PADDR_MASK >> PAGE_SHIFT))
            return -XEN_EINVAL;
        if (!mfn_valid(mfn)) {
            REFUSE_WHY("mfn %#lx is not RAM (I/O space needs iomem permission)", (unsigned long)mfn);
            return get_io_entry(e, d);
        }
        if (mfn < 0x100) {
            REFUSE_WHY("mfn %#lx is in the first MiB (the hypervisor's)", (unsigned long)mfn);
            return -XEN_EPERM;
        }
        if (!get_page(pg = mfn_to_page(mfn), d)) {
            REFUSE_WHY("mfn %#lx is not the domain's (owner d%u)", (unsigned long)mfn, mfn_to_page(mfn)->owner);
            return -XEN_EBUSY;
        }
        if (!(e & _PAGE_RW))
            return 0;
        if (get_page_type(pg, PGT_writable_page)) {
            REFUSE_WHY("maps mfn %#lx writable, but it is %s (type count %u)", (unsigned long)mfn,
                       type_name(pg->type), pg->type_count);
            put_page(pg);
            return -XEN_EBUSY;
        }
        return 0;
    }
    /* A self-reference is never a table of the level below (and must not be taken as one). */
    if (mfn == table)
        return get_linear_entry(e, level, table, d);
    if (!mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), d)) {
        REFUSE_WHY("L%u entry names mfn %#lx, not a frame of the domain", level, (unsigned long)mfn);
        return -XEN_EINVAL;
    }
    rc = page_get_type(pg, level - 1, preemptible);
    if (rc)
        put_page(pg);
    if (rc && rc != -XEN_ERESTART)
        REFUSE_WHY("L%u entry names mfn %#lx, which cannot be an L%u page table: it is %s "
                   "(type count %u)", level, (unsigned long)mfn, level - 1, type_name(pg->type),
                   pg->type_count);
    /* Xen: only a type mismatch (-EINVAL) falls back to a linear link. */
    if (rc == -XEN_EINVAL)
        rc = get_linear_entry(e, level, table, d);
    return rc;
}

/* Drop what entry e of the level-`level` table `table` holds. */
static __pv_fast_mm void put_entry_refs(uint64_t e, unsigned int level, mfn_t table)
{
    mfn_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg;

    if (!(e & _PAGE_PRESENT) || (level == 1 && !mfn_valid(mfn)))
        return;             /* I/O space holds no reference */
    if (level > 1 && !put_linear_entry(mfn, mfn_to_page(table)))
        return;             /* a self-reference holds none */
    pg = mfn_to_page(mfn);
    if (level > 1 || (e & _PAGE_RW)) {
        put_page_type(pg);
    } else if (table && pg->type == PGT_seg_desc_page && pg->type_count && pg->owner == mfn_to_page(table)->owner) {
        /* Xen's put_page_from_l1e: a mapping of a descriptor page went; LDTs fault back in from what is mapped now. */
        struct domain *od = page_owner_domain(pg);
        if (od)
            pv_ldt_mapping_gone(od);
    }
    put_page(pg);
}

void pv_put_entry_refs(uint64_t e, unsigned int level)
{
    BUG_ON(level != 1);     /* upper levels need their table: put_entry_refs */
    put_entry_refs(e, level, 0);
}

static __pv_fast_mm bool guest_slot(unsigned int level, unsigned int i)
{
    return level != 4 || i < HV_L4_FIRST_SLOT || i > HV_L4_LAST_SLOT;
}

static int validate_descriptors(struct page_info *pg);

/*
 * Check and reference entries [pg->nr_validated, 512). Preemptible L2-L4
 * validation stops before an entry (never before the first of this call, so
 * every call makes progress) once the work budget is spent, or when the
 * table the entry names stopped partway: -XEN_ERESTART with nr_validated the
 * next entry. An error undoes every entry referenced so far.
 */
static int validate_table(struct page_info *pg, unsigned int type, bool preemptible)
{
    uint64_t *t = mfn_to_virt(page_to_mfn(pg));
    struct domain *d = page_owner_domain(pg);
    unsigned int i, start = pg->nr_validated, cpu = this_cpu()->cpu_id;
    int rc = 0;

    if (!d)
        return -XEN_EINVAL;
    if (type == PGT_seg_desc_page)
        return validate_descriptors(pg);
    preemptible = preemptible && type > PGT_l1_page_table;    /* an L1 is bounded: 512 entries */
    for (i = start; i < 512; i++) {
        uint64_t e;
        if (preemptible && i > start && pv_mm_preempt_check()) {
            rc = -XEN_ERESTART;
            break;
        }
        if (!guest_slot(type, i))
            continue;
        mm_work[cpu]++;
        /*
         * A not-present entry takes no reference and is never adjusted: most
         * of a new table's 512 entries. Skipped here instead of through two
         * calls that return at once (the budget counts it all the same).
         */
        if (!(t[i] & _PAGE_PRESENT)) {
            /*
             * The run of not-present entries after it (an L4's hypervisor
             * slots are no part of one: L1-L3 only), counted in one step; a
             * preemptible validation stops inside it exactly where the
             * per-entry check at the top of the loop would.
             */
            if (type != PGT_l4_page_table) {
                unsigned int j = next_present(t, i + 1, 512), room = budget_room(preemptible, mm_work[cpu]);
                if (j - (i + 1) > room)
                    j = i + 1 + room;
                mm_work[cpu] += j - (i + 1);
                i = j - 1;
            }
            continue;
        }
        if ((rc = get_entry_refs(t[i], type, d, preemptible, page_to_mfn(pg)))) {
            if (rc != -XEN_ERESTART)
                REFUSE_WHY("validating mfn %#lx as an L%u page table: entry %u", (unsigned long)page_to_mfn(pg),
                           type, i);
            break;
        }
        /* Write back only what the adjustment changed. */
        if ((e = pv_adjust_entry(t[i], type)) != t[i])
            t[i] = e;
    }
    if (rc == -XEN_ERESTART) {
        pg->nr_validated = i;
        return rc;
    }
    if (rc) {
        devalidate_entries(pg, type, i);
        return rc;
    }
    if (type == PGT_l4_page_table)
        init_guest_l4_slots(t);
    d->ctr.pt_validations++;
    return 0;
}

/* Drop the references of entries [0, n). */
static void devalidate_entries(struct page_info *pg, unsigned int type, unsigned int n)
{
    uint64_t *t = mfn_to_virt(page_to_mfn(pg));

    /* Not-present entries hold nothing (put_entry_refs' first test): runs of them are stepped over. */
    while ((n = absent_below(t, n, 0))) {
        n--;
        if (guest_slot(type, n))
            put_entry_refs(t[n], type, page_to_mfn(pg));
    }
}

static void devalidate_table(struct page_info *pg, unsigned int type)
{
    devalidate_entries(pg, type, 512);
}

/*
 * Xen's check_descriptor for 64-bit PV: not-present descriptors and the
 * harmless type 0 pass; code and data segments pass with their DPL raised
 * to 3 (the guest kernel runs in ring 3, so nothing may claim rings 0-2);
 * call gates, TSS and LDT descriptors are refused.
 */
bool pv_descriptor_fixup(uint64_t *desc)
{
    uint32_t a = (uint32_t)*desc, b = *desc >> 32;
    uint16_t cs;

    if (!(b & (1U << 15)))              /* not present: always faults, so safe */
        return true;
    if (b & (1U << 12)) {               /* code/data */
        *desc |= 3ULL << (32 + 13);
        return true;
    }
    if ((b & 0xf00) == 0)               /* type 0 (upper half of a 16-byte entry) */
        return true;
    if ((b & 0xf00) != 0xc00)           /* only call gates beyond this point */
        return false;
    /* The target must be the guest's own selector (GDT below Xen's, LDT) or its kernel CS. */
    cs = a >> 16;
    if ((cs >> 3) >= FIRST_RESERVED_GDT_ENTRY && !(cs & 4) && cs != FLAT_KERNEL_CS)
        return false;
    if (b & 0xff)                       /* reserved bits */
        return false;
    /*
     * As Xen: DPL 0, so any use #GPs into the hypervisor instead of entering
     * the gate; the requested DPL (raised to 3) is kept in the selector's RPL.
     */
    cs = (cs & ~3) | 3;
    a = (a & 0xffff) | ((uint32_t)cs << 16);
    b &= ~(3U << 13);
    *desc = ((uint64_t)b << 32) | a;
    return true;
}

static int validate_descriptors(struct page_info *pg)
{
    uint64_t *t = mfn_to_virt(page_to_mfn(pg));

    for (unsigned int i = 0; i < 512; i++) {
        uint64_t d = t[i];
        if (!pv_descriptor_fixup(&d))
            return -XEN_EINVAL;
        if (d != t[i])
            t[i] = d;
    }
    return 0;
}

/*
 * Change entry idx of the validated table `table_mfn` (owned by d) to `val`,
 * whose frame must belong to fd (d itself unless d is privileged; only L1
 * entries may reference another domain's frames).
 * New references are taken before the write and old ones dropped after, so
 * a failed update leaves everything as it was.
 */
__pv_fast_mm int pv_mod_entry(struct domain *d, struct domain *fd, mfn_t table_mfn, unsigned int idx,
                 uint64_t val, bool preserve_ad)
{
    struct page_info *tpg = mfn_to_page(table_mfn);
    uint64_t *t = mfn_to_virt(table_mfn), old;
    unsigned int level = tpg->type;
    int rc;

    if (!is_pt_type(level) || !(tpg->flags & PGF_validated) || tpg->owner != d->domain_id) {
        REFUSE_WHY("mfn %#lx is not a validated page table of the domain (it is %s)",
                   (unsigned long)table_mfn, type_name(level));
        return -XEN_EINVAL;
    }
    if (!guest_slot(level, idx) || (fd != d && level != 1)) {
        REFUSE_WHY("L%u entry %u is the hypervisor's slot (or a foreign mapping above L1)", level, idx);
        return -XEN_EINVAL;
    }
    /* Another domain's I/O space is never mapped on its behalf (Xen checks both owners). */
    if (fd != d && (val & _PAGE_PRESENT) && !mfn_valid((val & PADDR_MASK) >> PAGE_SHIFT))
        return -XEN_EPERM;
    /*
     * The entry changes by compare-and-exchange from the value whose
     * references are dropped (Xen's UPDATE_ENTRY): of two CPUs changing it
     * at once (or the page walker setting A/D), one wins and the other
     * gives its new references back and starts again from what it finds,
     * so no reference is dropped twice or leaked.
     */
    for (uint64_t want = val;; val = want) {
        old = READ_ONCE(t[idx]);
        if (preserve_ad)
            val |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
        val = pv_adjust_entry(val, level);
        /* Same frame, same rights: only A/D or ignored bits change. */
        if ((old & _PAGE_PRESENT) && (val & _PAGE_PRESENT) &&
            !((old ^ val) & (PADDR_MASK | _PAGE_RW | _PAGE_PRESENT | L1_DISALLOW | L234_DISALLOW)) &&
            !(val & (level == 1 ? l1_disallow(fd) : L234_DISALLOW))) {
            if (__atomic_compare_exchange_n(&t[idx], &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
                return 0;
            continue;
        }
        /* Linking a table validates it: preemptible (-XEN_ERESTART: nothing changed, repeat the update). */
        if ((rc = get_entry_refs(val, level, fd, true, table_mfn))) {
            if (rc != -XEN_ERESTART)
                REFUSE_WHY("L%u entry %u of table mfn %#lx := %#lx", level, idx, (unsigned long)table_mfn,
                           (unsigned long)val);
            return rc;
        }
        if (__atomic_compare_exchange_n(&t[idx], &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            break;
        put_entry_refs(val, level, table_mfn);
    }
    /* Unlinking a table may tear down its tree: preemptible, finished by the batch (mm_pending). */
    if (level > 1 && (old & _PAGE_PRESENT)) {
        if (put_linear_entry((old & PADDR_MASK) >> PAGE_SHIFT, tpg))
            put_page_and_type_preemptible((old & PADDR_MASK) >> PAGE_SHIFT);
    } else {
        put_entry_refs(old, level, table_mfn);
    }
    return 0;
}

/* The L1 table (mfn) and index mapping va in the given L4, or -EINVAL. */
__pv_fast_mm int pv_find_l1(struct domain *d, mfn_t l4, uint64_t va, mfn_t *l1_mfn, unsigned int *idx)
{
    static const unsigned int shifts[3] = { L4_SHIFT, L3_SHIFT, L2_SHIFT };
    mfn_t m = l4;

    for (unsigned int lvl = 4; lvl > 1; lvl--) {
        uint64_t e = ((uint64_t *)mfn_to_virt(m))[(va >> shifts[4 - lvl]) & 511];
        m = (e & PADDR_MASK) >> PAGE_SHIFT;
        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE) || !mfn_valid(m) ||
            mfn_to_page(m)->owner != d->domain_id || mfn_to_page(m)->type != lvl - 1 ||
            !(mfn_to_page(m)->flags & PGF_validated))
            return -XEN_EINVAL;
    }
    *l1_mfn = m;
    *idx = L1_INDEX(va);
    return 0;
}

/*
 * The table holding the last entry the processor uses to translate va
 * through the L4 `l4` (Xen's guest_get_eff_l1e through the linear map), and
 * that entry's index. Unlike pv_find_l1 the levels are not checked: through
 * a linear link the "L1" may be a table of any level. Every table on the way
 * is a validated table of d's; -EINVAL for a hole, a superpage or anything
 * else.
 */
int pv_walk_pte(struct domain *d, mfn_t l4, uint64_t va, mfn_t *table, unsigned int *idx)
{
    static const unsigned int shifts[3] = { L4_SHIFT, L3_SHIFT, L2_SHIFT };
    mfn_t m = l4;

    for (unsigned int lvl = 0; lvl < 3; lvl++) {
        uint64_t e = ((uint64_t *)mfn_to_virt(m))[(va >> shifts[lvl]) & 511];
        const struct page_info *pg;
        m = (e & PADDR_MASK) >> PAGE_SHIFT;
        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE) || !mfn_valid(m))
            return -XEN_EINVAL;
        pg = mfn_to_page(m);
        if (pg->owner != d->domain_id || !is_pt_type(pg->type) || !(pg->flags & PGF_validated))
            return -XEN_EINVAL;
    }
    *table = m;
    *idx = L1_INDEX(va);
    return 0;
}
