/*
 * update_va_mapping: the first, narrow slice of the PV MMU. The guest may
 * change one L1 entry reached through its own validated tables, to map a
 * frame it owns (or its shared_info). A frame typed as a page table (or
 * descriptor page) may only be mapped read-only, so a guest can never write
 * its page tables behind the hypervisor's back. Xen's full rules (type and
 * reference counts, mmu_update, mmuext_op, pinning) extend this.
 */
#include "lib.h"
#include "pv.h"
#include "mm.h"
#include "processor.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

/* Bits a guest L1 entry may carry (everything else is reserved or ours). */
#define L1_ALLOWED (PADDR_MASK | _PAGE_NX | 0xfffUL)
#define L1_RESERVED_MASK (~L1_ALLOWED | _PAGE_GUEST_KERNEL)

static uint64_t *table_of(struct domain *d, uint64_t entry, enum page_type want)
{
    mfn_t m = (entry & PADDR_MASK) >> PAGE_SHIFT;
    const struct page_info *pg;

    if (!(entry & _PAGE_PRESENT) || (entry & _PAGE_PSE) || !mfn_valid(m))
        return NULL;
    pg = mfn_to_page(m);
    if (pg->owner != d->domain_id || pg->type != want)
        return NULL;
    return mfn_to_virt(m);
}

/* The L1 entry that maps va in the vCPU's kernel page tables, or NULL. */
static uint64_t *guest_l1e(struct vcpu *v, uint64_t va)
{
    struct domain *d = v->domain;
    uint64_t *l4 = mfn_to_virt(v->kernel_l4), *l3, *l2, *l1;

    if (!(l3 = table_of(d, l4[L4_INDEX(va)], PGT_l3_page_table)) ||
        !(l2 = table_of(d, l3[L3_INDEX(va)], PGT_l2_page_table)) ||
        !(l1 = table_of(d, l2[L2_INDEX(va)], PGT_l1_page_table)))
        return NULL;
    return &l1[L1_INDEX(va)];
}

/* Xen's get_page_from_l1e rules, without reference counting yet. */
static int check_l1e(struct domain *d, uint64_t val)
{
    mfn_t m = (val & PADDR_MASK) >> PAGE_SHIFT;
    const struct page_info *pg;

    if (!(val & _PAGE_PRESENT))
        return 0;
    if (val & L1_RESERVED_MASK)
        return -XEN_EINVAL;
    if (!mfn_valid(m))
        return -XEN_EINVAL;
    pg = mfn_to_page(m);
    if (!(pg->flags & PGF_allocated) || pg->owner != d->domain_id)
        return -XEN_EINVAL;
    if ((val & _PAGE_RW) && pg->type != PGT_writable_page && pg->type != PGT_none)
        return -XEN_EINVAL;     /* page tables are mapped read-only, always */
    return 0;
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;
    uint64_t *l1e;
    int rc;

    if (!is_canonical(va) || in_hv_range(va))
        return -XEN_EINVAL;
    if ((flags & UVMF_FLUSHTYPE_MASK) == 3)
        return -XEN_EINVAL;
    if ((rc = check_l1e(v->domain, val)))
        return rc;
    if (!(l1e = guest_l1e(v, va)))
        return -XEN_EINVAL;
    if (val & _PAGE_PRESENT) {
        /* Both guest modes run in ring 3: every mapping is a user mapping (Xen's adjust_guest_l1e). */
        if (!(val & _PAGE_USER))
            val |= _PAGE_USER | _PAGE_GUEST_KERNEL;
    }
    WRITE_ONCE(*l1e, val);
    /* Always drop the old translation: a stale TLB entry must never outlive a check. */
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH) {
        flush_tlb_local();
        v->domain->ctr.tlb_flushes++;
    } else {
        invlpg(va);
    }
    return 0;
}
