/*
 * The native scenarios. Each one warms up (so QEMU has translated the code),
 * times the null loop and the operation loop with the same iteration count,
 * and prints one line:
 *   BENCH scenario=native.NAME iters=I total=T overhead=O per_op=P unit=tsc
 * with per_op = (T - O) / I to two decimals. The operation loops are in
 * loops.S; docs/benchmarks.md says what each one includes.
 */
#include "native.h"

struct result {
    uint64_t iters;         /* operations performed */
    uint64_t total;         /* TSC delta of the operation loop */
    uint64_t overhead;      /* TSC delta of the null loop, same loop count */
};

struct scenario {
    const char *name;
    void (*run)(uint64_t n, struct result *r);
};

struct ctx ctx_a, ctx_b;        /* used by loops.S */
static uint8_t thread_b_stack[16384] ALIGNED(16);

static uint64_t warmup(uint64_t n)
{
    return n < 100 ? n : n / 10;
}

static uint64_t in_user(void (*fn)(void), uint64_t n)
{
    uint64_t t = 0;

    enter_user(fn, n, &t);
    return t;
}

static void run_null(uint64_t n, struct result *r)
{
    loop_null(warmup(n));
    *r = (struct result){ n, loop_null(n), 0 };
}

static void run_syscall(uint64_t n, struct result *r)
{
    in_user(user_syscall, warmup(n));
    *r = (struct result){ n, in_user(user_syscall, n), in_user(user_null, n) };
}

static void run_int(uint64_t n, struct result *r)
{
    in_user(user_int, warmup(n));
    *r = (struct result){ n, in_user(user_int, n), in_user(user_null, n) };
}

static void run_cr3(uint64_t n, struct result *r)
{
    uint64_t cr3 = read_cr3();

    loop_cr3(warmup(n), cr3);
    *r = (struct result){ n, loop_cr3(n, cr3), loop_null(n) };
}

static void run_ptwrite(uint64_t n, struct result *r)
{
    loop_ptwrite(warmup(n), &bench_l1[0], BENCH_VA, fault_pte);
    *r = (struct result){ n, loop_ptwrite(n, &bench_l1[0], BENCH_VA, fault_pte), loop_null(n) };
    paging_reset_region();
}

/* Each iteration faults on a fresh page, so the count is capped by the region. */
static void run_fault(uint64_t n, struct result *r)
{
    if (n > FAULT_PAGES)
        n = FAULT_PAGES;
    paging_reset_region();
    loop_fault(warmup(n), BENCH_VA);
    paging_reset_region();
    r->overhead = loop_null(n);
    r->total = loop_fault(n, BENCH_VA);
    r->iters = n;
    paging_reset_region();
}

/* Thread B starts in thread_b_loop with zeroed callee-saved registers. */
static void ctxsw_init(void)
{
    uint64_t *sp = (uint64_t *)(thread_b_stack + sizeof(thread_b_stack));

    *--sp = (uint64_t)thread_b_loop;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    ctx_b = (struct ctx){ (uint64_t)sp, paging_second_l4() };
    ctx_a.cr3 = read_cr3();
}

/* One loop iteration is two switches (A -> B -> A); an operation is one switch. */
static void run_ctxsw(uint64_t n, struct result *r)
{
    ctxsw_init();
    loop_ctxsw(warmup(n));
    *r = (struct result){ 2 * n, loop_ctxsw(n), loop_null(n) };
}

static const struct scenario scenarios[] = {
    { "null_loop", run_null },
    { "syscall", run_syscall },
    { "int_iret", run_int },
    { "cr3_reload", run_cr3 },
    { "pt_write", run_ptwrite },
    { "page_fault", run_fault },
    { "ctxsw", run_ctxsw },
};

static void report(const char *name, const struct result *r)
{
    int64_t d = (int64_t)(r->total - r->overhead);
    uint64_t mag = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t x100 = (mag * 100 + r->iters / 2) / r->iters;

    kprintf("BENCH scenario=native.%s iters=%lu total=%lu overhead=%lu per_op=%s%lu.%s%lu unit=tsc\n",
            name, r->iters, r->total, r->overhead, d < 0 ? "-" : "", x100 / 100,
            x100 % 100 < 10 ? "0" : "", x100 % 100);
}

void scenarios_run(uint64_t iters)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        struct result r;

        scenarios[i].run(iters, &r);
        report(scenarios[i].name, &r);
    }
}
