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
#include "trace.h"
#include "sched.h"
#include "gdbstub.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "processor.h"
#include "shutdown.h"
#include "evtchn.h"
#include "console.h"
#include "traps.h"
#include "keyhandler.h"
#include "arch_hooks.h"
#include "iommu.h"
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>

#define SLICE_NS        (10ULL * 1000000)     /* 10 ms */
#define PERIOD_NS       (30ULL * 1000000)     /* credit accounting period */
#define TIMER_SLOP_NS   (10ULL * 1000)        /* the earliest the timer is armed for */
#define CONSOLE_TICK_NS (100ULL * 1000)       /* while console output waits for the UART */

/*
 * A CPU's run queue: every vCPU placed on that CPU, runnable or not, linked
 * through vcpu->rq_next in creation order. Only its CPU schedules from it;
 * any CPU may add or remove under the lock.
 */
struct sched_rq {
    spinlock_t lock;
    struct vcpu *head;
    unsigned int nr;
    uint64_t slice_end;         /* the running vCPU's slice (or cap budget) ends */
};
static struct sched_rq runq[NR_CPUS];
/* Credit accounting is global, as Xen credit1's: one period for every CPU. */
static spinlock_t acct_lock = SPIN_LOCK_UNLOCKED;
static uint64_t next_period, last_refill;

#define for_each_rq_vcpu(rq, v) for ((v) = (rq)->head; (v); (v) = (v)->rq_next)

void sched_init(void)
{
    last_refill = now_ns();
    next_period = last_refill + PERIOD_NS;
}

/* Placement: the CPU creating the vCPU (only CPU 0 is up; SMP brings a least-loaded choice). */
static unsigned int pick_cpu(void)
{
    return this_cpu()->cpu_id;
}

void sched_add_vcpu(struct vcpu *v)
{
    struct sched_rq *rq;
    struct vcpu **tail;
    unsigned long f;

    v->processor = pick_cpu();
    v->runstate = RUNSTATE_offline;
    v->rq_next = NULL;
    rq = &runq[v->processor];
    f = spin_lock_irqsave(&rq->lock);
    for (tail = &rq->head; *tail; tail = &(*tail)->rq_next)
        ;
    *tail = v;
    rq->nr++;
    spin_unlock_irqrestore(&rq->lock, f);
}

void sched_remove_vcpu(struct vcpu *v)
{
    struct sched_rq *rq = &runq[v->processor];
    unsigned long f = spin_lock_irqsave(&rq->lock);

    for (struct vcpu **link = &rq->head; *link; link = &(*link)->rq_next)
        if (*link == v) {
            *link = v->rq_next;
            rq->nr--;
            break;
        }
    if (percpu_data[v->processor].curr == v)
        percpu_data[v->processor].curr = NULL;
    spin_unlock_irqrestore(&rq->lock, f);
}

__pv_fast bool vcpu_runnable(const struct vcpu *v)
{
    return !v->pause_flags && v->domain->state == DOM_RUNNING && !v->domain->paused;
}

void raise_resched(void)
{
    this_cpu()->need_resched = true;
}

/* pause_flags change by atomic bit operations (Xen's set_bit/clear_bit on v->pause_flags). */
void vcpu_pause_flag(struct vcpu *v, unsigned int flag, bool set)
{
    if (set)
        __atomic_fetch_or(&v->pause_flags, flag, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&v->pause_flags, ~flag, __ATOMIC_SEQ_CST);
    raise_resched();
}

static void update_runstate(struct vcpu *v, int state, uint64_t now);

/* The CPU that clears VPF_blocked does the wake-up's bookkeeping: one waker wins. */
void vcpu_wake(struct vcpu *v)
{
    if (__atomic_fetch_and(&v->pause_flags, ~VPF_blocked, __ATOMIC_SEQ_CST) & VPF_blocked) {
        TRACE(SCHED, SCHED_WAKE, v->domain->domain_id, v->vcpu_id, 0, 0);
        v->polling = false;
        v->poll_deadline = 0;
        if (v->runstate == RUNSTATE_blocked && !v->is_running)
            update_runstate(v, vcpu_runnable(v) ? RUNSTATE_runnable : RUNSTATE_offline, now_ns());
        raise_resched();
    }
}

void vcpu_block(struct vcpu *v)
{
    TRACE(SCHED, SCHED_BLOCK, 0, 0, 0, 0);
    __atomic_fetch_or(&v->pause_flags, VPF_blocked, __ATOMIC_SEQ_CST);
    raise_resched();
}

static void update_runstate(struct vcpu *v, int state, uint64_t now)
{
    if (v->runstate >= 0 && v->runstate < 4)
        v->runstate_time[v->runstate] += now - v->runstate_entry_time;
    v->runstate = state;
    v->runstate_entry_time = now;
}

/* Charge the running vCPU for the time since run_start: credit, and its domain's cap budget. */
static void account(struct vcpu *v, uint64_t now)
{
    uint64_t ran = now - v->run_start;

    v->cpu_time_ns += ran;
    v->credit -= (int64_t)ran;
    if (v->domain->cap)
        v->domain->cap_budget -= (int64_t)ran;
    v->run_start = now;
}

static bool vcpu_active(const struct vcpu *v)
{
    return vcpu_runnable(v) || v->is_running;
}

/*
 * Once per period: each active vCPU earns its fair share (Xen credit1's:
 * weight / total weight of the active vCPUs) of the time since the last
 * refill, all of it and no more however late the refill runs, so credit
 * handed out matches CPU time spent. It is kept within one period's share
 * (no hoarding) and above -PERIOD (a debt is paid back, not forever).
 * A capped domain gets cap% of that time to run in, less what it overran.
 * Blocked vCPUs neither earn nor dilute the others' shares.
 */
static void refill_credits(uint64_t now)
{
    uint64_t total_weight = 0, elapsed;
    struct vcpu *v;

    if (now < next_period)
        return;
    spin_lock(&acct_lock);
    elapsed = now - last_refill;
    last_refill = now;
    next_period = now + PERIOD_NS;
    /* Each queue under its lock (acct_lock -> rq->lock): another CPU may remove a vCPU. */
    for (unsigned int c = 0; c < NR_CPUS; c++) {
        unsigned long f = spin_lock_irqsave(&runq[c].lock);
        for_each_rq_vcpu(&runq[c], v)
            if (vcpu_active(v))
                total_weight += v->domain->weight;
        spin_unlock_irqrestore(&runq[c].lock, f);
    }
    for (unsigned int c = 0; c < NR_CPUS && total_weight; c++) {
        unsigned long f = spin_lock_irqsave(&runq[c].lock);
        for_each_rq_vcpu(&runq[c], v) {
            int64_t share = (int64_t)(elapsed * v->domain->weight / total_weight);
            if (!vcpu_active(v))
                continue;
            v->credit = MIN(v->credit + share, share);
            v->credit = MAX(v->credit, -(int64_t)PERIOD_NS);
        }
        spin_unlock_irqrestore(&runq[c].lock, f);
    }
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->cap)
            d->cap_budget = MIN(d->cap_budget, 0) + (int64_t)(elapsed * d->cap / 100);
    spin_unlock(&acct_lock);
}

/* A capped domain that used its cap% of this period waits for the next one. */
static bool over_cap(const struct vcpu *v)
{
    return v->domain->cap && v->domain->cap_budget <= 0;
}

/* The runnable vCPU with the most credit; equals take turns (the scan starts after prev). */
static struct vcpu *pick_next(struct sched_rq *rq, struct vcpu *prev)
{
    struct vcpu *best = NULL, *v = prev && prev->rq_next ? prev->rq_next : rq->head;

    for (unsigned int k = 0; k < rq->nr; k++, v = v->rq_next ? v->rq_next : rq->head) {
        if (!vcpu_runnable(v) || over_cap(v))
            continue;
        if (!best || v->credit > best->credit)
            best = v;
    }
    return best;
}

/*
 * The periodic timer, as Xen's vcpu_periodic_timer_work: it is armed only
 * while its vCPU runs (switch-in, or a new period) and disarmed at
 * switch-out, so it never wakes a blocked vCPU; a period that passed while
 * the vCPU was off the CPU gives one VIRQ_TIMER at switch-in, not one per
 * missed period. Caller holds v's run-queue lock.
 */
static void periodic_timer_work(struct vcpu *v, uint64_t now)
{
    if (!v->periodic_period) {
        v->periodic_next = 0;
        return;
    }
    if (now >= v->periodic_last + v->periodic_period) {
        send_guest_vcpu_virq(v, VIRQ_TIMER);
        v->periodic_last = now;
    }
    v->periodic_next = v->periodic_last + v->periodic_period;
}

void sched_set_periodic_timer(struct vcpu *v, uint64_t period_ns)
{
    struct sched_rq *rq = &runq[v->processor];
    unsigned long f = spin_lock_irqsave(&rq->lock);

    v->periodic_period = period_ns;
    periodic_timer_work(v, now_ns());   /* as Xen: armed at once, due at once if a period passed */
    spin_unlock_irqrestore(&rq->lock, f);
    sched_recompute_timer();
}

static void context_switch(struct percpu *pc, struct vcpu *prev, struct vcpu *next, uint64_t now)
{
    struct cpu_user_regs *frame = guest_cpu_regs();
    unsigned long f;

    TRACE(SCHED, SCHED_SWITCH, prev ? prev->domain->domain_id : TANDEM_TRACE_IDLE,
          prev ? prev->vcpu_id : TANDEM_TRACE_IDLE, next ? next->domain->domain_id : TANDEM_TRACE_IDLE,
          next ? next->vcpu_id : TANDEM_TRACE_IDLE);
    if (prev) {
        bool save_state = prev->domain->state == DOM_RUNNING;
        if (save_state)
            prev->regs = *frame;
        arch_ctxt_switch_from(prev, save_state);
        prev->is_running = false;
        prev->periodic_next = 0;        /* Xen: stop_timer(&prev->periodic_timer) */
        account(prev, now);
        update_runstate(prev, vcpu_runnable(prev) ? RUNSTATE_runnable :
                        (prev->pause_flags & VPF_down) ? RUNSTATE_offline : RUNSTATE_blocked, now);
    }
    pc->curr = next;
    if (!next) {
        arch_ctxt_switch_to_idle();
        return;
    }
    *frame = next->regs;
    next->is_running = true;
    next->run_start = now;
    update_runstate(next, RUNSTATE_running, now);
    arch_ctxt_switch_to(next);
    update_vcpu_system_time(next);
    if (next->runstate_guest)
        vcpu_write_runstate(next);
    f = spin_lock_irqsave(&runq[next->processor].lock);
    periodic_timer_work(next, now);
    spin_unlock_irqrestore(&runq[next->processor].lock, f);
}

/* A stopped domain's teardown is not finished: the idle loop does not halt. */
static bool reaping;

/*
 * Frees domains that died once nothing runs on their page tables: one
 * bounded step of one domain's teardown per call (domain_destroy), so a
 * domain with a huge page-table tree never holds the CPU for long. The
 * scheduler calls it at every schedule; while a teardown remains, the idle
 * CPU keeps calling it (interrupts taken between steps) and a running vCPU
 * reschedules at its next entry to the hypervisor.
 */
static void reap_dead_domains(void)
{
    reaping = false;
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        bool running = false;
        if (d->state != DOM_SHUTDOWN && d->state != DOM_DYING)
            continue;
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            running |= d->vcpu[i] && d->vcpu[i]->is_running;
        if (running)
            continue;
        /* Audit once the teardown is done: before it, a dead tree of 8M entries would be walked too. */
        if (domain_destroy(d) && opt_audit)
            mm_audit();
        reaping = true;         /* look again next time: this domain or the next one */
        raise_resched();
        return;
    }
}

static void schedule(void)
{
    struct percpu *pc = this_cpu();
    struct sched_rq *rq = &runq[pc->cpu_id];
    struct vcpu *prev = pc->curr, *next;
    uint64_t now = now_ns();
    unsigned long f;

    pc->need_resched = false;
    if (prev)
        account(prev, now);
    refill_credits(now);
    f = spin_lock_irqsave(&rq->lock);
    next = pick_next(rq, prev);
    if (next != prev || now >= rq->slice_end)
        rq->slice_end = now + SLICE_NS;     /* a new slice; a vCPU kept on keeps its own */
    if (next && next->domain->cap)
        rq->slice_end = MIN(rq->slice_end, now + (uint64_t)next->domain->cap_budget);
    spin_unlock_irqrestore(&rq->lock, f);
    if (next != prev || (prev && !vcpu_runnable(prev)))
        context_switch(pc, prev, next, now);
    reap_dead_domains();
    sched_recompute_timer();
}

/*
 * The one-shot APIC timer fires at the earliest of: the end of the running
 * vCPU's slice or cap budget (a tick when idle, for console input), the
 * next accounting period, and any guest timer or poll timeout on this CPU.
 */
void sched_recompute_timer(void)
{
    struct percpu *pc = this_cpu();
    struct sched_rq *rq = &runq[pc->cpu_id];
    uint64_t now = now_ns(), next = pc->curr ? rq->slice_end : now + SLICE_NS;
    struct vcpu *v;
    unsigned long f;

    next = MIN(next, next_period);
    if (console_tx_pending())
        next = MIN(next, now + CONSOLE_TICK_NS);    /* the UART takes the rest as it can */
    f = spin_lock_irqsave(&rq->lock);       /* another CPU may remove a vCPU from the queue */
    for_each_rq_vcpu(rq, v) {
        if (v->singleshot_deadline && v->singleshot_deadline < next)
            next = v->singleshot_deadline;
        if (v->periodic_next && v->periodic_next < next)
            next = v->periodic_next;
        if (v->poll_deadline && v->poll_deadline < next)
            next = v->poll_deadline;
    }
    spin_unlock_irqrestore(&rq->lock, f);
    /*
     * Never arm a deadline that has already passed (Xen's timer_slop): the
     * interrupt would be pending again by the time the handler returns, so
     * an idle CPU would take it before the instruction after its HLT, for
     * ever, and never reach schedule() (a livelock, seen under -icount).
     */
    next = MAX(next, now + TIMER_SLOP_NS);
    apic_timer_oneshot(next);
}

void timer_interrupt(void)
{
    uint64_t now = now_ns();
    struct percpu *pc = this_cpu();
    struct sched_rq *rq = &runq[pc->cpu_id];
    struct vcpu *v;
    unsigned long f;

    /* DMA faults are logged before the timers they may have been waiting for fire. */
    iommu_fault_poll();
    /* Under the queue's lock: delivering a VIRQ or waking a vCPU takes no scheduler lock. */
    f = spin_lock_irqsave(&rq->lock);
    for_each_rq_vcpu(rq, v) {
        if (v->domain->state != DOM_RUNNING)
            continue;
        if (v->singleshot_deadline && v->singleshot_deadline <= now) {
            v->singleshot_deadline = 0;
            send_guest_vcpu_virq(v, VIRQ_TIMER);
        }
        if (v->periodic_next && v->periodic_next <= now)
            periodic_timer_work(v, now);
        if (v->poll_deadline && v->poll_deadline <= now) {
            vcpu_wake(v);
            /*
             * Passed: cleared even if v was not blocked (an HVM vCPU's virtual timer while it
             * waits for the CPU; svm_enter sets the next one), else every recompute would
             * arm now + slop again until v runs.
             */
            v->poll_deadline = 0;
        }
    }
    spin_unlock_irqrestore(&rq->lock, f);
    console_service_input();
    if (pc->cpu_id == 0) {
        keyhandler_poll_port();     /* the debug-key port (tandem-run's hang report) */
        gdbstub_poll();             /* the debugger's port, with gdb= */
    }
    if (pc->curr && now >= rq->slice_end)
        pc->need_resched = true;
    if (now >= next_period)
        pc->need_resched = true;
    sched_recompute_timer();
}

/* prepare_to_return_guest's loop: scheduling, a killed domain, idling (out of the fast path's pages). */
static __attribute__((noinline)) void prepare_to_return_guest_slow(struct percpu *pc)
{
    for (;;) {
        if (pc->need_resched || !pc->curr || !vcpu_runnable(pc->curr))
            schedule();
        if (pc->curr) {
            arch_return_to_guest(guest_cpu_regs());
            if (vcpu_runnable(pc->curr))
                break;          /* else the bounce frame killed its domain: never resume it */
            continue;
        }
        if (reaping) {
            /* A teardown to continue: take pending interrupts (STI's shadow covers the NOP), go on. */
            __asm__ __volatile__("sti; nop; cli" ::: "memory");
            continue;
        }
        if (!domains_alive())
            machine_shutdown_report();
        safe_halt();            /* idle: wait for the timer or another interrupt */
        local_irq_disable();
    }
}

/*
 * Runs with interrupts off on every way back to a guest. The common case,
 * the same vCPU going on with nothing to schedule, stays in the fast path's
 * code (types.h __pv_fast); anything else is the loop above.
 */
__pv_fast void prepare_to_return_guest(void)
{
    struct percpu *pc = this_cpu();

    if (likely(!pc->need_resched && pc->curr && vcpu_runnable(pc->curr))) {
        arch_return_to_guest(guest_cpu_regs());
        if (likely(vcpu_runnable(pc->curr)))
            return;
    }
    prepare_to_return_guest_slow(pc);
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

const char *sched_vcpu_state(const struct vcpu *v)
{
    if (v->is_running)
        return "running";
    if (v->domain->state != DOM_RUNNING)
        return "dying";
    if (v->pause_flags & VPF_down)
        return "down";
    if (v->pause_flags & VPF_debug)
        return "debugger";
    if (v->domain->paused || (v->pause_flags & VPF_paused))
        return "paused";
    if (v->pause_flags & VPF_blocked)
        return v->polling ? "polling" : "blocked";
    return over_cap(v) ? "capped" : "runnable";
}

/* The 'r' debug key: each CPU's run queue in scheduling terms. */
void sched_dump(void)
{
    uint64_t now = now_ns();
    struct vcpu *v;

    printk("Scheduler: credit, %lu ms slice, %lu ms accounting period (next in %ld us)\n",
           (unsigned long)(SLICE_NS / 1000000), (unsigned long)(PERIOD_NS / 1000000),
           (long)((int64_t)(next_period - now) / 1000));
    for (unsigned int c = 0; c < NR_CPUS; c++) {
        struct sched_rq *rq = &runq[c];
        struct vcpu *curr = percpu_data[c].curr;
        if (!rq->nr && !curr)
            continue;
        if (curr)
            printk("CPU%u: %u vCPUs, running d%uv%u, slice ends in %ld us\n", c, rq->nr,
                   curr->domain->domain_id, curr->vcpu_id, (long)((int64_t)(rq->slice_end - now) / 1000));
        else
            printk("CPU%u: %u vCPUs, idle\n", c, rq->nr);
        for_each_rq_vcpu(rq, v)
            printk("  d%uv%u %-8s credit %6ld us  weight %u cap %u%%  cpu %lu ms\n",
                   v->domain->domain_id, v->vcpu_id, sched_vcpu_state(v), (long)(v->credit / 1000),
                   v->domain->weight, v->domain->cap, (unsigned long)(v->cpu_time_ns / 1000000));
    }
}
