/*
 * The kernel_main of the process benchmark kernels (procbench.h): the
 * bundled guest kernel's start-up without a timer or a shell, one thread
 * that runs the kernel's bench_main, and the BENCH_SYS system call its
 * user programs report through.
 */
#include "procbench.h"

void traps_init(void);

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
const struct bench_result *run_program(const char *name, unsigned int idx, uint64_t p0, uint64_t p1,
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
