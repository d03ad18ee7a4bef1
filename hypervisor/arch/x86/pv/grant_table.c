/*
 * The PV side of grant host mappings (arch_hooks.h's arch_gnttab_*_host):
 * the PTE at host_addr is written with pv_mod_entry, so it holds exactly
 * the references any guest L1 entry holds and the frame audit counts it.
 * Xen's create_grant_pv_mapping / replace_grant_pv_mapping.
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "pv.h"
#include "processor.h"
#include <tandem/grant_table.h>

/* Xen's GRANT_PTE_FLAGS: never executable; user (ring 3) access comes from pv_adjust_entry. */
#define GRANT_PTE_FLAGS (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)

/*
 * The L1 table and index for a grant mapping: the entry mapping va in the
 * current address space, or (pte, GNTMAP_contains_pte) the 8-byte entry at
 * machine address va, which must lie in a validated L1 table of d's.
 */
static int grant_l1(struct domain *d, uint64_t va, bool pte, mfn_t *l1, unsigned int *idx)
{
    if (pte) {
        mfn_t m = va >> PAGE_SHIFT;
        const struct page_info *pg;
        if ((va & 7) || !mfn_valid(m))
            return -1;
        pg = mfn_to_page(m);
        if (pg->owner != d->domain_id || pg->type != PGT_l1_page_table || !(pg->flags & PGF_validated))
            return -1;
        *l1 = m;
        *idx = (va & (PAGE_SIZE - 1)) >> 3;
        return 0;
    }
    /* Any byte of the page names it (Xen's map_guest_l1e takes va >> 12). */
    va &= ~(uint64_t)(PAGE_SIZE - 1);
    if (!is_canonical(va) || in_hv_range(va))
        return -1;
    return pv_find_l1(d, current->arch.pv.kernel_l4, va, l1, idx) ? -1 : 0;
}

int pv_gnttab_map_host(struct domain *d, struct domain *granter, uint64_t va, bool pte_addr, mfn_t mfn,
                       bool readonly)
{
    uint64_t pte = ((uint64_t)mfn << PAGE_SHIFT) | GRANT_PTE_FLAGS | (readonly ? 0 : _PAGE_RW);
    unsigned int idx;
    mfn_t l1;

    /* Xen's create_grant_pv_mapping: every unusable address is general_error. */
    if (grant_l1(d, va, pte_addr, &l1, &idx))
        return GNTST_general_error;
    if (pv_mod_entry(d, granter, l1, idx, pte, false))
        return GNTST_general_error;
    return GNTST_okay;
}

int pv_gnttab_unmap_host(struct domain *d, uint64_t va, bool pte, mfn_t mfn)
{
    unsigned int idx;
    uint64_t e;
    mfn_t l1;

    if (grant_l1(d, va, pte, &l1, &idx))
        return GNTST_general_error;
    e = READ_ONCE(((uint64_t *)mfn_to_virt(l1))[idx]);
    if (!(e & _PAGE_PRESENT) || ((e & PADDR_MASK) >> PAGE_SHIFT) != mfn)
        return GNTST_general_error;
    if (pv_mod_entry(d, d, l1, idx, 0, false))
        return GNTST_general_error;
    /*
     * No stale translation survives the call. One CPU runs guests today
     * (flush_tlb_mask's rule) and guest entries are never global: a mapping
     * by VA leaves translations only at va in this address space (others,
     * through the same L1 linked elsewhere, went at their CR3 load), so
     * invlpg suffices; an entry named by its address may be mapped at any
     * VA: everything is flushed.
     */
    if (pte) {
        flush_tlb_local();
        d->ctr.tlb_flushes++;
    } else {
        invlpg(va & ~(uint64_t)(PAGE_SIZE - 1));
    }
    return GNTST_okay;
}

/*
 * unmap_and_replace (Xen's replace_grant_pv_mapping with steal_linear_address):
 * the grant entry at va (still mapping mfn) takes the entry now at new_va
 * with the references it holds, and new_va's entry is cleared; new_va 0
 * just clears va's. new_va must be an address (of a page other than va's) whose entry is
 * present in a validated L1 of d's, not va itself. Checked before anything
 * changes; a lost race afterwards drops the taken entry (as Xen).
 */
int pv_gnttab_replace_host(struct domain *d, uint64_t va, mfn_t mfn, uint64_t new_va)
{
    unsigned int idx, nidx;
    uint64_t e, ne = 0, *t, *nt;
    mfn_t l1, nl1;

    if (!new_va)
        return pv_gnttab_unmap_host(d, va, false, mfn);
    if (!((new_va ^ va) & ~(uint64_t)(PAGE_SIZE - 1)) || grant_l1(d, va, false, &l1, &idx) || grant_l1(d, new_va, false, &nl1, &nidx))
        return GNTST_general_error;
    t = mfn_to_virt(l1);
    nt = mfn_to_virt(nl1);
    e = READ_ONCE(t[idx]);
    if (!(e & _PAGE_PRESENT) || ((e & PADDR_MASK) >> PAGE_SHIFT) != mfn)
        return GNTST_general_error;
    ne = READ_ONCE(nt[nidx]);
    if (!(ne & _PAGE_PRESENT) || !__atomic_compare_exchange_n(&nt[nidx], &ne, 0, false, __ATOMIC_SEQ_CST,
                                                              __ATOMIC_RELAXED))
        return GNTST_general_error;
    invlpg(new_va);
    /* ne's references are ours now: they move to va, the grant entry's go. */
    if (!__atomic_compare_exchange_n(&t[idx], &e, ne, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        pv_put_entry_refs(ne, 1);
        return GNTST_general_error;
    }
    invlpg(va);
    pv_put_entry_refs(e, 1);
    return GNTST_okay;
}
