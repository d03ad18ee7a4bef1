/*
 * The x86 side of the arch seam (arch_hooks.h): each hook dispatches on the
 * guest type to the PV code in pv/ or the HVM (SVM) code in svm/ and hvm/,
 * as Xen's arch/x86/domain.c does between pv/ and hvm/. An HVM vCPU is one
 * with v->arch.hvm (its VMCB); an HVM domain one with d->arch.hvm.
 */
#include "lib.h"
#include "arch_hooks.h"
#include "domain.h"
#include "mm.h"
#include "processor.h"
#include "fpu.h"
#include "pv/pv.h"
#include "hvm/hvm.h"
#include "svm/svm.h"

#define PV_DEFAULT_PERIOD_NS 10000000ULL   /* Xen: MILLISECS(10) */
#include <tandem/grant_table.h>
#include <tandem/memory.h>
#include <tandem/errno.h>

void arch_vcpu_initialise(struct vcpu *v)
{
    v->arch.dr[6] = 0xffff0ff0;      /* architectural reset values (Xen: X86_DR6/DR7_DEFAULT) */
    v->arch.dr[7] = 0x400;
    fpu_reset_image(v->arch.fpu_area);   /* FCW 0x37f, MXCSR 0x1f80 */
    v->arch.xcr0 = XSTATE_FP_SSE;        /* until the guest's xsetbv (Xen: xcr0 0 = x87|SSE) */
    pv_vcpu_reset(v);
    /* As Xen's pv_vcpu_initialise: a PV vCPU has a 100 Hz tick until it stops it (Linux does, early). */
    v->periodic_period = PV_DEFAULT_PERIOD_NS;
}

long arch_vcpu_op_initialise(struct vcpu *v, uint64_t arg)
{
    if (is_hvm_domain(v->domain))
        return -XEN_EOPNOTSUPP;     /* HVM vCPUs are not PV-initialised */
    return pv_vcpu_initialise(v, arg);
}

bool arch_vcpu_is_initialised(const struct vcpu *v)
{
    return v->arch.hvm ? true : pv_vcpu_is_initialised(v);
}

void arch_mm_preempt_reset(void)
{
    pv_mm_preempt_reset();
}

int arch_mm_finish_pending(struct vcpu *v, bool preemptible)
{
    return pv_mm_finish_pending(v, preemptible);
}

bool arch_mm_work_pending(const struct vcpu *v)
{
    return v->arch.pv.mm_pending != 0;
}

bool arch_vcpu_in_kernel(const struct vcpu *v)
{
    return v->arch.hvm ? svm_vcpu_cpl0(v) : pv_vcpu_in_kernel(v);
}

/* An HVM vCPU's state is its VMCB plus the GPRs in v->regs: only the FPU is the CPU's. */
void arch_ctxt_switch_from(struct vcpu *prev, bool save_state)
{
    if (save_state && !prev->arch.hvm)
        pv_save_vcpu_context(prev);
    arch_fpu_save(prev);
}

void arch_ctxt_switch_to(struct vcpu *next)
{
    arch_fpu_restore(next);     /* eager switch; never faults the hypervisor */
    if (next->arch.hvm)
        write_cr3(__pa(idle_pg_table));     /* the host side of VMRUN: no PV guest's tables */
    else
        pv_load_vcpu_context(next);
}

void arch_ctxt_switch_to_idle(void)
{
    write_cr3(__pa(idle_pg_table));
}

__pv_fast void arch_return_to_guest(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (v->arch.hvm)
        svm_enter(v, regs);     /* VMRUN, the exit handled, back through resume_guest */
    pv_deliver_events(regs);
}

bool arch_vcpu_raise_nmi(struct vcpu *v)
{
    if (v->arch.hvm)
        return false;           /* no virtual NMI for HVM vCPUs yet */
    return pv_raise_nmi(v);
}

void arch_domain_destroy(struct domain *d)
{
    hvm_ioreq_emulator_gone(d);     /* the ioreq servers d ran as a device model */
    hvm_ioreq_domain_destroy(d);    /* d's own (an HVM domain's) */
    hvm_domain_destroy(d);      /* nothing for a PV domain */
}

unsigned int arch_resource_max_frames(struct domain *d, unsigned int type, unsigned int id)
{
    (void)id;
    return type == XENMEM_resource_ioreq_server ? hvm_ioreq_resource_max_frames(d) : 0;
}

int arch_acquire_resource(struct domain *d, unsigned int type, unsigned int id, uint64_t frame,
                          unsigned int nr, uint64_t *mfns)
{
    if (type != XENMEM_resource_ioreq_server || !is_hvm_domain(d))
        return -XEN_EINVAL;
    return hvm_ioreq_resource_frames(d, id, frame, nr, mfns);
}

void arch_hypercall_continuation(struct cpu_user_regs *regs, unsigned long nr,
                                 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    pv_hypercall_continuation(regs, nr, a1, a2, a3, a4);
}

void arch_share_page_with_guest(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    pg->flags |= PGF_shared_info;
    pg->count = pg->type_count = 1;
    pg->type = PGT_writable_page;
}

int arch_gnttab_map_host(struct domain *d, struct domain *granter, uint64_t va, bool pte, mfn_t mfn,
                         bool readonly)
{
    return pv_gnttab_map_host(d, granter, va, pte, mfn, readonly);
}

int arch_gnttab_unmap_host(struct domain *d, uint64_t va, bool pte, mfn_t mfn)
{
    return pv_gnttab_unmap_host(d, va, pte, mfn);
}

int arch_gnttab_replace_host(struct domain *d, uint64_t va, mfn_t mfn, uint64_t new_va)
{
    return pv_gnttab_replace_host(d, va, mfn, new_va);
}

int arch_gnttab_cache_flush(mfn_t mfn, unsigned int off, unsigned int len, uint32_t op)
{
    char *p = (char *)mfn_to_virt(mfn) + off;

    if (!(op & GNTTAB_CACHE_CLEAN))
        return -XEN_EOPNOTSUPP;
    for (uint64_t a = (uint64_t)p & ~63UL; a < (uint64_t)p + len; a += 64)
        __asm__ __volatile__("clflush (%0)" :: "r"(a) : "memory");
    __asm__ __volatile__("mfence" ::: "memory");
    return 0;
}
