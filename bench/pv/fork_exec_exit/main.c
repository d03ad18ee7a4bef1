/*
 * pv.fork_exec_exit: fork + exec + exit + wait of a small process in the
 * bundled guest kernel. The driver (user.S, `fee`) loops in guest user
 * mode: fork(); the child exec()s `true`, a program that exits at once; the
 * parent wait()s for it. Each op is the kernel's whole path: copying the
 * address space (two pinned L4s, 7 tables) with one multicall, a thread,
 * the ELF load into a new address space, the switch, the teardown (unpin
 * and read-write again in two multicalls), reaping.
 * pv.fork_exit (only=pv.fork_exit) is the same without the exec; pv.exec
 * (only=pv.exec) runs both and reports the difference, exec alone. See
 * procbench.h for how these kernels are put together.
 */
#include "procbench.h"

enum { FORK_EXIT, FORK_EXEC_EXIT, EXEC };
const char *const scenario_names[] = { "pv.fork_exit", "pv.fork_exec_exit", "pv.exec" };


void bench_main(uint64_t n)
{
    const struct bench_result *fe, *fee;
    bool all = bench_want("pv.-");     /* no only=: just pv.fork_exec_exit, so the run's counters are its */

    if (all || bench_want("pv.fork_exec_exit")) {
        bench_report(scenario_names[FORK_EXEC_EXIT], run_program("fee", FORK_EXEC_EXIT, n, 1, 0));
    } else if (bench_want("pv.fork_exit")) {
        bench_report(scenario_names[FORK_EXIT], run_program("fee", FORK_EXIT, n, 0, 0));
    } else if (bench_want("pv.exec")) {
        /* exec alone: the fork+exit+wait loop is the overhead (both loops' null loops cancel). */
        fe = run_program("fee", FORK_EXIT, n, 0, 0);
        fee = run_program("fee", FORK_EXEC_EXIT, n, 1, 0);
        bench_report(scenario_names[EXEC], &(struct bench_result){
            .iters = n, .total = fee->total, .overhead = fe->total, .ops = fe->ops + fee->ops });
    }
}
