/*
 * Benchmark kernels built from the bundled guest kernel (bench/pv/
 * fork_exec_exit, page_fault, ctxsw): its own scheduler, page allocator,
 * address spaces and processes (they link libgkernel.a, the guest kernel
 * proper), so the figures are those of the real kernel. The user
 * programs are small ELF images written in assembly (user.S, with uelf.h):
 * they time their loop with rdtsc in guest user mode and hand the figures
 * to the kernel with system call BENCH_SYS, which prints the BENCH line.
 * No timer is started: nothing but the measured work runs.
 */
#ifndef BENCH_PV_PROCBENCH_H
#define BENCH_PV_PROCBENCH_H

#include "bench.h"
#include "proc.h"
#include "uelf.h"

/* Filled by each kernel: scenario names by index, its programs (user.S), its run. */
extern const char *const scenario_names[];
void bench_main(uint64_t iters);

/* Run user program `name` with parameters p0-p2 (BS_PARAM 0-2; 3 is idx); the figures it
 * reported with BS_REPORT for scenario idx (0-7). A failed start or no report is bench_error. */
const struct bench_result *run_program(const char *name, unsigned int idx, uint64_t p0, uint64_t p1,
                                       uint64_t p2);

#endif
