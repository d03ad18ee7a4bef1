/*
 * The PV benchmark kernels' library (bench/pv/<name>/ link with it and with
 * libguest.a). Each kernel times its operations like bench/native does: the
 * same loop shape (`1: <op>; dec %r12; jnz 1b` between `lfence; rdtsc;
 * lfence`, in assembly so counts do not depend on the compiler), a warm-up
 * pass first, the null loop timed with the same count, and one line per
 * scenario:
 *   BENCH scenario=pv.NAME iters=I total=T overhead=O per_op=P unit=tsc ops=K
 * where per_op = (T - O) / I and ops is every operation the run performed
 * (warm-up and checks included), which `make bench` divides the hypervisor's
 * COUNTERS by. TSC ticks turn into ns through the hypervisor's own
 * `BENCH clock tsc_khz=` line. Method and format: docs/benchmarks.md.
 *
 * Command line: iters=N (default 10000), only=SCENARIO (run just that one).
 */
#ifndef BENCH_PV_BENCH_H
#define BENCH_PV_BENCH_H

#include "guest.h"

struct bench_result {
    uint64_t iters;         /* operations timed */
    uint64_t total;         /* TSC delta of the operation loop */
    uint64_t overhead;      /* TSC delta of the null loop, same count */
    uint64_t ops;           /* operations performed in the whole run */
};

/* Parses the command line; returns iters. */
uint64_t bench_init(void);
uint64_t bench_warmup(uint64_t n);
/* Whether scenario (e.g. "pv.null_hypercall") runs: no only=, or only= names it. */
bool bench_want(const char *scenario);
void bench_report(const char *scenario, const struct bench_result *r);
void bench_done(void);
/* BENCH error ...; the domain then crashes, which the harness reports. */
__attribute__((noreturn, format(printf, 1, 2))) void bench_error(const char *fmt, ...);

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* loops.S: the null loop (dec; jnz), timed; returns the TSC delta. */
uint64_t loop_null(uint64_t n);

/*
 * events.c: an event channel from the domain to itself. Maps shared_info,
 * masks every port, registers bench_upcall as the event callback, binds a
 * loopback pair (alloc_unbound(self, self) + bind_interdomain) and unmasks
 * the receiving end. Returns the port to send on. bench_upcall (loops.S)
 * does what a minimal kernel must: clear upcall_pending and the selector,
 * clear the port's pending bit, count, iret. Events stay masked until
 * bench_events_enable().
 */
uint32_t bench_event_loopback(void);
void bench_events_enable(void);
extern volatile uint64_t bench_upcalls;    /* upcalls taken */
extern uint32_t bench_rx_port;              /* the port bench_upcall clears */

#endif
