/* Multicall: a batch of hypercalls in one, dispatched through the common table. */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "guest_access.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

/*
 * Xen's do_multicall, preemptible both between entries and inside one: an
 * entry whose call asks for a continuation (hypercall_continue) has its
 * updated arguments, and the call's return value as result, written back
 * whole to the guest's entry, and the multicall continues at that entry.
 */
long do_multicall(guest_va_t list, uint32_t nr)
{
    struct vcpu *v = current;
    struct multicall_entry e;
    uint32_t n = (uint32_t)nr;  /* Xen: uint32_t nr_calls; no upper limit */

    for (uint32_t i = 0; i < n; i++) {
        uint64_t va = list + (uint64_t)i * sizeof(e);
        if (i && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_multicall, va, n - i, 0, 0);
        if (copy_from_guest(&e, va, sizeof(e)))
            return -XEN_EFAULT;
        if (e.op == __HYPERVISOR_multicall) {
            e.result = -XEN_EINVAL;         /* no nesting */
        } else {
            v->mc_call = &e;
            v->hcall_preempted = false;
            e.result = hypercall_dispatch(e.op, e.args[0], e.args[1], e.args[2], e.args[3], e.args[4]);
            v->mc_call = NULL;
        }
        if (v->hcall_preempted) {
            v->hcall_preempted = false;
            if (copy_to_guest(va, &e, sizeof(e)))
                return -XEN_EFAULT;
            return hypercall_continue(__HYPERVISOR_multicall, va, n - i, 0, 0);
        }
        if (copy_to_guest(va + offsetof(struct multicall_entry, result), &e.result, sizeof(e.result)))
            return -XEN_EFAULT;
        /* iret (which rewrote the frame) or a vCPU that stopped running ends the batch. */
        if (e.op == __HYPERVISOR_iret || v->domain->state != DOM_RUNNING || (v->pause_flags & VPF_blocked))
            break;
    }
    return 0;
}
