/*
 * pv.null_hypercall and pv.null_hypercall_raw: the cheapest round trip into
 * Tandem and back, xen_version(XENVER_version, NULL) (no guest memory is
 * touched), once through the hypercall page and once with a bare SYSCALL.
 * Compared with native.syscall (SYSCALL to a bare SYSRETQ).
 */
#include "bench.h"
#include <tandem/version.h>

uint64_t loop_hc_page(uint64_t n);
uint64_t loop_hc_raw(uint64_t n);

static void run(const char *name, uint64_t (*loop)(uint64_t), uint64_t n)
{
    struct bench_result r = { .iters = n };
    long v = HC2(xen_version, XENVER_version, 0);

    if (v <= 0)
        bench_error("xen_version(XENVER_version) returned %ld", v);
    loop(bench_warmup(n));
    r.total = loop(n);
    r.overhead = loop_null(n);
    r.ops = bench_warmup(n) + n;
    bench_report(name, &r);
}

void kernel_main(struct start_info *si)
{
    uint64_t n = bench_init();

    if (bench_want("pv.null_hypercall"))
        run("pv.null_hypercall", loop_hc_page, n);
    if (bench_want("pv.null_hypercall_raw"))
        run("pv.null_hypercall_raw", loop_hc_raw, n);
    bench_done();
}
