/*
 * The guest kernel's memory (kernel/page_alloc.c, kmap.c, mmu_batch.c,
 * mm.c, uaccess.c): pages, the kernel map of all guest memory, batched
 * page-table updates, user address spaces and the kernel's access to user
 * memory. How they use the PV ABI: docs/guest-kernel.md.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "kernel.h"
#include "uapi.h"

/* ---- pages: pfn i of the guest is mapped at KERNEL_VIRT_BASE + i * 4 KiB ---- */
#define KERNEL_VIRT_BASE 0xffffffff80000000UL
#define PAGE_SHIFT      12
#define MAX_GUEST_PAGES (512UL * 512)   /* what one L2 of kernel map covers: 1 GiB */

#define _PAGE_PRESENT   0x001UL
#define _PAGE_RW        0x002UL
#define _PAGE_USER      0x004UL
#define _PAGE_ACCESSED  0x020UL
#define _PAGE_DIRTY     0x040UL
#define _PAGE_NX        ARCH_PAGE_NX    /* arch/platform.h: bit 63, or 0 natively without NX */
#define PTE_MFN_MASK    0x000ffffffffff000UL
#define PTE_TABLE       (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERNEL_RW   (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERNEL_RO   (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

static inline void *pfn_to_virt(uint64_t pfn) { return (void *)(KERNEL_VIRT_BASE + (pfn << PAGE_SHIFT)); }
static inline uint64_t virt_to_pfn(const void *va) { return ((uint64_t)va - KERNEL_VIRT_BASE) >> PAGE_SHIFT; }
static inline uint64_t pfn_maddr(uint64_t pfn) { return pfn_to_mfn(pfn) << PAGE_SHIFT; }

enum page_kind { PG_KERNEL, PG_USER, PG_PT, NR_PAGE_KINDS };

/* Boot (kmap.c): the allocator over the free pages and the kernel map of every pfn. */
void mm_init(void);

/* The page allocator (page_alloc.c). */
uint64_t alloc_page(enum page_kind kind);                   /* zeroed; 0 = none left */
uint64_t alloc_pages(unsigned n, enum page_kind kind);      /* contiguous, zeroed; 0 = none */
void free_pages(uint64_t pfn, unsigned n, enum page_kind kind);
void copy_page(void *dst, const void *src);
static inline void free_page(uint64_t pfn, enum page_kind kind) { free_pages(pfn, 1, kind); }
void mm_get_info(struct meminfo *mi);
void mm_report(void);

/* Batched page-table updates: requests queue up and go in one mmu_update. */
#define MMU_BATCH 64
struct mmu_batch {
    unsigned n;
    struct mmu_update req[MMU_BATCH];
};
void mb_add(struct mmu_batch *b, uint64_t ptr, uint64_t val);
void mb_flush(struct mmu_batch *b);     /* panics if the hypervisor refuses a request */
/* One multicall: mmuext ops `pre`, the batch's updates, mmuext ops `post` (any part may be empty). */
void mb_multicall(const struct mmuext_op *pre, unsigned npre, struct mmu_batch *b,
                  const struct mmuext_op *post, unsigned npost);
/* Queue the change of the kernel mapping of pfn to read-only / read-write. */
void mb_kmap(struct mmu_batch *b, uint64_t pfn, bool writable);
/* The machine address of the kernel-map entry of pfn (a foreign mapping over it: devmodel_svc.c). */
uint64_t kmap_pte_machine(uint64_t pfn);

/* ---- user address spaces (mm.c) ---- */
struct mm {
    uint64_t kl4, ul4, l3;      /* pfns: kernel L4 (kernel + user part), user L4 (PV only), the user L3 */
    bool live;                  /* pinned: changed only through hypercalls from now on */
    uint64_t brk_start, brk;    /* heap [brk_start, brk), demand-zero */
    uint64_t pages, pt_pages;   /* user pages and page-table pages (L4s included) */
};
struct mm *mm_create(void);                     /* empty, not yet live */
int mm_map_new(struct mm *mm, uint64_t va, uint64_t pfn, uint64_t flags);    /* before mm_commit */
int mm_commit(struct mm *mm);                   /* make its tables read-only, pin both L4s */
struct mm *mm_fork(struct mm *parent);          /* copy of every user page, committed */
void mm_destroy(struct mm *mm);                 /* not loaded anywhere; frees everything */
void mm_switch(struct mm *mm, uint64_t kstack_top);     /* NULL: the boot tables */
extern struct mm *active_mm;
extern uint64_t mm_boot_l4_pfn;         /* the boot L4 (PV: the builder's), loaded while no process runs */
/* Demand-zero: map pages around va (aligned group, inside [lo, hi)) in one batch. */
int mm_fault_in(struct mm *mm, uint64_t va, uint64_t lo, uint64_t hi);
int mm_unmap_range(struct mm *mm, uint64_t lo, uint64_t hi);
int mm_demand_fault(struct mm *mm, uint64_t va);   /* va in the heap or stack: map it (and neighbours); uaccess.c */
extern unsigned int mm_fault_around;            /* pages per demand fault, default 16 */
uint64_t *mm_pte(struct mm *mm, uint64_t va);   /* the L1 entry, or NULL if no L1 */
uint64_t pte_pfn(uint64_t pte);                 /* the pfn a (present) entry maps, via the M2P; panics if not ours */
/* ---- the kernel's access to user memory (uaccess.c) ---- */
/* Check a user range for the kernel to read (write: and write), faulting in demand pages. */
int user_access_ok(uint64_t va, uint64_t len, bool write);
int copy_from_user(void *dst, uint64_t src, uint64_t len);
int copy_to_user(uint64_t dst, const void *src, uint64_t len);
long strncpy_from_user(char *dst, uint64_t src, long max);

#endif
