/*
 * Kernel threads: round-robin, preempted by the timer tick (PV: VIRQ_TIMER;
 * native: the local APIC timer), idle in arch_idle (PV: SCHEDOP_block; native: hlt). User processes are threads too (proc.c): switching to one
 * loads its address space and kernel stack (sched_switch_hook).
 */
#include "kernel.h"
#include "proc.h"

#define STACK_SIZE (THREAD_STACK_PAGES * PAGE_SIZE)
#define MAX_THREADS 64

struct thread *current_thread;
volatile bool need_resched;
volatile uint64_t jiffies;
static struct thread threads[MAX_THREADS];
static unsigned nr_threads;             /* slots ever used */

void switch_stack(uint64_t *prev_sp, uint64_t next_sp);
void thread_trampoline(void);
void thread_start(void);

void thread_start(void)
{
    events_enable();            /* a new thread starts with events on */
    current_thread->fn(current_thread->arg);
    current_thread->state = THREAD_DEAD;
    for (;;)
        schedule();
}

/* Free the stacks of dead threads (never the running one's) and reuse their slots. */
void thread_reap_dead(void)
{
    uint8_t m = events_save();

    for (unsigned i = 1; i < nr_threads; i++) {
        if (threads[i].state == THREAD_DEAD && &threads[i] != current_thread) {
            free_pages(threads[i].stack_pfn, THREAD_STACK_PAGES, PG_KERNEL);
            threads[i].state = THREAD_FREE;
        }
    }
    events_restore(m);
}

uint64_t thread_stack_top(const struct thread *t)
{
    return (uint64_t)pfn_to_virt(t->stack_pfn) + STACK_SIZE;
}

static struct thread *thread_new(const char *name, void (*fn)(void *), void *arg, struct process *p,
                                 size_t reserve, int state)
{
    uint8_t m = events_save();
    struct thread *t = NULL;
    uint64_t *sp, pfn;

    thread_reap_dead();
    for (unsigned i = 1; i < MAX_THREADS && !t; i++)
        if (i >= nr_threads || threads[i].state == THREAD_FREE)
            t = &threads[i];
    if (!t || !(pfn = alloc_pages(THREAD_STACK_PAGES, PG_KERNEL))) {
        events_restore(m);
        return NULL;
    }
    if (t - threads >= (long)nr_threads)
        nr_threads = t - threads + 1;
    *t = (struct thread){ .name = name, .fn = fn, .arg = arg, .stack_pfn = pfn, .proc = p,
                          .state = THREAD_BLOCKED };
    sp = (uint64_t *)((thread_stack_top(t) - reserve) & ~15UL);
    *--sp = 0;                              /* alignment */
    *--sp = (uint64_t)thread_trampoline;    /* ret address of switch_stack */
    for (int i = 0; i < 6; i++)
        *--sp = 0;                          /* rbp rbx r12-r15 */
    t->sp = (uint64_t)sp;
    t->state = state;
    events_restore(m);
    return t;
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    return thread_new(name, fn, arg, NULL, 0, THREAD_RUNNABLE);
}

struct thread *thread_create_proc(const char *name, void (*fn)(void *), void *arg, struct process *p,
                                  size_t reserve)
{
    return thread_new(name, fn, arg, p, reserve, THREAD_BLOCKED);
}

void sched_init(void)
{
    /* The boot context becomes thread 0, "idle". */
    threads[0] = (struct thread){ .name = "idle", .state = THREAD_RUNNABLE };
    nr_threads = 1;
    current_thread = &threads[0];
}

/* Pick the next runnable thread after the current one (idle only if none). */
void schedule(void)
{
    uint8_t saved = events_save();
    struct thread *prev = current_thread, *next = &threads[0];
    unsigned cur = prev - threads;
    uint64_t now = 0;

    need_resched = false;
    thread_reap_dead();
    for (unsigned i = 1; i < nr_threads; i++) {     /* sleepers whose time has come */
        struct thread *t = &threads[i];
        if (t->state == THREAD_BLOCKED && t->wake_at) {
            if (!now)
                now = system_time_ns();
            if (now >= t->wake_at) {
                t->wake_at = 0;
                t->state = THREAD_RUNNABLE;
            }
        }
    }
    for (unsigned k = 1; k <= nr_threads; k++) {
        struct thread *t = &threads[(cur + k) % nr_threads];
        if (t != &threads[0] && t->state == THREAD_RUNNABLE) {
            next = t;
            break;
        }
    }
    if (next != prev) {
        current_thread = next;
        if (prev->proc || next->proc)
            sched_switch_hook(prev, next);
        switch_stack(&prev->sp, next->sp);
    }
    events_restore(saved);      /* PV: delivers an event that came meanwhile */
}

void thread_block(void)
{
    current_thread->state = THREAD_BLOCKED;
    schedule();
}

void thread_wake(struct thread *t)
{
    if (t->state == THREAD_BLOCKED) {
        t->state = THREAD_RUNNABLE;
        t->wake_at = 0;
        need_resched = true;
    }
}

/* Block until system time ns (or an earlier thread_wake). */
void thread_sleep_until(uint64_t ns)
{
    uint8_t m = events_save();

    current_thread->wake_at = ns ? ns : 1;
    thread_block();
    events_restore(m);
}

void thread_exit(void)
{
    events_disable();
    current_thread->state = THREAD_DEAD;
    for (;;)
        schedule();
}

void sched_list(void)
{
    static const char *const st[] = { "runnable", "blocked", "dead" };

    thread_reap_dead();
    for (unsigned i = 0; i < nr_threads; i++) {
        const struct thread *t = &threads[i];
        char pid[24] = "";
        if (t->state == THREAD_FREE)
            continue;
        if (t->proc)
            snprintf(pid, sizeof(pid), ", pid %d", t->proc->pid);
        printk("  %u %-8s %-9s %lu ticks%s%s\n", i, t->name, st[t->state],
               (unsigned long)t->ticks, pid, t == current_thread ? " (running)" : "");
    }
}

int sched_threads(struct thread_report *out, int max)
{
    int n = 0;
    uint8_t m = events_save();

    for (unsigned i = 0; i < nr_threads && n < max; i++) {
        const struct thread *t = &threads[i];

        if (t->state == THREAD_FREE || t->state == THREAD_DEAD)
            continue;
        out[n++] = (struct thread_report){ .name = t->name, .state = t->state, .ticks = t->ticks,
                                           .pid = t->proc ? t->proc->pid : 0 };
    }
    events_restore(m);
    return n;
}

/*
 * The earliest wake_at of a sleeping thread, 0 if none. On PV the periodic
 * tick does not wake a blocked vCPU (Xen arms it only while the vCPU runs), so
 * the idle thread sets a one-shot timer for this before it blocks (arch_idle).
 */
static uint64_t next_wake_at(void)
{
    uint64_t at = 0;

    for (unsigned i = 1; i < nr_threads; i++)
        if (threads[i].state == THREAD_BLOCKED && threads[i].wake_at &&
            (!at || threads[i].wake_at < at))
            at = threads[i].wake_at;
    return at;
}

/* The idle thread: block the vCPU (atomically enabling events) until work exists. */
void idle_loop(void)
{
    for (;;) {
        events_disable();
        thread_reap_dead();
        bool work = false;
        for (unsigned i = 1; i < nr_threads; i++)
            work |= threads[i].state == THREAD_RUNNABLE;
        if (!work) {
            arch_idle(next_wake_at());  /* returns with events enabled */
        } else {
            events_enable();
        }
        schedule();
    }
}
