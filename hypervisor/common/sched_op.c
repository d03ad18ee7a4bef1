/* console_io, sched_op and set_timer_op: the calls every PV guest makes first. */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "sched.h"
#include "console.h"
#include "evtchn.h"
#include "guest_access.h"
#include "time.h"
#include "shutdown.h"
#include <tandem/sched.h>
#include <tandem/xen.h>
#include <tandem/errno.h>

#define CONSOLEIO_MAX  (64 * 1024)   /* one call's write limit, as a sanity bound */

long do_console_io(uint64_t cmd, uint64_t count, guest_va_t buf)
{
    struct domain *d = current->domain;
    char chunk[128];

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > CONSOLEIO_MAX)
            return -XEN_EINVAL;
        for (uint64_t done = 0; done < count; ) {
            size_t n = MIN(count - done, sizeof(chunk));
            /* As Xen's guest_console_write: continue with the rest when preempted. */
            if (done && hypercall_preempt_check())
                return hypercall_continue(__HYPERVISOR_console_io, CONSOLEIO_write, count - done,
                                          buf + done, 0);
            if (copy_from_guest(chunk, buf + done, n))
                return -XEN_EFAULT;
            console_guest_write(d, CONSOLE_SRC_IO, chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read: {
        size_t n;
        if (count > INT32_MAX)
            return -XEN_EINVAL;
        if (d != console_input_domain())
            return 0;
        n = console_read_input(chunk, MIN(count, sizeof(chunk)));
        if (n && copy_to_guest(buf, chunk, n))
            return -XEN_EFAULT;
        return n;
    }
    default:
        return -XEN_ENOSYS;
    }
}

static long sched_poll(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    struct sched_poll p;
    uint32_t port;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -XEN_EFAULT;
    /* As Xen 4.19's do_poll: at most 128 ports; an event ready for delivery returns at once. */
    if (p.nr_ports > 128)
        return -XEN_EINVAL;
    if (local_events_need_delivery(v))
        return 0;
    memset(v->poll_mask, 0, sizeof(v->poll_mask));
    v->poll_high = false;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        if (copy_from_guest(&port, p.ports + 4ULL * i, sizeof(port)))
            return -XEN_EFAULT;
        if (port >= evtchn_max_ports(d)) /* as Xen's do_poll; port 0 is reserved but valid */
            return -XEN_EINVAL;
        if (evtchn_port_pending(d, port))
            return 0;               /* already pending: no sleep */
        if (port < NR_EVTCHN_PORTS)
            v->poll_mask[port / 64] |= 1ULL << (port % 64);
        else
            v->poll_high = true;    /* FIFO: any port beyond the bitmap wakes it (the guest re-checks) */
    }
    if (p.timeout && p.timeout <= now_ns())
        return 0;
    v->polling = true;
    v->poll_deadline = p.timeout;
    vcpu_block(v);
    return 0;
}

/*
 * SCHEDOP_remote_shutdown, as Xen's: a privileged caller shuts another
 * domain (or itself) down with a SHUTDOWN_* reason, as if that domain had
 * called SCHEDOP_shutdown. -EFAULT arg unreadable; -ESRCH no such domain
 * (checked first, as Xen's rcu_lock_domain_by_id before its XSM check;
 * DOMID_SELF is not an id here); -EPERM caller not privileged; -EINVAL
 * reason > SHUTDOWN_MAX (pad is not looked at, as Xen). A domain already shut down or dying
 * is left as it is (0).
 */
static long remote_shutdown(struct domain *self, guest_va_t arg)
{
    struct sched_remote_shutdown rs;
    struct domain *d;

    if (copy_from_guest(&rs, arg, sizeof(rs)))
        return -XEN_EFAULT;
    if (!(d = get_domain_by_id(rs.domain_id)))
        return -XEN_ESRCH;
    if (!self->is_privileged)
        return -XEN_EPERM;
    if (rs.reason > SHUTDOWN_MAX)
        return -XEN_EINVAL;
    if (rs.reason == SHUTDOWN_crash && d->state == DOM_RUNNING)
        snprintf(d->crash_why, sizeof(d->crash_why), "d%u reported a crash for it (SCHEDOP_remote_shutdown)",
                 self->domain_id);
    printk("d%u: SCHEDOP_remote_shutdown of d%u (%s)\n", self->domain_id, d->domain_id,
           shutdown_reason_name((int)rs.reason));
    domain_shutdown(d, (int)rs.reason);
    return 0;
}

long do_sched_op(uint64_t cmd, guest_va_t arg)
{
    struct vcpu *v = current;
    struct sched_shutdown sd;

    switch (cmd) {
    case SCHEDOP_yield:
        raise_resched();
        return 0;
    case SCHEDOP_block:
        /* Enable events, block, and re-check: an event already pending wakes at once. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!local_events_need_delivery(v))
            vcpu_block(v);
        return 0;
    case SCHEDOP_poll:
        return sched_poll(v, arg);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&sd, arg, sizeof(sd))) {
            v->domain->shutdown_refused++;      /* shown by the hang report ('w') */
            v->domain->shutdown_refused_arg = arg;
            return -XEN_EFAULT;
        }
        sd.reason = (uint8_t)sd.reason;     /* as Xen: any u8 code, not validated */
        if (sd.reason == SHUTDOWN_crash)
            strlcpy(v->domain->crash_why, "guest reported a crash (SCHEDOP_shutdown)",
                    sizeof(v->domain->crash_why));
        domain_shutdown(v->domain, sd.reason);
        return 0;
    case SCHEDOP_remote_shutdown:
        return remote_shutdown(v->domain, arg);
    case SCHEDOP_shutdown_code:
        return copy_from_guest(&sd, arg, sizeof(sd)) ? -XEN_EFAULT : 0;
    default:
        return -XEN_ENOSYS;
    }
}

long do_set_timer_op(uint64_t timeout)
{
    struct vcpu *v = current;

    /* 0 cancels; a deadline in the past fires at once (Xen's behaviour). */
    v->singleshot_deadline = timeout ? MAX(timeout, now_ns()) : 0;
    sched_recompute_timer();
    return 0;
}
