/*
 * pv.ctxsw: switching between two processes of the bundled guest kernel.
 * The driver (user.S, `pp`) forks; parent and child each call yield() n
 * times, so every yield switches to the other process: SYSCALL bounced to
 * the kernel, schedule(), the address-space switch (one multicall:
 * NEW_BASEPTR, NEW_USER_BASEPTR, stack_switch), the FPU state swap
 * (fxsave/fxrstor), and iret into the other process's user mode. The
 * parent times its n yields, 2n switches; per op = one switch including
 * its yield system call. Compared with native.ctxsw, a bare kernel thread
 * switch with a CR3 load.
 */
#include "procbench.h"

const char *const scenario_names[] = { "pv.ctxsw" };

void bench_main(uint64_t n)
{
    if (bench_want(scenario_names[0]))
        bench_report(scenario_names[0], run_program("pp", 0, n, 0, 0));
}
