/* Domain and vCPU lifecycle: create, shut down, crash with a dump, destroy. */
#include "gdbstub.h"
#include "lib.h"
#include "domain.h"
#include "irq.h"
#include "grant_table.h"
#include "mm.h"
#include "sched.h"
#include "traps.h"
#include "console.h"
#include "evtchn.h"
#include "cpu.h"
#include "time.h"
#include "fault_inject.h"
#include "shutdown.h"
#include "arch_hooks.h"
#include "iommu.h"
#include "pci.h"
#include <tandem/sched.h>

/*
 * The domain list only grows (records stay until the final report), so
 * readers walk it without a lock (each link is published with a release
 * store after the record is complete); domlist_lock orders the writers.
 */
struct domain *domain_list;
static spinlock_t domlist_lock = SPIN_LOCK_UNLOCKED;

struct vcpu *current_vcpu(void)
{
    return this_cpu()->curr;
}

/*
 * A domain whose teardown has started (domain_destroy) is gone for every
 * lookup: nothing may bind to it, map, pin or release its frames while its
 * teardown runs in steps (its event channels are already closed).
 */
struct domain *get_domain_by_id(domid_t id)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->domain_id == id && d->state != DOM_DEAD && !d->rel.started)
            return d;
    return NULL;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = xzalloc(struct vcpu);

    if (!v)
        return NULL;
    v->domain = d;
    v->vcpu_id = id;
    v->pause_flags = VPF_down;
    v->vcpu_info = &d->shared_info->vcpu_info[id];
    v->vcpu_info_mfn = INVALID_MFN;
    arch_vcpu_initialise(v);
    d->vcpu[id] = v;
    sched_add_vcpu(v);
    return v;
}

/*
 * Steps (fail_step=create:N, fault_inject.h): 1 the record, 2 shared_info,
 * 3 the event-channel array, 4 + i vCPU i. One exit path on failure: it
 * releases exactly what the steps before took (docs/error-handling.md).
 */
struct domain *domain_create(domid_t id, const char *name, bool privileged,
                             uint64_t max_pages, unsigned int max_vcpus)
{
    struct domain *d = NULL, **tail;
    mfn_t si = INVALID_MFN;
    unsigned int nv = 0, step = 1;

    if (fault_inject("create", step, id) || !(d = xzalloc(struct domain)))
        goto fail;
    d->domain_id = id;
    strlcpy(d->name, name, sizeof(d->name));
    d->is_privileged = privileged;
    d->max_pages = max_pages;
    d->page_list = ~0UL;
    d->shutdown_reason = -1;
    d->max_vcpus = MIN(max_vcpus ? max_vcpus : 1, MAX_VCPUS);
    d->weight = 256;
    d->store_domid = DOMID_INVALID;
    d->dm_domid = DOMID_INVALID;
    d->build_pages = max_pages;

    /* shared_info is hypervisor memory the guest may map writable. */
    if (fault_inject("create", ++step, id) || (si = alloc_frames(0, id)) == INVALID_MFN)
        goto fail;
    /* The hypervisor writes this page for the domain's whole life: it stays
     * writable-typed, so it can never be validated as a page table. */
    arch_share_page_with_guest(si);
    d->shared_info_mfn = si;
    d->shared_info = mfn_to_virt(si);
    memset(d->shared_info, 0, PAGE_SIZE);
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    /* Wall clock at system time 0 (wc_version even: stable). */
    d->shared_info->wc_sec = (uint32_t)boot_wallclock;
    d->shared_info->wc_sec_hi = (uint32_t)(boot_wallclock >> 32);
    d->shared_info->wc_version = 2;

    if (fault_inject("create", ++step, id) || evtchn_domain_init(d))
        goto fail;
    if (gnttab_domain_init(d))
        goto fail;

    for (; nv < d->max_vcpus; nv++)
        if (fault_inject("create", ++step, id) || !vcpu_create(d, nv))
            goto fail;

    spin_lock(&domlist_lock);
    for (tail = &domain_list; *tail; tail = &(*tail)->next_in_list)
        ;
    __atomic_store_n(tail, d, __ATOMIC_RELEASE);
    spin_unlock(&domlist_lock);
    return d;

fail:
    printk(XENLOG_ERR "d%u: domain_create failed at step %u\n", id, step);
    while (nv--) {
        sched_remove_vcpu(d->vcpu[nv]);
        xfree(d->vcpu[nv]);
    }
    if (d)
        evtchn_domain_destroy(d);       /* nothing open yet: frees the array */
    if (d && d->grant_table) {
        xfree(d->grant_table->maptrack);
        xfree(d->grant_table);
    }
    if (si != INVALID_MFN)
        free_frames(si, 0);
    xfree(d);
    return NULL;
}

unsigned int domains_alive(void)
{
    unsigned int n = 0;

    for (struct domain *d = domain_list; d; d = d->next_in_list)
        n += d->state == DOM_RUNNING;
    return n;
}

/* Move d out of DOM_RUNNING under d->lock: of two CPUs stopping it, one does (true). */
static bool domain_leave_running(struct domain *d, enum domain_state to)
{
    bool ok;

    spin_lock(&d->lock);
    if ((ok = d->state == DOM_RUNNING))
        d->state = to;
    spin_unlock(&d->lock);
    return ok;
}

void domain_shutdown(struct domain *d, int reason)
{
    if (d->state != DOM_RUNNING)
        return;
    console_guest_flush(d);
    spin_lock(&d->lock);
    if (d->state != DOM_RUNNING) {
        spin_unlock(&d->lock);
        return;
    }
    d->state = DOM_SHUTDOWN;
    d->shutdown_reason = reason;
    spin_unlock(&d->lock);
    printk("Domain %u (%s) shut down: %s\n", d->domain_id, d->name, shutdown_reason_name(reason));
    gdbstub_domain_ended(d);            /* a debugger attached to it hears of the exit at once */
    evtchn_notify_dom_exc(d);
    raise_resched();
    /* As Xen's hardware domain: when the privileged domain 0 goes, the machine goes with it. */
    if (d->domain_id == 0 && d->is_privileged)
        for (struct domain *o = domain_list; o; o = o->next_in_list)
            if (o != d)
                domain_kill(o, "domain 0 shut down");
}

int domain_kill(struct domain *d, const char *why)
{
    if (d->state != DOM_RUNNING)
        return -1;
    console_guest_flush(d);
    if (!domain_leave_running(d, DOM_DYING))
        return -1;
    d->destroyed = true;
    strlcpy(d->crash_why, why, sizeof(d->crash_why));
    printk("Domain %u (%s) destroyed: %s\n", d->domain_id, d->name, why);
    evtchn_notify_dom_exc(d);
    raise_resched();
    return 0;
}

void domain_crash(struct domain *d, const char *why, const struct cpu_user_regs *regs)
{
    domain_crash_detail(d, why, regs, NULL);
}

void domain_crash_detail(struct domain *d, const char *why, const struct cpu_user_regs *regs,
                         const char *detail)
{
    if (d->state != DOM_RUNNING)
        return;
    strlcpy(d->crash_why, why, sizeof(d->crash_why));
    console_guest_flush(d);
    printk(XENLOG_ERR "Domain %u (%s) crashed: %s\n", d->domain_id, d->name, why);
    if (regs) {
        struct vcpu *v = current;
        printk(XENLOG_ERR "d%uv%u guest state (%s mode):\n", d->domain_id,
               v && v->domain == d ? v->vcpu_id : 0,
               v && v->domain == d && !arch_vcpu_in_kernel(v) ? "user" : "kernel");
        show_guest_registers(regs);
    }
    if (detail)
        printk(XENLOG_ERR "%s\n", detail);
    printk(XENLOG_ERR "d%u: %lu of %lu pages, %lu ms of CPU, %lu hypercalls; destroying it, other domains carry on\n",
           d->domain_id, (unsigned long)d->tot_pages, (unsigned long)d->max_pages,
           (unsigned long)(domain_cpu_time(d) / 1000000), (unsigned long)d->ctr.hypercalls);
    domain_shutdown(d, SHUTDOWN_crash);
}

/*
 * Called by the scheduler once no CPU runs the domain any more, again and
 * again until it returns true: each call does one bounded step (a big
 * page-table tree is torn down over many calls, other vCPUs running in
 * between); the domain stays stopped (not DOM_DEAD) until the last.
 */
bool domain_destroy(struct domain *d)
{
    bool done;

    /* One CPU does each step: of two CPUs reaping the same domain, one claims it. */
    spin_lock(&d->lock);
    if (d->state == DOM_DEAD || d->destroying) {
        done = d->state == DOM_DEAD;
        spin_unlock(&d->lock);
        return done;
    }
    d->destroying = true;
    spin_unlock(&d->lock);
    if (!d->rel.started) {
        d->rel.started = true;
        d->rel.pages = d->tot_pages;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i])
                sched_remove_vcpu(d->vcpu[i]);
        pci_release_domain(d);          /* its devices quiesced before its memory goes back */
        evtchn_domain_destroy(d);
        irq_release_domain(d);      /* its pirq ports closed just now: unmap them */
        gnttab_domain_destroy(d);
    }
    if (domain_relinquish_memory(d)) {
        __atomic_store_n(&d->destroying, false, __ATOMIC_RELEASE);    /* the next step may run anywhere */
        return false;
    }
    gnttab_release_mappings(d);     /* its grant PTEs went with its page tables */
    iommu_domain_destroy(d);        /* its devices are gone (pci_release_domain): the DMA tables go */
    arch_domain_destroy(d);
    d->shared_info = NULL;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        xfree(d->vcpu[i]);
        d->vcpu[i] = NULL;
    }
    d->state = DOM_DEAD;
    printk(XENLOG_DEBUG "Domain %u destroyed, %lu pages returned (%lu free)\n",
           d->domain_id, (unsigned long)d->rel.pages, (unsigned long)free_frame_count());
    evtchn_notify_dom_exc(d);   /* as Xen: once more when its resources are gone */
    return true;
}

uint64_t domain_cpu_time(const struct domain *d)
{
    uint64_t ns = 0;

    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            ns += d->vcpu[i]->cpu_time_ns;
    return ns;
}

static uint64_t frame_baseline;

void domain_set_frame_baseline(uint64_t frames)
{
    frame_baseline = frames;
}

void domain_frame_baseline_take(uint64_t frames)
{
    frame_baseline -= frames;
}

bool domain_frames_report(void)
{
    uint64_t free = free_frame_count(), records = 0, lost;
    unsigned int n = 0;

    /* Each domain's record (struct domain, its grant_table) stays for this report: a heap block each. */
    for (struct domain *d = domain_list; d; d = d->next_in_list, n++)
        records += (1UL << frame_table[__pa(d) >> PAGE_SHIFT].order) +
                   (d->grant_table ? 1UL << frame_table[__pa(d->grant_table) >> PAGE_SHIFT].order : 0);
    lost = frame_baseline > free + records ? frame_baseline - free - records : 0;
    if (!lost)
        printk("Frames: %lu free + %lu in the %u domain records kept for this report = %lu, "
               "%lu free with no domain: every domain frame returned\n",
               (unsigned long)free, (unsigned long)records, n, (unsigned long)(free + records),
               (unsigned long)frame_baseline);
    else
        printk(XENLOG_ERR "Frames: %lu free + %lu in the %u domain records kept for this report = %lu, "
               "%lu free with no domain: %lu frames NOT returned\n",
               (unsigned long)free, (unsigned long)records, n, (unsigned long)(free + records),
               (unsigned long)frame_baseline, (unsigned long)lost);
    return lost == 0;
}

void domain_pause(struct domain *d)
{
    d->paused = true;
    raise_resched();
}

void domain_unpause(struct domain *d)
{
    d->paused = false;
    d->store_waiting = false;       /* its store domain (or another privileged one) let it run */
    raise_resched();
}
