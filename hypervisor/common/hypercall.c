/* Hypercall dispatch through the tables generated from hypercalls.def; -ENOSYS for everything else. */
#include "lib.h"
#include "trace.h"
#include "hypercall.h"
#include "domain.h"
#include "cpu.h"
#include "processor.h"
#include "evtchn.h"
#include "time.h"
#include "arch_hooks.h"
#include "refuse.h"
#include <tandem/errno.h>
#include <tandem/xen.h>

/*
 * The thunks, the table per guest type and the names, generated from
 * hypercalls.def. Each thunk calls do_<name> through its generated
 * prototype: a listed call without a handler does not link, a handler whose
 * signature differs from the list does not compile.
 */
#include "generated/hypercall_tables.h"

long hypercall_continue(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct vcpu *v = current;
    struct cpu_user_regs *regs = guest_cpu_regs();

    if (v->mc_call) {
        /* Inside a multicall: the entry itself becomes the continuation (Xen's mcs->call). */
        v->mc_call->args[0] = a1;
        v->mc_call->args[1] = a2;
        v->mc_call->args[2] = a3;
        v->mc_call->args[3] = a4;
        v->hcall_preempted = true;
        return nr;
    }
    arch_hypercall_continuation(regs, nr, a1, a2, a3, a4);
    return nr;
}

/*
 * Xen's hypercall_preempt_check. The hypervisor runs with interrupts off,
 * so "an interrupt is pending" is read as: the one-shot timer's deadline
 * (slice end, accounting period, the earliest guest timer) has passed.
 */
bool hypercall_preempt_check(void)
{
    struct percpu *pc = this_cpu();

    return pc->need_resched || now_ns() >= pc->timer_deadline ||
           (pc->curr && local_events_need_delivery(pc->curr));
}

const char *hypercall_name(unsigned long nr)
{
    return nr < NR_HYPERCALLS && hypercall_names[nr] ? hypercall_names[nr] : "unknown";
}

__pv_fast long hypercall_dispatch(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;
    /* Every guest is pv64 today; an hvm64 domain will pick hypercall_table_hvm64. */
    hypercall_fn_t *const *table = hypercall_table_pv64;

    d->ctr.hypercalls++;
    if (nr >= NR_HYPERCALLS || !table[nr]) {
        if (__builtin_expect(refuse_log_on, 0)) {
            refuse_begin();
            REFUSE_WHY("no hypercall %lu (hypercalls.def lists those there are)", nr);
            refuse_report(d, nr, a1, a2, a3, -XEN_ENOSYS);
        }
        return -XEN_ENOSYS;
    }
    d->ctr.hypercall_by_nr[nr]++;
    TRACE(HYPERCALL, HC_ENTER, nr, a1, a2, a3);
    refuse_begin();
#ifdef TANDEM_DEBUG
    {
        /* make DEBUG=1: ticks per hypercall (a multicall's include its entries'). */
        uint64_t t0 = rdtsc();
        long ret = table[nr](a1, a2, a3, a4, a5);
        d->ctr.hypercall_tsc[nr] += rdtsc() - t0;
        TRACE(HYPERCALL, HC_EXIT, nr, (uint64_t)ret, 0, 0);
        refuse_report(d, nr, a1, a2, a3, ret);
        return ret;
    }
#else
    {
        long ret = table[nr](a1, a2, a3, a4, a5);
        TRACE(HYPERCALL, HC_EXIT, nr, (uint64_t)ret, 0, 0);
        if (__builtin_expect(refuse_log_on, 0))
            refuse_report(d, nr, a1, a2, a3, ret);
        return ret;
    }
#endif
}
