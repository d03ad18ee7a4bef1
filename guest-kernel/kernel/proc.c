/*
 * User processes in guest user mode (docs/guest-kernel.md): each process is
 * a kernel thread plus an address space (struct mm: a kernel L4 and a user
 * L4, both pinned). Entering user mode is an iret with a ring-3 CS; system
 * calls arrive at the syscall callback, exceptions and events from user mode
 * on the process's kernel stack (stack_switch). Switching processes is one
 * multicall: NEW_BASEPTR, NEW_USER_BASEPTR, stack_switch.
 * This file: process lifetime (spawn, fork, exit, wait and reaping, user
 * faults, the process table); programs are exec.c's, system calls syscall.c's.
 */
#include "proc.h"
#include <tandem/errno.h>

static struct process procs[MAX_PROCS];
static int next_pid = 1;
static struct thread *shell_waiter;     /* the kernel shell, waiting for a child of its own */
static uint64_t loaded_kstack;          /* what stack_switch was last given */
static struct process *fpu_owner;       /* whose user FPU/SSE state the registers hold */
static uint8_t init_fpu[512] __attribute__((aligned(16)));     /* start-of-day state, for exec */

/* The kernel itself never uses the FPU (-mno-sse), so only processes need switching. */
static inline void fxsave(uint8_t *area) { __asm__ __volatile__("fxsave64 %0" : "=m"(*(uint8_t (*)[512])area)); }
static inline void fxrstor(const uint8_t *area) { __asm__ __volatile__("fxrstor64 %0" :: "m"(*(const uint8_t (*)[512])area)); }

struct process *current_proc(void)
{
    return current_thread ? current_thread->proc : NULL;
}

struct trap_frame *user_frame(const struct process *p)
{
    return (struct trap_frame *)(p->kstack_top - sizeof(struct trap_frame));
}

void proc_init(void)
{
    syscall_init();
    fxsave(init_fpu);           /* as the hypervisor set it up: FCW 0x37f, MXCSR 0x1f80 */
}

void proc_fpu_reset(struct process *p)
{
    memcpy(p->fpu, init_fpu, sizeof(init_fpu));
    if (fpu_owner == p)
        fxrstor(p->fpu);
}

/*
 * The scheduler is about to switch from prev to next, one of them a process
 * thread; events are masked. A process needs its address space, its kernel
 * stack for entries from user mode, and its FPU state (switched lazily:
 * kernel threads leave the registers alone).
 */
void sched_switch_hook(struct thread *prev, struct thread *next)
{
    struct process *p = next->proc;

    (void)prev;
    if (!p || !p->mm)
        return;
    mm_switch(p->mm, p->kstack_top != loaded_kstack ? p->kstack_top : 0);
    loaded_kstack = p->kstack_top;
    if (fpu_owner != p) {
        if (fpu_owner)
            fxsave(fpu_owner->fpu);
        fxrstor(p->fpu);
        fpu_owner = p;
    }
}

static struct process *proc_alloc(struct process *parent, const char *name)
{
    uint8_t m = events_save();
    struct process *p = NULL;

    for (unsigned i = 0; i < MAX_PROCS && !p; i++) {
        if (!procs[i].in_use) {
            p = &procs[i];
            *p = (struct process){ .pid = next_pid++, .parent = parent, .in_use = true,
                                   .state = PS_RUNNING };
            snprintf(p->name, sizeof(p->name), "%s", name);
        }
    }
    events_restore(m);
    return p;
}

static void proc_free(struct process *p)
{
    p->in_use = false;
}

static void proc_thread_start(void *arg)
{
    struct process *p = arg;

    events_disable();           /* the iret restores the user's (enabled) events */
    enter_user(user_frame(p));
}

/* A thread for p with its user frame reserved at the top of its kernel stack, not yet runnable. */
static struct thread *proc_thread(struct process *p)
{
    struct thread *t = thread_create_proc(p->name, proc_thread_start, p, p, sizeof(struct trap_frame));

    if (t) {
        p->thread = t;
        p->kstack_top = thread_stack_top(t);
    }
    return t;
}

/* ---- life and death ---- */

int proc_spawn(const char *name, int argc, char *const argv[])
{
    struct process *p = proc_alloc(NULL, name);
    struct thread *t;
    int rc;

    if (!p)
        return -XEN_EAGAIN;
    if (!(t = proc_thread(p))) {
        proc_free(p);
        return -XEN_EAGAIN;
    }
    if ((rc = exec_into(p, name, argc, argv, user_frame(p)))) {
        t->proc = NULL;
        t->state = THREAD_DEAD;
        proc_free(p);
        return rc;
    }
    thread_wake(t);
    return p->pid;
}

long proc_fork(struct process *parent, const struct trap_frame *f)
{
    struct process *c = proc_alloc(parent, parent->name);
    struct thread *t;

    if (!c)
        return -XEN_EAGAIN;
    if (!(c->mm = mm_fork(parent->mm))) {
        proc_free(c);
        return -XEN_ENOMEM;
    }
    if (!(t = proc_thread(c))) {
        mm_destroy(c->mm);
        proc_free(c);
        return -XEN_EAGAIN;
    }
    *user_frame(c) = *f;
    user_frame(c)->rax = 0;             /* fork() returns 0 in the child */
    if (fpu_owner == parent)
        fxsave(c->fpu);
    else
        memcpy(c->fpu, parent->fpu, sizeof(c->fpu));
    thread_wake(t);
    return c->pid;
}

void proc_exit(int status)
{
    struct process *p = current_proc();

    events_disable();
    mm_switch(NULL, 0);                 /* off our tables before they go */
    mm_destroy(p->mm);
    p->mm = NULL;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct process *q = &procs[i];
        if (q->in_use && q->parent == p) {      /* orphans: nobody will wait for them */
            q->parent = NULL;
            q->detached = true;
            if (q->state == PS_ZOMBIE)
                proc_free(q);
        }
    }
    if (fpu_owner == p)
        fpu_owner = NULL;
    p->exit_status = status;
    p->state = PS_ZOMBIE;
    p->thread = NULL;
    current_thread->proc = NULL;
    if (p->detached)
        proc_free(p);
    else if (p->parent && p->parent->in_wait)
        thread_wake(p->parent->thread);
    else if (!p->parent && shell_waiter)
        thread_wake(shell_waiter);
    thread_exit();
}

/* Reap a zombie child of `parent` (NULL: the shell's) matching pid (-1: any). */
int proc_reap(struct process *parent, int pid, int *status, bool block)
{
    for (;;) {
        uint8_t m = events_save();
        struct process *z = NULL;
        bool any = false;

        for (unsigned i = 0; i < MAX_PROCS && !z; i++) {
            struct process *q = &procs[i];
            if (!q->in_use || q->parent != parent || q->detached || (pid > 0 && q->pid != pid))
                continue;
            any = true;
            if (q->state == PS_ZOMBIE)
                z = q;
        }
        if (z) {
            int zpid = z->pid;
            *status = z->exit_status;
            proc_free(z);
            events_restore(m);
            return zpid;
        }
        if (!any || !block) {
            events_restore(m);
            return any ? 0 : -UAPI_ECHILD;
        }
        if (parent) {
            parent->in_wait = true;
            parent->state = PS_SLEEPING;
        } else {
            shell_waiter = current_thread;
        }
        thread_block();
        if (parent) {
            parent->in_wait = false;
            parent->state = PS_RUNNING;
        } else {
            shell_waiter = NULL;
        }
        events_restore(m);
    }
}

int proc_wait_kernel(int pid, int *status)
{
    return proc_reap(NULL, pid, status, true);
}

static const char *const exc_names[32] = {
    [0] = "divide error", [1] = "debug", [3] = "breakpoint", [4] = "overflow", [5] = "bound range",
    [6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
    [10] = "invalid TSS", [11] = "segment not present", [12] = "stack fault",
    [13] = "general protection fault", [14] = "page fault", [16] = "x87 error",
    [17] = "alignment check", [19] = "SIMD error",
};

const char *proc_status_text(int status, char *buf, size_t size)
{
    if (status >= USER_KILLED_BASE && status < USER_KILLED_BASE + 32 && exc_names[status - USER_KILLED_BASE])
        snprintf(buf, size, "killed (%s)", exc_names[status - USER_KILLED_BASE]);
    else
        snprintf(buf, size, "exit status %d", status);
    return buf;
}

int proc_reap_background(void)
{
    int n = 0, status, pid;
    char why[48];

    while ((pid = proc_reap(NULL, -1, &status, false)) > 0) {
        printk("[%d] done, %s\n", pid, proc_status_text(status, why, sizeof(why)));
        n++;
    }
    return n;
}

/* An exception from guest user mode: handled (demand paging) or the process dies. */
bool user_fault(struct trap_frame *f, uint64_t cr2)
{
    struct process *p = current_proc();
    const char *what;
    int rc = 0;

    if (!p || (f->cs & 3) != 3)
        return false;
    if (f->vector == 3) {
        printk("%s[%d]: breakpoint at %lx\n", p->name, p->pid, (unsigned long)f->rip);
        return true;
    }
    if (f->vector == 14 && !(f->error & 1)) {   /* not present: heap or stack? */
        if (!(rc = mm_demand_fault(p->mm, cr2)))
            return true;
    }
    what = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "exception";
    if (f->vector == 14)
        printk("%s[%d]: %s at rip %lx, address %lx (error %lx%s): killed\n", p->name, p->pid, what,
               (unsigned long)f->rip, (unsigned long)cr2, (unsigned long)f->error,
               rc == -XEN_ENOMEM ? ", out of memory" : "");
    else
        printk("%s[%d]: %s (vector %lu) at rip %lx: killed\n", p->name, p->pid, what,
               (unsigned long)f->vector, (unsigned long)f->rip);
    proc_exit(USER_KILLED_BASE + (int)f->vector);
}

/* ---- information ---- */

static const char *const ps_state[] = { "running", "sleeping", "zombie" };

int proc_ps(struct ps_entry *out, int max)
{
    uint8_t m = events_save();
    int n = 0;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        const struct process *q = &procs[i];
        if (!q->in_use)
            continue;
        if (n < max) {
            struct ps_entry *e = &out[n];
            memset(e, 0, sizeof(*e));
            e->pid = q->pid;
            e->ppid = q->parent ? q->parent->pid : 0;
            e->state = q->state;
            e->exit_status = q->exit_status;
            e->pages = q->mm ? q->mm->pages : 0;
            e->pt_pages = q->mm ? q->mm->pt_pages : 0;
            e->ticks = q->thread ? q->thread->ticks : 0;
            snprintf(e->name, sizeof(e->name), "%s", q->name);
        }
        n++;
    }
    events_restore(m);
    return n;
}

void proc_list(void)
{
    static struct ps_entry e[MAX_PROCS];
    int n = proc_ps(e, MAX_PROCS);

    printk("  %d process%s\n", n, n == 1 ? "" : "es");
    if (n)
        printk("    PID  PPID STATE     PAGES  PT  TICKS NAME\n");
    for (int i = 0; i < n; i++)
        printk("  %5d %5d %-9s %5lu %3lu %6lu %s\n", e[i].pid, e[i].ppid, ps_state[e[i].state],
               (unsigned long)e[i].pages, (unsigned long)e[i].pt_pages, (unsigned long)e[i].ticks,
               e[i].name);
}
