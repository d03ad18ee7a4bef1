/* vcpu_op: vCPU state, timers, runstate and vcpu_info placement (Xen's VCPUOP_*). */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "sched.h"
#include "mm.h"
#include "time.h"
#include "processor.h"
#include "guest_access.h"
#include "arch_hooks.h"
#include <tandem/vcpu.h>
#include <tandem/sched.h>
#include <tandem/errno.h>

#define MIN_PERIOD_NS 1000000ULL    /* Xen refuses periodic timers under 1 ms */

static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct domain *d = v->domain;
    struct vcpu_info *nv;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -XEN_EFAULT;
    /* rsvd is ignored: Linux leaves it uninitialised. Checks in Xen's order. */
    if (r.offset >= PAGE_SIZE)
        return -XEN_EINVAL;
    if (v->vcpu_info_mfn != INVALID_MFN)
        return -XEN_EBUSY;      /* once per vCPU */
    if (r.offset > PAGE_SIZE - sizeof(struct vcpu_info) || (r.offset & 7))
        return -XEN_ENXIO;      /* must fit in the page, 8-byte aligned */
    if (!mfn_valid(r.mfn) || !(mfn_to_page(r.mfn)->flags & PGF_allocated) ||
        mfn_to_page(r.mfn)->owner != d->domain_id)
        return -XEN_EINVAL;
    /*
     * The hypervisor writes this page from now on: hold a writable type
     * reference, so it can neither become a page table nor be given back
     * (decrease_reservation) while in use.
     */
    if (get_page_and_type(r.mfn, d, PGT_writable_page))
        return -XEN_EACCES;
    nv = (struct vcpu_info *)((char *)mfn_to_virt(r.mfn) + r.offset);
    *nv = *v->vcpu_info;
    /* As Xen: make the guest look at everything once at the new place. */
    nv->evtchn_pending_sel = ~0UL;
    nv->evtchn_upcall_pending = 1;
    v->vcpu_info = nv;
    v->vcpu_info_mfn = r.mfn;
    return 0;
}

/* Writes v's runstate to its registered area (v's page tables must be loaded). */
void vcpu_write_runstate(struct vcpu *v)
{
    struct vcpu_runstate_info ri;

    memset(&ri, 0, sizeof(ri));
    ri.state = v->runstate;
    ri.state_entry_time = v->runstate_entry_time;
    for (int i = 0; i < 4; i++)
        ri.time[i] = v->runstate_time[i];
    /*
     * The area is the guest's: a bad address only loses the update. With
     * VMASST_TYPE_runstate_update_flag, as Xen's update_runstate_area:
     * XEN_RUNSTATE_UPDATE is set in state_entry_time before the rest is
     * written and cleared after, so a reader on another vCPU can retry.
     */
    if (v->domain->vm_assist & (1UL << VMASST_TYPE_runstate_update_flag)) {
        guest_va_t t = v->runstate_guest + offsetof(struct vcpu_runstate_info, state_entry_time);
        uint64_t flagged = ri.state_entry_time | XEN_RUNSTATE_UPDATE;

        (void)copy_to_guest(t, &flagged, sizeof(flagged));
        __atomic_thread_fence(__ATOMIC_RELEASE);
        ri.state_entry_time = flagged;
        (void)copy_to_guest(v->runstate_guest, &ri, sizeof(ri));
        __atomic_thread_fence(__ATOMIC_RELEASE);
        ri.state_entry_time &= ~XEN_RUNSTATE_UPDATE;
        (void)copy_to_guest(t, &ri.state_entry_time, sizeof(ri.state_entry_time));
        return;
    }
    (void)copy_to_guest(v->runstate_guest, &ri, sizeof(ri));
}

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, guest_va_t arg)
{
    struct domain *d = current->domain;
    struct vcpu *v;

    if (vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]))
        return -XEN_ENOENT;
    switch (cmd) {
    case VCPUOP_initialise:
        return arch_vcpu_op_initialise(v, arg);
    case VCPUOP_is_up:
        return !(v->pause_flags & VPF_down);
    case VCPUOP_up:
        if (!arch_vcpu_is_initialised(v))
            return -XEN_EINVAL;     /* never initialised */
        vcpu_pause_flag(v, VPF_down, false);
        return 0;
    case VCPUOP_down: {
        bool others_up = false;
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            others_up |= d->vcpu[i] && d->vcpu[i] != v && !(d->vcpu[i]->pause_flags & VPF_down);
        vcpu_pause_flag(v, VPF_down, true);
        /* As Xen: a domain whose last vCPU goes down has powered itself off. */
        if (!others_up)
            domain_shutdown(d, SHUTDOWN_poweroff);
        return 0;
    }
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info ri;
        memset(&ri, 0, sizeof(ri));
        ri.state = v->runstate;
        ri.state_entry_time = v->runstate_entry_time;
        for (int i = 0; i < 4; i++)
            ri.time[i] = v->runstate_time[i];
        ri.time[v->runstate] += now_ns() - v->runstate_entry_time;
        return copy_to_guest(arg, &ri, sizeof(ri)) ? -XEN_EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area r;
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -XEN_EFAULT;
        if (r.addr.v && !guest_range_ok(r.addr.v, sizeof(struct vcpu_runstate_info)))
            return -XEN_EFAULT;     /* Xen: guest_handle_okay() failing leaves rc = -EFAULT */
        v->runstate_guest = r.addr.v;   /* re-registering is allowed (Linux does) */
        if (v == current && r.addr.v)
            vcpu_write_runstate(v);     /* as Xen: the area is valid at once */
        return 0;
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -XEN_EFAULT;
        if (t.period_ns < MIN_PERIOD_NS || t.period_ns > (~0ULL >> 2))   /* Xen: STIME_DELTA_MAX */
            return -XEN_EINVAL;
        sched_set_periodic_timer(v, t.period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        sched_set_periodic_timer(v, 0);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;
        if (v != current)
            return -XEN_EINVAL;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -XEN_EFAULT;
        /* VCPU_SSHOTTMR_future is ignored since Xen 4.18 (19c6cbd90965): a past deadline fires now. */
        v->singleshot_deadline = MAX(t.timeout_abs_ns, 1);
        sched_recompute_timer();
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -XEN_EINVAL;
        v->singleshot_deadline = 0;
        return 0;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_send_nmi:
        /* As Xen: no argument; a second NMI before the first is taken is the same NMI. */
        if (arg)
            return -XEN_EINVAL;
        if (arch_vcpu_raise_nmi(v))
            vcpu_wake(v);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* pvclock: seqlock-style update of the vCPU's time record (version odd while writing). */
void update_vcpu_system_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    uint64_t tsc = rdtsc();

    t->version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = tsc_to_ns(tsc - boot_tsc);
    t->tsc_to_system_mul = tsc_to_system_mul;
    t->tsc_shift = tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;
}
