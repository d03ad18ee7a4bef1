/* The bundled guest kernel's internal interfaces. */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include "guest.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* Events. */
void events_init(void);
typedef void (*evtchn_handler_t)(uint32_t port);
void bind_evtchn(uint32_t port, evtchn_handler_t h);
/*
 * What this kernel did, counted where it does it (events.c, sched.c, pvos.c): the
 * per-request figures of `xvd bench` and `blk bench` (docs/benchmarks.md). hypercalls
 * counts those of the I/O path: event sends, unmasks, blocks, upcall returns (iret),
 * the hypercalls that deliver a pending upcall, grant maps and unmaps.
 */
struct kcounters {
    uint64_t hypercalls, upcalls, blocks, evt_sent, evt_handled, grants, grant_ends, grant_maps, grant_unmaps,
             grant_copies;
};
extern struct kcounters kcounters;
void unmask_evtchn(uint32_t port);
void mask_evtchn(uint32_t port);      /* events on it stay pending until unmasked */
/* The interrupt flag, system time, idle, traps: include/platform.h (events_disable: arch/platform.h). */
#include "platform.h"

/* Prints the reason and crashes the domain (SCHEDOP_shutdown crash); panic.c. */
__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(const char *fmt, ...);

#define MAX_PROCS 48            /* processes at once (and address spaces, with a few spare) */

/* Threads: preemptive, scheduled by the timer tick. A user process is a thread with a process. */
struct process;
struct thread {
    uint64_t sp;
    const char *name;
    int state;                  /* THREAD_RUNNABLE / THREAD_BLOCKED / THREAD_DEAD / THREAD_FREE */
    uint64_t ticks;
    void (*fn)(void *);
    void *arg;
    uint64_t stack_pfn;         /* its kernel stack: THREAD_STACK_PAGES pages from the allocator */
    uint64_t wake_at;           /* blocked in thread_sleep_until: system time to wake at */
    struct process *proc;       /* NULL for a kernel thread */
};
#define THREAD_RUNNABLE 0
#define THREAD_BLOCKED  1
#define THREAD_DEAD     2
#define THREAD_FREE     3       /* an unused slot */
#define THREAD_STACK_PAGES 4
extern struct thread *current_thread;
extern volatile bool need_resched;
extern volatile uint64_t jiffies;
void sched_init(void);
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
/* A thread for a process: blocked until thread_wake; `reserve` bytes kept at the stack top. */
struct thread *thread_create_proc(const char *name, void (*fn)(void *), void *arg, struct process *p,
                                  size_t reserve);
uint64_t thread_stack_top(const struct thread *t);
void thread_exit(void) __attribute__((noreturn));
void thread_sleep_until(uint64_t ns);
void thread_reap_dead(void);     /* free the stacks of dead threads */
void sched_switch_hook(struct thread *prev, struct thread *next);  /* proc.c: address space, FPU */
void schedule(void);
void thread_block(void);
void thread_wake(struct thread *t);
void idle_loop(void) __attribute__((noreturn));
void sched_list(void);
/* The live threads, at most max of them, into out (for reports: the status page): their count. */
struct thread_report { const char *name; int state; uint64_t ticks; int pid; };
int sched_threads(struct thread_report *out, int max);

/* Console input from the PV ring. */
void console_input_init(void);
int console_getchar(void);      /* blocks the calling thread */

void console_wait_input(void);  /* blocks the calling thread until a character is there */
bool console_input_pending(void);   /* a character is there to read */
/* Bytes for console_getchar as if typed (ctlagent.c's console); how many fitted. */
size_t console_inject(const char *buf, size_t len);
/* ctlagent.c: the control agent for tools/tandem, if a control serial card is ours. */
void ctlagent_start(void);

void shell_main(void *arg);
/* shell.c: split line in place at spaces into at most max words (w[0..]); their number. */
int shell_split(char *line, char **w, int max);
/* shell.c: the value of key= among the space-separated words (a command line, a command's
 * arguments) into buf, at most size - 1 characters (empty if absent). */
void word_value(const char *words, const char *key, char *buf, size_t size);
void worker_main(void *arg);
/* modes.c: threads for the command line's mode=, and the shell's domain commands. */
void kernel_start_threads(const char *cmdline);
bool shell_domain_command(const char *line);
bool shell_trace_command(const char *line);  /* trace_shell.c: the hypervisor trace */
struct tandem_domctl;
struct tandem_trace_rec;
/* trace_shell.c, also for ctlagent.c: "hypercall,sched" (or '+') -> mask; trace_control; trace_read. */
bool trace_parse_classes(const char *s, uint32_t *mask);
long trace_control_op(uint32_t what, uint32_t mask, struct tandem_domctl *op);
long trace_take(uint32_t cpu, const struct tandem_trace_rec **out, struct tandem_domctl *op);
/* xs_shell.c: `xs ...` and `grants`; false if the line is neither. Events for watches: poll. */
bool shell_xs_command(char *line);
void shell_xs_poll(void);
extern bool shell_wait_for_input;
void pvos_selftest(void);       /* pvos_selftest.c: the shell's pvostest */

#endif
