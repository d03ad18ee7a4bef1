/*
 * The arch seam: the only way hypervisor/common/ reaches architecture or
 * guest-type (PV) code, as Xen's arch_* hooks (xen/include/xen/domain.h,
 * asm/domain.h). Implemented in hypervisor/arch/x86/domain.c, which
 * dispatches on the guest type (only PV exists; an HVM type would add its
 * own cases there, never in common code). `make test` checks that no file
 * under hypervisor/common/ includes a PV or arch-internal header or calls a
 * pv_* function (tests/layout/check).
 *
 * Locking: the scheduler runs with interrupts off and holds no lock across
 * the context-switch hooks; the hypercall hooks run on the current vCPU
 * with interrupts off (the hypervisor is not preemptible). No hook takes a
 * run-queue lock.
 */
#ifndef TANDEM_ARCH_HOOKS_H
#define TANDEM_ARCH_HOOKS_H

#include "types.h"
#include "regs.h"

struct vcpu;
struct domain;

/*
 * A new vCPU's architectural reset state (v is zeroed, v->domain set, not
 * yet on a run queue): debug registers at their reset values, a clean FPU
 * image, guest kernel mode. Cannot fail. (Xen's arch_vcpu_create.)
 */
void arch_vcpu_initialise(struct vcpu *v);

/*
 * VCPUOP_initialise: v's first register state from the guest's context
 * at `arg` (a guest address). v belongs to the current domain. Checks
 * everything before changing anything. Returns 0 or a -XEN_* error
 * (-XEN_EEXIST if v was initialised before). (Xen's arch_set_info_guest.)
 */
long arch_vcpu_op_initialise(struct vcpu *v, uint64_t arg);

/*
 * The last step of a domain's teardown, once its memory has been given back
 * and before its vCPUs are freed: the arch state beyond its frames (an HVM
 * domain's VMCBs and nested page tables; its exit counts are printed).
 */
void arch_domain_destroy(struct domain *d);

/* True once v has a register state it can run with (built, or VCPUOP_initialise'd). */
bool arch_vcpu_is_initialised(const struct vcpu *v);

/*
 * Page-table work a reservation call must not do in one go (common/memory.c):
 * arch_mm_preempt_reset() starts a new work budget for this call;
 * arch_mm_finish_pending(v, preemptible) finishes a teardown v left partway,
 * returning -XEN_ERESTART when the budget ran out first (continue the call);
 * arch_mm_work_pending(v) says whether a teardown is still owed.
 */
void arch_mm_preempt_reset(void);
int arch_mm_finish_pending(struct vcpu *v, bool preemptible);
bool arch_mm_work_pending(const struct vcpu *v);

/* True if v runs in its guest kernel's privilege mode (for crash dumps and the 'q' key). */
bool arch_vcpu_in_kernel(const struct vcpu *v);

/*
 * Context switch, in this order (common/sched.c's context_switch):
 *  - prev's general registers have been copied from the guest frame to
 *    prev->regs if its domain still runs (save_state is then true);
 *  - arch_ctxt_switch_from(prev, save_state): save the rest of prev's
 *    state the CPU holds (segment bases and selectors only if save_state,
 *    the FPU always, as its registers are about to be overwritten);
 *  - next's registers are copied into the guest frame;
 *  - arch_ctxt_switch_to(next): load next's address space, descriptor
 *    tables, segments, debug registers and FPU. Never faults the
 *    hypervisor: state the CPU refuses crashes next's domain instead.
 * With no vCPU to run, arch_ctxt_switch_to_idle() loads the idle page
 * tables, so a dead domain's tables can be freed.
 */
void arch_ctxt_switch_from(struct vcpu *prev, bool save_state);
void arch_ctxt_switch_to(struct vcpu *next);
void arch_ctxt_switch_to_idle(void);

/*
 * The last step on every way back to the guest, interrupts off, for the
 * current vCPU whose frame is `regs`: deliver pending events (the PV
 * upcall bounce). May crash the domain (a frame it cannot write); the
 * caller checks vcpu_runnable() afterwards.
 */
void arch_return_to_guest(struct cpu_user_regs *regs);

/*
 * VCPUOP_send_nmi: make a virtual NMI pending for v (any vCPU of the
 * caller's domain, from any vCPU), delivered by arch_return_to_guest the
 * next time v enters its guest. True if none was pending (then wake v).
 */
bool arch_vcpu_raise_nmi(struct vcpu *v);

/*
 * Hypercall continuation outside a multicall (Xen's
 * hypercall_create_continuation, arch part): make the guest re-enter
 * hypercall nr with these arguments when it next runs. `regs` is the
 * current vCPU's guest frame, inside a hypercall made from that vCPU's
 * hypercall entry. Cannot fail.
 */
void arch_hypercall_continuation(struct cpu_user_regs *regs, unsigned long nr,
                                 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

/*
 * Type frame mfn (allocated for its domain, which may map it: shared_info)
 * as a page the hypervisor writes for the domain's whole life: a writable
 * type reference is held, so it can never be validated as a page table,
 * and domain_relinquish_memory frees it. Xen's share_xen_page_with_guest.
 */
void arch_share_page_with_guest(mfn_t mfn);

/*
 * XENMEM_acquire_resource (common/memory.c) for a resource of domain d
 * (not the caller's own): how many frames resource (type, id) has (0: d
 * has none of that type, e.g. no ioreq servers for a PV domain), and the
 * machine frames [frame, frame + nr) of it, checked against that count
 * already, into mfns. Returns 0 or -XEN_ENOENT (no such id, or a frame
 * that does not exist), -XEN_EPERM (the caller may not have it: an ioreq
 * server another domain runs). The frames stay d's: the caller maps them
 * as foreign frames of d.
 */
unsigned int arch_resource_max_frames(struct domain *d, unsigned int type, unsigned int id);
int arch_acquire_resource(struct domain *d, unsigned int type, unsigned int id, uint64_t frame,
                          unsigned int nr, uint64_t *mfns);

/* A byte typed on the debug-key port (x86: COM2), -1 if none or no such port. Timer tick only. */
int arch_debugport_getc(void);

/*
 * Grant host mappings (common/gnttab.c, GNTMAP_host_map), for d, the
 * current vCPU's domain. arch_gnttab_map_host writes at va of the current
 * address space (with pte: into the L1 entry whose machine address is va,
 * GNTMAP_contains_pte, in an L1 table of d's) an entry mapping mfn (owned
 * by granter), read-only if asked,
 * through the checked page-table update: it takes the references any L1
 * entry holds (granter's frame; a writable type reference unless readonly,
 * so a page table or descriptor page is refused). Returns GNTST_okay,
 * GNTST_bad_virt_addr (va not in a validated L1 of d's), or
 * GNTST_general_error (the frame cannot be referenced as asked; with pte,
 * also an address that is not an 8-byte entry of a validated L1 of d's).
 * arch_gnttab_unmap_host clears the entry at va (or, with pte, the entry
 * at machine address va) if it still maps mfn and
 * flushes the TLB before returning: GNTST_okay, or GNTST_general_error when
 * the entry maps something else now (the guest changed it; nothing done).
 */
int arch_gnttab_map_host(struct domain *d, struct domain *granter, uint64_t va, bool pte, mfn_t mfn,
                         bool readonly);
int arch_gnttab_unmap_host(struct domain *d, uint64_t va, bool pte, mfn_t mfn);
/*
 * unmap_and_replace: the entry at va (by VA, never contains_pte) still
 * mapping mfn takes the present L1 entry at new_va (page-aligned, in a
 * validated L1 of d's, not va) with its references, new_va's entry is
 * cleared, both flushed; new_va 0: as arch_gnttab_unmap_host. GNTST_okay
 * or GNTST_general_error (nothing changed).
 */
int arch_gnttab_replace_host(struct domain *d, uint64_t va, mfn_t mfn, uint64_t new_va);
/*
 * GNTTABOP_cache_flush on x86 (Xen's flushtlb.h): clean (GNTTAB_CACHE_CLEAN,
 * alone or with INVAL) writes back and evicts the lines of [off, off+len)
 * of mfn: 0; invalidate alone is -XEN_EOPNOTSUPP (x86 cannot drop dirty
 * lines without writing them back).
 */
int arch_gnttab_cache_flush(mfn_t mfn, unsigned int off, unsigned int len, uint32_t op);

#endif
