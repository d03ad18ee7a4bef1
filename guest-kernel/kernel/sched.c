/* Kernel threads: round-robin, preempted by the VIRQ_TIMER tick, idle via SCHEDOP_block. */
#include "kernel.h"

#define STACK_SIZE 16384
#define MAX_THREADS 8

struct thread *current_thread;
volatile bool need_resched;
volatile uint64_t jiffies;
static struct thread threads[MAX_THREADS];
static uint8_t stacks[MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static unsigned nr_threads;

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

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    struct thread *t;
    uint64_t *sp;

    if (nr_threads == MAX_THREADS)
        return NULL;
    t = &threads[nr_threads];
    sp = (uint64_t *)(stacks[nr_threads] + STACK_SIZE);
    *--sp = 0;                              /* alignment */
    *--sp = (uint64_t)thread_trampoline;    /* ret address of switch_stack */
    for (int i = 0; i < 6; i++)
        *--sp = 0;                          /* rbp rbx r12-r15 */
    *t = (struct thread){ .sp = (uint64_t)sp, .name = name, .fn = fn, .arg = arg };
    if (nr_threads)
        threads[nr_threads - 1].next = t;
    t->next = &threads[0];
    nr_threads++;
    return t;
}

void sched_init(void)
{
    /* The boot context becomes thread 0, "idle". */
    threads[0] = (struct thread){ .name = "idle", .state = THREAD_RUNNABLE };
    threads[0].next = &threads[0];
    nr_threads = 1;
    current_thread = &threads[0];
}

/* Pick the next runnable thread after the current one (idle only if none). */
void schedule(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    uint8_t saved = vi->evtchn_upcall_mask;
    struct thread *prev = current_thread, *next = prev->next;

    vi->evtchn_upcall_mask = 1;
    barrier();
    need_resched = false;
    while (next != prev && (next->state != THREAD_RUNNABLE || next == &threads[0]))
        next = next->next;
    if (next == prev && prev->state != THREAD_RUNNABLE)
        next = &threads[0];
    if (next != prev) {
        current_thread = next;
        switch_stack(&prev->sp, next->sp);
    }
    vi->evtchn_upcall_mask = saved;
    barrier();
    if (!saved && vi->evtchn_upcall_pending)
        HC2(xen_version, 0, 0);
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
        need_resched = true;
    }
}

void sched_list(void)
{
    static const char *const st[] = { "runnable", "blocked", "dead" };

    for (unsigned i = 0; i < nr_threads; i++)
        printk("  %u %-8s %-9s %lu ticks%s\n", i, threads[i].name, st[threads[i].state],
               (unsigned long)threads[i].ticks, &threads[i] == current_thread ? " (running)" : "");
}

/* The idle thread: block the vCPU (atomically enabling events) until work exists. */
void idle_loop(void)
{
    for (;;) {
        events_disable();
        bool work = false;
        for (unsigned i = 1; i < nr_threads; i++)
            work |= threads[i].state == THREAD_RUNNABLE;
        if (!work) {
            HC2(sched_op, SCHEDOP_block, 0);    /* returns with events enabled */
        } else {
            events_enable();
        }
        schedule();
    }
}
