/*
 * Machine memory: the frame table (one struct page_info per machine frame),
 * the frame allocator, the hypervisor heap and the M2P.
 */
#ifndef TANDEM_MM_H
#define TANDEM_MM_H

#include "types.h"
#include "page.h"
#include <tandem/xen.h>

struct domain;

/* Page types, as Xen's PGT_*: a frame has at most one type at a time. */
enum page_type {
    PGT_none = 0,
    PGT_l1_page_table = 1,
    PGT_l2_page_table = 2,
    PGT_l3_page_table = 3,
    PGT_l4_page_table = 4,
    PGT_seg_desc_page = 5,
    PGT_writable_page = 6,
};

#define PGF_allocated   (1U << 0)   /* owned by a domain or the hypervisor */
#define PGF_pinned      (1U << 1)   /* guest pinned this page table */
#define PGF_validated   (1U << 2)   /* contents checked for its current type */
#define PGF_xenheap     (1U << 3)   /* hypervisor heap page */
#define PGF_shared_info (1U << 4)   /* a domain's shared_info: guest may map it RW */
#define PGF_ram         (1U << 5)   /* real RAM (from the memory map) */
#define PGF_validating  (1U << 6)   /* validation in progress (catches self-reference) */
#define PGF_zombie      (1U << 7)   /* its domain is dead; freed by the last put_page */
#define PGF_partial     (1U << 8)   /* validation stopped partway (preempted): see nr_validated */
#define PGF_dying       (1U << 9)   /* its last type reference went; teardown stopped partway */
#define PGF_pchild      (1U << 10)  /* dying: entry nr_validated - 1 names a dying table, finished first */
#define PGF_freeing     (1U << 11)  /* a zombie being freed: one CPU claims it (page_free_if_zombie) */

/*
 * Two 64-bit words change by compare-and-exchange (Xen's count_info and
 * type_info), so two CPUs never lose each other's updates:
 *  - count_info: count and owner. get_page increments count only while
 *    owner is the domain asking; a zombie's free sets owner to
 *    DOMID_INVALID only while count is 0, so no reference is taken after.
 *    nr_validated shares the word but is written only by the CPU that owns
 *    the table's validation or teardown (a plain store; a racing
 *    compare-and-exchange of count fails and retries).
 *  - type_info: type_count, type and flags, changed together (cmpxchg
 *    loops in pv/mm.c; page_flags_update elsewhere). order is written only
 *    while the frame is free.
 */
struct page_info {
    union {
        struct {
            uint32_t count;         /* general references (mappings, hypervisor uses) */
            uint16_t owner;         /* domid, DOMID_XEN, or DOMID_INVALID when free */
            uint16_t nr_validated;  /* PGF_partial, PGF_dying: entries [0, nr_validated) hold their references */
        };
        uint64_t count_info;
    };
    union {
        struct {
            uint32_t type_count;    /* references to the current type */
            uint8_t  type;          /* enum page_type */
            uint8_t  order;         /* allocation order of a heap block's first frame */
            uint16_t flags;         /* PGF_* */
        };
        uint64_t type_info;
    };
    uint64_t next;          /* next frame in the owner's list, ~0 ends */
    uint64_t prev;          /* previous one, ~0 for the first: O(1) removal */
    uint64_t tlbflush_timestamp;    /* TLB-flush clock when a use that may leave it cached ended; 0 never */
    /*
     * Linear page tables (Xen's linear_pt_count, XSA-240): > 0, how many
     * entries of this table name another table of its own level; < 0, how
     * many such entries name this table. Never both, so a chain of linear
     * links is one link long. Changed by compare-and-exchange (pv/mm.c).
     */
    int16_t linear_pt_count;
    uint16_t pad[3];
};
_Static_assert(offsetof(struct page_info, owner) == 4 && offsetof(struct page_info, nr_validated) == 6 &&
               offsetof(struct page_info, type_count) == 8 && offsetof(struct page_info, type) == 12 &&
               offsetof(struct page_info, order) == 13 && offsetof(struct page_info, flags) == 14 &&
               sizeof(struct page_info) == 48, "page_info layout (count_info, type_info)");

/* Fields of the two words (little-endian: the layout above). */
#define PCI_COUNT(x)    ((uint32_t)(x))
#define PCI_OWNER(x)    ((uint16_t)((x) >> 32))
#define PCI_OWNER_SHIFT 32
#define PTI_COUNT(x)    ((uint32_t)(x))
#define PTI_TYPE(x)     ((uint8_t)((x) >> 32))
#define PTI_FLAGS(x)    ((uint16_t)((x) >> 48))
#define PTI_MAKE(x, tc, t, f) (((x) & 0x0000ff0000000000ULL) | (uint32_t)(tc) | \
                               ((uint64_t)(uint8_t)(t) << 32) | ((uint64_t)(uint16_t)(f) << 48))
_Static_assert(sizeof(uint64_t) == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "page_info words");

static inline uint64_t page_type_info(const struct page_info *pg)
{
    return __atomic_load_n(&pg->type_info, __ATOMIC_ACQUIRE);
}
static inline bool page_type_cmpxchg(struct page_info *pg, uint64_t *old, uint64_t new)
{
    return __atomic_compare_exchange_n(&pg->type_info, old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
}
/* Clear then set flags atomically with respect to the type and count changes; returns the old flags. */
static inline uint16_t page_flags_update(struct page_info *pg, uint16_t clear, uint16_t set)
{
    uint64_t x = page_type_info(pg);

    while (!page_type_cmpxchg(pg, &x, PTI_MAKE(x, PTI_COUNT(x), PTI_TYPE(x),
                                               (PTI_FLAGS(x) & ~clear) | set)))
        ;
    return PTI_FLAGS(x);
}
/* A zombie nothing references any more is freed (and uncharged from its owner); else nothing (pv/mm.c). */
void page_free_if_zombie(struct page_info *pg);

extern struct page_info *frame_table;
extern uint64_t max_page;   /* frames covered by the frame table */

static inline struct page_info *mfn_to_page(mfn_t mfn) { return &frame_table[mfn]; }
static inline mfn_t page_to_mfn(const struct page_info *pg) { return pg - frame_table; }
static inline bool mfn_valid(mfn_t mfn) { return mfn < max_page && (frame_table[mfn].flags & PGF_ram); }

/* M2P: machine frame -> guest pfn, readable by guests at M2P_VIRT_START. */
extern uint64_t *m2p_table;
static inline void set_gpfn_from_mfn(mfn_t mfn, uint64_t pfn) { m2p_table[mfn] = pfn; }

void mm_init(const struct boot_info *bi);      /* builds the core's page tables and frame table */
void mm_release_boot_modules(void);

/* Frame allocator. Returns the first MFN or ~0 when out of memory. */
#define INVALID_MFN (~0UL)
mfn_t alloc_frames(unsigned order, uint16_t owner);
void free_frames(mfn_t mfn, unsigned order);
uint64_t free_frame_count(void);
uint64_t total_frame_count(void);

/* Hypervisor heap: zeroed, page-granular blocks from the direct map. */
void *xzalloc_bytes(size_t size);
void xfree(void *p);
#define xzalloc(type) ((type *)xzalloc_bytes(sizeof(type)))

/* Domain memory. */
mfn_t alloc_domheap_page(struct domain *d);
/* 2^order contiguous zeroed frames (the first one's mfn aligned to 2^order) charged to d,
 * INVALID_MFN past d's limit or with no such block free. Each frame is d's own afterwards. */
mfn_t alloc_domheap_pages(struct domain *d, unsigned int order);
void free_domheap_pages(struct domain *d);
/* d gives m back; false if it was already given back (a racing release won). */
bool domain_release_page(struct domain *d, mfn_t m);
/*
 * Drop a dead domain's own references and free what nothing else maps
 * (pv/mm.c), in steps of about MM_PREEMPT_WORK units of work: returns
 * -XEN_ERESTART while work remains (call it again), 0 once done.
 */
int domain_relinquish_memory(struct domain *d);

/*
 * PV page references (arch/x86/pv/mm.c), Xen's model. `count` counts every
 * reference (mappings, links, pins, CR3); `type_count` the references that
 * need the current type: RW L1 mappings hold PGT_writable, links from the
 * level above, pins and CR3 hold the table type. The type may change only
 * when type_count is 0; a page-table type is validated (every entry checked
 * and referenced) when first taken and devalidated when the last goes.
 */
/*
 * Preemptible validation (Xen's -ERESTART and PGT_partial): the _preemptible
 * calls stop an L2-L4 validation between entries once this CPU has done
 * MM_PREEMPT_WORK entries since pv_mm_preempt_reset() and return
 * -XEN_ERESTART, with nothing held by the caller. The table is then
 * PGF_partial: its type count (1) and one general reference belong to the
 * partial state, entries [0, nr_validated) hold theirs, its contents cannot
 * change (not validated, not writable). The next get_page_type of that type,
 * by anyone, takes the validation over and continues it; the caller repeats
 * its request (a hypercall continuation). -XEN_ERESTART never reaches a guest.
 */
#define XEN_ERESTART    85          /* internal, as Xen's ERESTART */
#define MM_PREEMPT_WORK 2048        /* table entries between preemption points */
void pv_mm_preempt_reset(void);
int get_page_type_preemptible(struct page_info *pg, unsigned int type);
int get_page_and_type_preemptible(mfn_t mfn, const struct domain *d, unsigned int type);
/*
 * Preemptible devalidation (Xen's put_page_and_type_preemptible and
 * old_guest_table): dropping the last type reference of an L2-L4 table
 * tears its tree down; once the work budget is spent the table is left
 * PGF_dying (type count 1, entries [0, nr_validated) still referenced) and
 * the caller's general reference moves to current->arch.pv.mm_pending:
 * -XEN_ERESTART, the request itself is done. The vCPU's next MMU hypercall
 * finishes it (pv_mm_finish_pending) before anything else; a dying table
 * cannot be retyped, revalidated or changed meanwhile.
 */
int put_page_and_type_preemptible(mfn_t mfn);
struct vcpu;
int pv_mm_finish_pending(struct vcpu *v, bool preemptible);
/* Undo a partial validation (frame released, domain dead): drops the partial state's references. */
void pv_drop_partial(struct page_info *pg);
/*
 * The same, preemptible: the partial table becomes a dying one (its entries'
 * references still held) and is torn down as put_page_and_type_preemptible
 * does; once the work budget is spent it is left in v->arch.pv.mm_pending (which
 * must be empty) with the partial state's general reference: -XEN_ERESTART.
 */
int pv_drop_partial_preemptible(struct vcpu *v, struct page_info *pg);

bool get_page(struct page_info *pg, const struct domain *d);
void put_page(struct page_info *pg);
int get_page_type(struct page_info *pg, unsigned int type);
void put_page_type(struct page_info *pg);
int get_page_and_type(mfn_t mfn, const struct domain *d, unsigned int type);
void put_page_and_type(mfn_t mfn);
/* Xen's opt_pv_linear_pt (`pv-linear-pt`, default on): read-only links from a table to one of its own level. */
extern bool opt_pv_linear_pt;
static inline bool is_pt_type(unsigned int t) { return t >= PGT_l1_page_table && t <= PGT_l4_page_table; }

/*
 * TLB-flush clock (arch/x86/tlbflush.c, Xen's flushtlb.c). Rule: a frame that
 * may still be cached in some CPU's TLB or paging-structure caches is flushed
 * there before it is handed out (alloc_frames) or changes type
 * (get_page_type). Frames are stamped when their type count drops to 0 and
 * when they are freed.
 */
uint64_t tlbflush_current_time(void);
/* CPUs whose last flush is not later than `stamp` (bit per CPU); 0 for stamp 0. */
uint64_t tlbflush_filter(uint64_t stamp);
void flush_tlb_mask(uint64_t cpus);
/* Flush every CPU that may still cache a frame stamped `stamp`. */
void tlbflush_if_cached(uint64_t stamp);
static inline void page_set_tlbflush_timestamp(struct page_info *pg)
{
    pg->tlbflush_timestamp = tlbflush_current_time();
}

/* Frame audit (arch/x86/pv/mm_audit.c): problems found, 0 when consistent. */
unsigned int mm_audit(void);
extern bool opt_audit;

/* The idle (hypervisor-only) L4 and the slots copied into every guest L4. */
extern uint64_t *idle_pg_table;
void init_guest_l4_slots(uint64_t *l4);
void hv_map_pages(uint64_t va, paddr_t pa, uint64_t size, uint64_t flags);
uint64_t *hv_l1e(uint64_t va);
/* Map a device MMIO range uncached in the ioremap area. */
void *ioremap(paddr_t pa, size_t len);

#endif
