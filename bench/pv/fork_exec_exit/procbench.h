/*
 * Benchmark kernels built from the bundled guest kernel (bench/pv/
 * fork_exec_exit, page_fault, ctxsw): its own scheduler, page allocator,
 * address spaces and processes (guest_a.c, guest_b.c, guest_entry.S compile
 * guest-kernel/ in), so the figures are those of the real kernel. The user
 * programs are small ELF images written in assembly (user.S, with uelf.h):
 * they time their loop with rdtsc in guest user mode and hand the figures
 * to the kernel with system call BENCH_SYS, which prints the BENCH line.
 * No timer is started: nothing but the measured work runs.
 */
#include "bench.h"
#include "proc.h"
#include "uelf.h"

void traps_init(void);

/* Filled by each kernel: scenario names by index, its programs, its run. */
extern const char *const scenario_names[];
static void bench_main(uint64_t iters);

static uint64_t params[BENCH_NPARAMS];
static struct bench_result results[8];
static bool have_result[8];

static long bench_syscall(struct trap_frame *f)
{
    if (f->rax != BENCH_SYS)
        return -XEN_ENOSYS;
    switch (f->rdi) {
    case BS_PARAM:
        return f->rsi < BENCH_NPARAMS ? (long)params[f->rsi] : 0;
    case BS_REPORT:
        if (f->rsi >= 8)
            return -XEN_EINVAL;
        results[f->rsi] = (struct bench_result){ .total = f->rdx, .overhead = f->r10, .iters = f->r8,
                                                 .ops = f->r9 };
        have_result[f->rsi] = true;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

/* Run user program `name` with the given parameters; the BENCH_SYS result it reported for idx. */
static const struct bench_result *run_program(const char *name, unsigned int idx, uint64_t p0, uint64_t p1,
                                              uint64_t p2)
{
    char *argv[] = { (char *)name, NULL };
    int pid, status = -1;

    params[0] = p0;
    params[1] = p1;
    params[2] = p2;
    params[3] = idx;
    have_result[idx] = false;
    if ((pid = proc_spawn(name, 1, argv)) < 0)
        bench_error("cannot start %s: %d", name, pid);
    proc_wait_kernel(pid, &status);
    if (status || !have_result[idx])
        bench_error("%s for %s: exit status %d, %s", name, scenario_names[idx], status,
                    have_result[idx] ? "reported" : "no figures reported");
    return &results[idx];
}

static void bench_thread(void *arg)
{
    (void)arg;
    bench_main(bench_init());
    bench_done();
    shutdown(SHUTDOWN_poweroff);
}

void kernel_main(struct start_info *si)
{
    (void)si;
    traps_init();
    events_init();
    mm_init();
    proc_init();
    sched_init();
    syscall_extra = bench_syscall;
    if (!thread_create("bench", bench_thread, NULL))
        bench_error("no thread");
    events_enable();
    idle_loop();
}
