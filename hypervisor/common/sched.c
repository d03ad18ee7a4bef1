/*
 * The scheduler. vCPUs are the unit; each CPU has a run queue (one CPU is
 * brought up today; the queue and lock are per CPU so more can follow).
 * Credit-style: each vCPU earns credit in proportion to its domain's weight
 * every accounting period and spends it while running; the runnable vCPU
 * with the most credit runs next, a vCPU at its cap waits for the next
 * period. Blocked vCPUs cost nothing. With nothing runnable the CPU halts.
 *
 * Context switch model: the running vCPU's registers live in the guest frame
 * at the top of the CPU's stack; switching copies them out to vcpu->regs
 * and the next vCPU's in.
 */
#include "lib.h"
#include "sched.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "processor.h"
#include "shutdown.h"
#include "evtchn.h"
#include "console.h"
#include "traps.h"
#include "guest_access.h"
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>

#define SLICE_NS        (10ULL * 1000000)     /* 10 ms */
#define PERIOD_NS       (30ULL * 1000000)     /* credit accounting period */

static struct vcpu *all_vcpus[MAX_DOMAINS * 2];
static unsigned int nr_all;
static spinlock_t sched_lock = SPIN_LOCK_UNLOCKED;
static uint64_t next_period;

void sched_init(void)
{
    next_period = now_ns() + PERIOD_NS;
}

void sched_add_vcpu(struct vcpu *v)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);

    BUG_ON(nr_all >= ARRAY_SIZE(all_vcpus));
    all_vcpus[nr_all++] = v;
    v->runstate = RUNSTATE_offline;
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);

    for (unsigned int i = 0; i < nr_all; i++)
        if (all_vcpus[i] == v) {
            all_vcpus[i] = all_vcpus[--nr_all];
            break;
        }
    for (unsigned int c = 0; c < NR_CPUS; c++)
        if (percpu_data[c].curr == v)
            percpu_data[c].curr = NULL;
    spin_unlock_irqrestore(&sched_lock, f);
}

bool vcpu_runnable(const struct vcpu *v)
{
    return !v->pause_flags && v->domain->state == DOM_RUNNING && !v->domain->paused;
}

void raise_resched(void)
{
    this_cpu()->need_resched = true;
}

void vcpu_pause_flag(struct vcpu *v, unsigned int flag, bool set)
{
    if (set)
        v->pause_flags |= flag;
    else
        v->pause_flags &= ~flag;
    raise_resched();
}

void vcpu_wake(struct vcpu *v)
{
    if (v->pause_flags & VPF_blocked) {
        v->pause_flags &= ~VPF_blocked;
        v->polling = false;
        v->poll_deadline = 0;
        raise_resched();
    }
}

void vcpu_block(struct vcpu *v)
{
    v->pause_flags |= VPF_blocked;
    raise_resched();
}

static void update_runstate(struct vcpu *v, int state, uint64_t now)
{
    if (v->runstate >= 0 && v->runstate < 4)
        v->runstate_time[v->runstate] += now - v->runstate_entry_time;
    v->runstate = state;
    v->runstate_entry_time = now;
}

static void account(struct vcpu *v, uint64_t now)
{
    uint64_t ran = now - v->run_start;

    v->cpu_time_ns += ran;
    v->credit -= (int64_t)ran;
    v->run_start = now;
}

static void refill_credits(uint64_t now)
{
    uint64_t total_weight = 0;

    if (now < next_period)
        return;
    next_period = now + PERIOD_NS;
    for (unsigned int i = 0; i < nr_all; i++)
        if (vcpu_runnable(all_vcpus[i]) || all_vcpus[i]->is_running)
            total_weight += all_vcpus[i]->domain->weight;
    if (!total_weight)
        return;
    for (unsigned int i = 0; i < nr_all; i++) {
        struct vcpu *v = all_vcpus[i];
        int64_t share = (int64_t)(PERIOD_NS * v->domain->weight / total_weight);
        v->credit += share;
        if (v->credit > share)          /* no hoarding beyond one period */
            v->credit = share;
        if (v->credit < -(int64_t)PERIOD_NS)
            v->credit = -(int64_t)PERIOD_NS;
    }
}

static bool over_cap(const struct vcpu *v)
{
    /* cap = percent of one CPU per period; 0 = no cap */
    return v->domain->cap && v->credit < (int64_t)(PERIOD_NS * (100 - v->domain->cap) / 100) - (int64_t)PERIOD_NS;
}

static struct vcpu *pick_next(struct vcpu *prev)
{
    struct vcpu *best = NULL;
    unsigned int start = 0;

    /* Round-robin among equals: begin the scan just after prev. */
    for (unsigned int i = 0; i < nr_all; i++)
        if (all_vcpus[i] == prev)
            start = i + 1;
    for (unsigned int k = 0; k < nr_all; k++) {
        struct vcpu *v = all_vcpus[(start + k) % nr_all];
        if (!vcpu_runnable(v) || over_cap(v))
            continue;
        if (!best || v->credit > best->credit)
            best = v;
    }
    return best;
}

/* Eager FPU switch; CR0.TS is cleared first so the hypervisor never takes #NM. */
static void fpu_save(struct vcpu *v)
{
    __asm__ __volatile__("clts; fxsave64 %0" : "=m"(v->fpu_area));
}
static void fpu_restore(struct vcpu *v)
{
    __asm__ __volatile__("clts; fxrstor64 %0" :: "m"(v->fpu_area));
}

void pv_load_vcpu_context(struct vcpu *v);
void pv_save_vcpu_context(struct vcpu *v);
void update_vcpu_system_time(struct vcpu *v);

static void context_switch(struct percpu *pc, struct vcpu *prev, struct vcpu *next, uint64_t now)
{
    struct cpu_user_regs *frame = guest_cpu_regs();

    if (prev) {
        if (prev->domain->state == DOM_RUNNING) {
            prev->regs = *frame;
            pv_save_vcpu_context(prev);
        }
        fpu_save(prev);
        prev->is_running = false;
        account(prev, now);
        update_runstate(prev, vcpu_runnable(prev) ? RUNSTATE_runnable :
                        (prev->pause_flags & VPF_down) ? RUNSTATE_offline : RUNSTATE_blocked, now);
    }
    pc->curr = next;
    if (!next) {
        write_cr3(__pa(idle_pg_table));
        return;
    }
    *frame = next->regs;
    next->is_running = true;
    next->run_start = now;
    update_runstate(next, RUNSTATE_running, now);
    fpu_restore(next);
    pv_load_vcpu_context(next);
    update_vcpu_system_time(next);
    if (next->runstate_guest) {
        struct vcpu_runstate_info ri = { .state = next->runstate, .state_entry_time = now };
        for (int i = 0; i < 4; i++)
            ri.time[i] = next->runstate_time[i];
        /* The area is the guest's: a bad address only loses the update. */
        (void)copy_to_guest(next->runstate_guest, &ri, sizeof(ri));
    }
}

/* Frees domains that died once nothing runs on their page tables. */
static void reap_dead_domains(void)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        bool running = false;
        if (d->state != DOM_SHUTDOWN)
            continue;
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            running |= d->vcpu[i] && d->vcpu[i]->is_running;
        if (!running) {
            if (opt_audit)
                mm_audit();     /* the dead domain's tables still count until freed */
            domain_destroy(d);
        }
    }
}

static void schedule(void)
{
    struct percpu *pc = this_cpu();
    struct vcpu *prev = pc->curr, *next;
    uint64_t now = now_ns();

    pc->need_resched = false;
    if (prev)
        account(prev, now);
    refill_credits(now);
    next = pick_next(prev);
    if (next != prev || (prev && !vcpu_runnable(prev)))
        context_switch(pc, prev, next, now);
    reap_dead_domains();
    sched_recompute_timer();
}

void sched_recompute_timer(void)
{
    uint64_t now = now_ns(), next = now + SLICE_NS;

    for (unsigned int i = 0; i < nr_all; i++) {
        struct vcpu *v = all_vcpus[i];
        if (v->singleshot_deadline && v->singleshot_deadline < next)
            next = v->singleshot_deadline;
        if (v->periodic_period && v->periodic_next < next)
            next = v->periodic_next;
        if (v->poll_deadline && v->poll_deadline < next)
            next = v->poll_deadline;
    }
    apic_timer_oneshot(next);
}

void timer_interrupt(void)
{
    uint64_t now = now_ns();
    struct percpu *pc = this_cpu();

    for (unsigned int i = 0; i < nr_all; i++) {
        struct vcpu *v = all_vcpus[i];
        if (v->domain->state != DOM_RUNNING)
            continue;
        if (v->singleshot_deadline && v->singleshot_deadline <= now) {
            v->singleshot_deadline = 0;
            send_guest_vcpu_virq(v, VIRQ_TIMER);
        }
        if (v->periodic_period && v->periodic_next <= now) {
            while (v->periodic_next <= now)
                v->periodic_next += v->periodic_period;
            send_guest_vcpu_virq(v, VIRQ_TIMER);
        }
        if (v->poll_deadline && v->poll_deadline <= now)
            vcpu_wake(v);
    }
    console_service_input();
    if (pc->curr && now - pc->curr->run_start >= SLICE_NS)
        pc->need_resched = true;
    if (now >= next_period)
        pc->need_resched = true;
    sched_recompute_timer();
}

/* Runs with interrupts off on every way back to a guest. */
void prepare_to_return_guest(void)
{
    struct percpu *pc = this_cpu();

    for (;;) {
        if (pc->need_resched || !pc->curr || !vcpu_runnable(pc->curr))
            schedule();
        if (pc->curr)
            break;
        if (!domains_alive())
            machine_shutdown_report();
        safe_halt();            /* idle: wait for the timer or another interrupt */
        local_irq_disable();
    }
    pv_deliver_events(guest_cpu_regs());
}

__noreturn void sched_start(void)
{
    this_cpu()->need_resched = true;
    resume_guest(guest_cpu_regs());
}

__noreturn void sched_leave_dead_vcpu(void)
{
    raise_resched();
    resume_guest(guest_cpu_regs());
}
