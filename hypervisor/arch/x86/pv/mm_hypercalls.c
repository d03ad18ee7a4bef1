/*
 * The PV MMU hypercalls: mmu_update, mmuext_op, update_va_mapping(_otherdomain).
 * Each request is decoded and checked in full before it changes anything; a
 * batch stops at the first refused request and reports how many were done.
 */
#include "refuse.h"
#include "lib.h"
#include "pv.h"
#include "mm.h"
#include "hypercall.h"
#include "guest_access.h"
#include "processor.h"
#include "cpu.h"
#include "domain.h"
#include "../hvm/hvm.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))

/* Xen's get_pg_owner: whose frames a batch may touch. */
static __pv_fast_mm struct domain *get_pg_owner(struct domain *curr, domid_t foreigndom, long *rc)
{
    struct domain *d;

    if (foreigndom == DOMID_SELF)
        return curr;
    /* As Xen: naming itself is "cannot specify itself as foreign domain" (-ESRCH);
     * an unknown domain is -ESRCH before any privilege check; DOMID_XEN and
     * DOMID_IO exist in Xen, so an unprivileged caller gets -EPERM for them. */
    if (foreigndom == curr->domain_id) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    d = get_domain_by_id(foreigndom);
    if (!d && foreigndom != DOMID_XEN && foreigndom != DOMID_IO) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (!d || !dm_may_control(curr, d)) {     /* privileged, or d's device model (Xen's XSM_TARGET) */
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

static __pv_fast_mm long mmu_update_one(struct domain *d, struct domain *pg_owner, const struct mmu_update *req)
{
    unsigned int cmd = req->ptr & 7;    /* Xen: ptr & (sizeof(l1_pgentry_t) - 1); 4-7 unknown */
    mfn_t mfn = req->ptr >> PAGE_SHIFT;
    struct page_info *pg;

    if (cmd > MMU_PT_UPDATE_NO_TRANSLATE)
        return -XEN_ENOSYS;
    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE:    /* a PV guest's frames are machine frames: as normal */
        if (!(pg->flags & PGF_allocated) || pg->owner != d->domain_id)
            return -XEN_EINVAL;
        if (is_pt_type(pg->type) && pg->type_count) {
            unsigned int idx = (req->ptr & ~PAGE_MASK) >> 3;
            uint64_t val = req->val;
            /*
             * Xen's mod_l1_entry: an HVM (translated) foreign owner's frames are
             * named by guest frame, unless NO_TRANSLATE (what acquire_resource's
             * machine frames are mapped with); a frame outside its memory: -EINVAL.
             */
            if (cmd != MMU_PT_UPDATE_NO_TRANSLATE && pg_owner != d && is_hvm_domain(pg_owner) &&
                pg->type == PGT_l1_page_table && (val & _PAGE_PRESENT)) {
                void *p = hvm_gfn_map(pg_owner, (val & PADDR_MASK) >> PAGE_SHIFT);
                if (!p) {
                    REFUSE_WHY("gfn %#lx is outside HVM d%u's memory", (unsigned long)((val & PADDR_MASK) >> PAGE_SHIFT),
                               pg_owner->domain_id);
                    return -XEN_EINVAL;
                }
                val = (val & ~PADDR_MASK) | (__pa(p) & PADDR_MASK);
            }
            return pv_mod_entry(d, pg_owner, mfn, idx, val, cmd == MMU_PT_UPDATE_PRESERVE_AD);
        }
        /* Not a page table in use: an ordinary write to a page it may write. */
        if (get_page_type(pg, PGT_writable_page))
            return -XEN_EINVAL;
        *(uint64_t *)((char *)mfn_to_virt(mfn) + (req->ptr & ~PAGE_MASK & ~7UL)) = req->val;
        put_page_type(pg);
        return 0;
    case MMU_MACHPHYS_UPDATE:
        /* Xen: get_page_from_mfn(mfn, pg_owner) fails -> -EINVAL. */
        if (!(pg->flags & PGF_allocated) || pg->owner != pg_owner->domain_id)
            return -XEN_EINVAL;
        set_gpfn_from_mfn(mfn, req->val);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * Continue the batch at request i (Xen's hypercall_create_continuation with
 * MMU_UPDATE_PREEMPTED): returns the value the hypercall must return (inside
 * a multicall too: hypercall_continue rewrites the entry).
 */
static long mmu_batch_continue(unsigned long nr, uint64_t list, uint32_t i, uint32_t n, uint32_t done,
                               uint64_t pdone, size_t size, uint64_t foreigndom)
{
    uint32_t total = done + i;

    if (pdone && copy_to_guest(pdone, &total, sizeof(total)))
        return -XEN_EFAULT;
    return hypercall_continue(nr, list + (uint64_t)i * size, (n - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom);
}

/*
 * Shared loop of mmu_update and mmuext_op: `done` counts across
 * continuations (with MMU_UPDATE_PREEMPTED set in count, the running total
 * is read back from *pdone, as in Xen). Preempted between requests when
 * hypercall_preempt_check() says so, also inside a multicall.
 */
static __pv_fast_mm long mmu_batch(unsigned long nr, uint64_t list, uint64_t count, uint64_t pdone,
                      uint64_t foreigndom, size_t size,
                      long (*one)(struct vcpu *, struct domain *, const void *))
{
    struct vcpu *v = current;
    struct domain *pg_owner;
    uint64_t buf[3];
    uint32_t n = count & ~MMU_UPDATE_PREEMPTED, done = 0, i;
    long rc = 0;

    /* Xen's put_old_guest_table: a teardown this vCPU left partway is finished first. */
    pv_mm_preempt_reset();
    if (pv_mm_finish_pending(v, true) == -XEN_ERESTART)
        return hypercall_continue(nr, list, count, pdone, foreigndom);
    /* Xen's guest_handle_okay: only the start of the list is checked up front. */
    if (!guest_range_ok(list, 1))
        return -XEN_EFAULT;
    if (nr == __HYPERVISOR_mmu_update && (uint32_t)foreigndom >> 16) {
        /* foreigndom[31:16]: the page tables' owner plus one (Xen's pt_dom); only itself, unprivileged. */
        domid_t pt = ((uint32_t)foreigndom >> 16) - 1;
        if (pt != v->domain->domain_id)
            return get_domain_by_id(pt) ? -XEN_EPERM : -XEN_ESRCH;
    }
    /* Xen ignores a fault on pdone (read here, written at the end): the work is done. */
    if ((count & MMU_UPDATE_PREEMPTED) && pdone && copy_from_guest(&done, pdone, sizeof(done)))
        done = 0;
    if (!(pg_owner = get_pg_owner(v->domain, foreigndom, &rc))) {
        /* Xen: mmu_update still reports `done` (the refusal is per request, so a
         * count of 0 is no error); mmuext_op returns before touching it. */
        if (nr == __HYPERVISOR_mmu_update) {
            if (rc == -XEN_EPERM && n == 0)
                rc = 0;
            if (pdone)
                (void)copy_to_guest(pdone, &done, sizeof(done));
        }
        return rc;
    }
    for (i = 0; i < n; i++) {
        /* Preemption points: when hypercall_preempt_check() says so, and after a request left a teardown. */
        if (i && (hypercall_preempt_check() || v->arch.pv.mm_pending))
            return mmu_batch_continue(nr, list, i, n, done, pdone, size, foreigndom);
        if (copy_from_guest(buf, list + (uint64_t)i * size, size)) {
            rc = -XEN_EFAULT;
            break;
        }
        if ((rc = one(v, pg_owner, buf)) == -XEN_ERESTART) {
            /* A table validation stopped partway: repeat this request after a preemption point. */
            v->domain->ctr.mm_restarts++;
            return mmu_batch_continue(nr, list, i, n, done, pdone, size, foreigndom);
        }
        if (rc) {
            REFUSE_WHY("%s request %u (%#lx %#lx)", hypercall_name(nr), i, (unsigned long)buf[0],
                       (unsigned long)buf[1]);
            break;
        }
    }
    if (!rc && v->arch.pv.mm_pending)        /* the last request's teardown, in the continuation */
        return mmu_batch_continue(nr, list, i, n, done, pdone, size, foreigndom);
    /* After a refused request a teardown stays pending, as Xen's old_guest_table: the next
     * MMU hypercall (or the domain's death) finishes it. */
    done += i;
    if (pdone)
        (void)copy_to_guest(pdone, &done, sizeof(done));
    return rc;
}

static __pv_fast_mm long mmu_update_req(struct vcpu *v, struct domain *pg_owner, const void *req)
{
    long rc = mmu_update_one(v->domain, pg_owner, req);

    if (!rc)
        v->domain->ctr.mmu_entries++;
    return rc;
}

__pv_fast_mm long do_mmu_update(guest_va_t ureqs, uint32_t count, guest_va_t pdone, uint32_t foreigndom)
{
    return mmu_batch(__HYPERVISOR_mmu_update, ureqs, count, pdone, foreigndom,
                     sizeof(struct mmu_update), mmu_update_req);
}

int pv_set_baseptr(struct vcpu *v, mfn_t mfn, bool user)
{
    mfn_t *slot = user ? &v->arch.pv.user_l4 : &v->arch.pv.kernel_l4, old = *slot;
    int rc;

    if (user && mfn == 0) {
        *slot = 0;
    } else {
        if ((rc = get_page_and_type_preemptible(mfn, v->domain, PGT_l4_page_table)))
            return rc;      /* -XEN_ERESTART included: nothing changed */
        *slot = mfn;
    }
    /* As Xen's new_guest_cr3: the CPU leaves the old L4 before its reference goes. */
    if (v == current && v->arch.pv.in_kernel != user) {
        write_cr3(*slot << PAGE_SHIFT);
        v->domain->ctr.cr3_switches++;
        v->domain->ctr.cr3_baseptr++;
    }
    if (old)
        put_page_and_type_preemptible(old);     /* may leave its teardown to the batch */
    return 0;
}

static long mmuext_one(struct vcpu *v, struct domain *pg_owner, const struct mmuext_op *op)
{
    struct domain *d = v->domain;
    mfn_t mfn = op->arg1.mfn;
    struct page_info *pg = mfn_valid(mfn) ? mfn_to_page(mfn) : NULL;
    int rc;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE: case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE: case MMUEXT_PIN_L4_TABLE:
        if (!pg || pg->owner != pg_owner->domain_id || (pg->flags & PGF_pinned))
            return -XEN_EINVAL;
        rc = get_page_and_type_preemptible(mfn, pg_owner, PGT_l1_page_table + op->cmd - MMUEXT_PIN_L1_TABLE);
        if (rc)
            return rc;      /* -XEN_ERESTART: validation stopped partway, the pin is repeated */
        if (page_flags_update(pg, 0, PGF_pinned) & PGF_pinned) {
            put_page_and_type(mfn);     /* another vCPU pinned it meanwhile (Xen's test_and_set_bit) */
            return -XEN_EINVAL;
        }
        return 0;
    case MMUEXT_UNPIN_TABLE:
        if (!pg || pg->owner != pg_owner->domain_id || !(pg->flags & PGF_pinned))
            return -XEN_EINVAL;
        if (!(page_flags_update(pg, PGF_pinned, 0) & PGF_pinned))
            return -XEN_EINVAL;         /* another vCPU unpinned it meanwhile */
        put_page_and_type_preemptible(mfn);     /* done; a teardown left partway is the batch's */
        return 0;
    case MMUEXT_NEW_BASEPTR:
        if (pg_owner != d)
            return -XEN_EPERM;      /* as Xen */
        return pv_set_baseptr(v, mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        if (pg_owner != d)
            return -XEN_EPERM;
        return pv_set_baseptr(v, mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL: case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_local();
        d->ctr.tlb_flushes++;
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_INVLPG_MULTI: {
        uint64_t mask;
        if (copy_from_guest(&mask, op->arg2.vcpumask, sizeof(mask)))
            return -XEN_EINVAL;     /* Xen: vcpumask_to_pcpumask() failing is -EINVAL */
        if (op->cmd == MMUEXT_TLB_FLUSH_MULTI) {
            flush_tlb_local();
            d->ctr.tlb_flushes++;
            return 0;
        }
    }
        /* fall through */
    case MMUEXT_INVLPG_LOCAL: case MMUEXT_INVLPG_ALL:
        if (is_canonical(op->arg1.linear_addr) && !in_hv_range(op->arg1.linear_addr))
            invlpg(op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
        return d->is_privileged ? 0 : -XEN_EACCES;
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return d->is_privileged ? 0 : -XEN_EINVAL;      /* sic: Xen's answer differs from FLUSH_CACHE */
    case MMUEXT_SET_LDT: {
        /* As Xen: with 0 entries the base is ignored (0); otherwise page aligned and a guest address.
         * The pages are mapped (and checked) when first used: pv/ldt.c. */
        unsigned int ents = op->arg2.nr_ents;
        uint64_t base = ents ? op->arg1.linear_addr : 0;
        if (pg_owner != d)
            return -XEN_EPERM;
        if ((base & ~PAGE_MASK) || (ents && !guest_range_ok(base, 1)) || ents > 8192)
            return -XEN_EINVAL;
        pv_set_ldt(v, base, ents);
        return 0;
    }
    case MMUEXT_CLEAR_PAGE:
        if (!pg || get_page_and_type(mfn, pg_owner, PGT_writable_page))
            return -XEN_EINVAL;
        memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
        put_page_and_type(mfn);
        return 0;
    case MMUEXT_COPY_PAGE: {
        mfn_t src = op->arg2.src_mfn;
        if (!mfn_valid(src) || !get_page(mfn_to_page(src), pg_owner))
            return -XEN_EINVAL;
        if (!pg || get_page_and_type(mfn, pg_owner, PGT_writable_page)) {
            put_page(mfn_to_page(src));
            return -XEN_EINVAL;
        }
        memcpy(mfn_to_virt(mfn), mfn_to_virt(src), PAGE_SIZE);
        put_page_and_type(mfn);
        put_page(mfn_to_page(src));
        return 0;
    }
    case MMUEXT_MARK_SUPER: case MMUEXT_UNMARK_SUPER:
        return -XEN_EOPNOTSUPP;     /* superpages are gone from Xen's PV ABI */
    default:
        return -XEN_ENOSYS;
    }
}

static long mmuext_req(struct vcpu *v, struct domain *pg_owner, const void *op)
{
    return mmuext_one(v, pg_owner, op);
}

long do_mmuext_op(guest_va_t uops, uint32_t count, guest_va_t pdone, uint32_t foreigndom)
{
    return mmu_batch(__HYPERVISOR_mmuext_op, uops, count, pdone, foreigndom,
                     sizeof(struct mmuext_op), mmuext_req);
}

static __pv_fast_mm long update_va_mapping(struct domain *pg_owner, uint64_t va, uint64_t val, uint64_t flags)
{
    struct vcpu *v = current;
    mfn_t l1;
    unsigned int idx;
    int rc;

    if (!is_canonical(va) || in_hv_range(va)) {
        REFUSE_WHY("va %#lx is non-canonical or in the hypervisor's range", (unsigned long)va);
        return -XEN_EINVAL;
    }
    if ((rc = pv_find_l1(v->domain, v->arch.pv.kernel_l4, va, &l1, &idx))) {
        REFUSE_WHY("no L1 page table maps va %#lx (an L2/L3/L4 entry on the way is not present)",
                   (unsigned long)va);
        return rc;
    }
    if ((rc = pv_mod_entry(v->domain, pg_owner, l1, idx, val, false)))
        return rc;
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        flush_tlb_local();
        v->domain->ctr.tlb_flushes++;
        break;
    case UVMF_INVLPG:
        invlpg(va);
        break;
    }
    return 0;
}

/* As Xen's put_old_guest_table at its start: a teardown left partway is finished first. */
static long uvm_finish_pending(unsigned long nr, uint64_t va, uint64_t val, uint64_t flags, uint64_t domid)
{
    long c;

    pv_mm_preempt_reset();
    if (pv_mm_finish_pending(current, true) != -XEN_ERESTART)
        return 0;
    if ((c = hypercall_continue(nr, va, val, flags, domid)))
        return c;
    pv_mm_finish_pending(current, false);
    return 0;
}

__pv_fast_mm long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
    long c;

    if ((c = uvm_finish_pending(__HYPERVISOR_update_va_mapping, va, val, flags, 0)))
        return c;
    /* Flush type 3 is not an error in Xen: it flushes nothing. */
    return update_va_mapping(current->domain, va, val, flags);
}

long do_update_va_mapping_otherdomain(uint64_t va, uint64_t val, uint64_t flags, domid_t domid)
{
    struct domain *pg_owner;
    long rc = 0;

    if ((rc = uvm_finish_pending(__HYPERVISOR_update_va_mapping_otherdomain, va, val, flags, domid)))
        return rc;
    if (!(pg_owner = get_pg_owner(current->domain, domid, &rc)))
        return rc;
    return update_va_mapping(pg_owner, va, val, flags);
}
