/*
 * The benchmark program shared by every platform (docs/benchmarks.md,
 * "One program, four platforms"): the kernel's `bench` command and
 * mode=bench (kernel/kbench.c) run the user program `ubench`
 * (user/ubench.c) once per scenario; ubench times its loop in user mode
 * and reports through system call KBENCH_SYS, and the kernel prints the
 * BENCH line with the platform's event counts per operation beside it.
 * Included by the kernel and by ubench (only <stdint.h> is needed).
 */
#ifndef GUEST_KBENCH_H
#define GUEST_KBENCH_H

#include <stdint.h>

/* A system call beyond the ABI (uapi.h): rax = KBENCH_SYS, rdi = sub-call, arguments in rsi.. */
#define KBENCH_SYS      101
#define KB_MARK_BEGIN   0       /* (): snapshot the platform's counters (the timed loop starts) */
#define KB_MARK_END     1       /* (): snapshot again; the difference is the loop's events */
#define KB_REPORT       2       /* (struct kbench_report *): the figures of the scenario in argv[1] */
#define KBENCH_MAX_COUNTERS 48  /* platform counters at most (kbench_platform_counters) */

struct kbench_report {
    uint64_t iters;             /* operations in the timed loop */
    uint64_t total;             /* TSC ticks of the timed loop */
    uint64_t overhead;          /* TSC ticks of the null loop with the same count */
    uint64_t ops;               /* every operation of the run, warm-up included (COUNTERS divisor) */
    uint64_t marked_ops;        /* operations between KB_MARK_BEGIN and KB_MARK_END */
};

/* The scenarios, in the order `bench` runs them; the BENCH name is <platform>.os_<name>. */
#define KBENCH_SCENARIOS { "syscall", "page_fault", "fork_exec_exit", "ctxsw", "cpu_loop" }
#define KBENCH_NR_SCENARIOS 5

/* Iterations of a scenario for a run of `iters` (fork+exec+exit is ~1000x a system call). */
static inline uint64_t kbench_iters(unsigned int scenario, uint64_t iters)
{
    uint64_t n = iters;

    if (scenario == 1)          /* page_fault: one page per operation, at most 64 MiB */
        n = n > 16384 ? 16384 : n;
    if (scenario == 2)          /* fork_exec_exit */
        n = n / 50;
    return n ? n : 1;
}

#ifndef KBENCH_USER
/* The kernel's side (kernel/kbench.c). */
#include <stdbool.h>
void kbench_run(const char *args);          /* iters=N only=A,B plat=NAME: every scenario, BENCH done */
void kbench_mode_thread(void *cmdline);     /* mode=bench: kbench_run(cmdline), then power off */
bool kbench_command(const char *line);      /* the shell's `bench ...`; false if not that command */
/* A platform's own (weak defaults in kbench.c: the PV kernel's). */
const char *kbench_platform_name(void);
uint64_t kbench_platform_tsc_khz(void);     /* non-zero: kbench prints the BENCH clock line */
/* Its event counters now: names (static strings) and values, at most max; how many. The same
 * set every call; a counter the call itself moves (a VMMCALL exit) must not include that. */
unsigned int kbench_platform_counters(const char **names, uint64_t *vals, unsigned int max);
#endif

#endif
