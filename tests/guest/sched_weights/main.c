/*
 * sched_weights: CPU shares of spinning domains, measured by domain 0
 * (privileged, blocked while it waits, so it costs next to nothing) from
 * tandem_domctl's per-domain CPU time over secs= seconds of system time.
 * role=control expect=A,B,... (per mille of the CPU for d1, d2, ...)
 * tol=T (percent of each expected share) busy=B (per mille the spinners
 * must use together: a blocked domain 0 takes no share); role=spin spins.
 * sched_cap boots the same kernel with a cap in its configuration.
 */
#include "multidom.h"

const char test_title[] = "scheduler: CPU shares of spinning domains";

#define MAX_DOMS 8

static unsigned int parse_list(const char *s, unsigned long *v)
{
    unsigned int n = 0;

    while (*s && n < MAX_DOMS) {
        const char *end;
        v[n++] = strtoul(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s)
            break;
    }
    return n;
}

static void control(void)
{
    unsigned long want[MAX_DOMS], tol = md_arg_ul("tol", 30), secs = md_arg_ul("secs", 3);
    uint64_t before[MAX_DOMS], t0, elapsed, self0;
    unsigned long busy = md_arg_ul("busy", 950), total = 0, self;
    struct tandem_domctl_getdomaininfo info;
    char list[64];
    unsigned int n = parse_list(md_arg("expect", "", list, sizeof(list)), want);

    md_events_on();
    md_sleep_ns(MD_MS(300));                    /* every spinner is up and spinning */
    t0 = md_now();
    CHECK_RC(md_dominfo(0, &info), 0, "getdomaininfo(d0)");
    self0 = info.cpu_time_ns;
    for (unsigned int i = 0; i < n; i++) {
        CHECK_RC(md_dominfo((domid_t)(i + 1), &info), 0, "getdomaininfo");
        before[i] = info.cpu_time_ns;
    }
    md_sleep_ns(MD_MS(secs * 1000));
    elapsed = md_now() - t0;
    for (unsigned int i = 0; i < n; i++) {
        unsigned long got, lo = want[i] * (100 - tol) / 100, hi = want[i] * (100 + tol) / 100;
        CHECK_RC(md_dominfo((domid_t)(i + 1), &info), 0, "getdomaininfo");
        got = (unsigned long)((info.cpu_time_ns - before[i]) * 1000 / elapsed);
        total += got;
        printk("control: d%u (%s): %lu.%lu%% of the CPU, expected %lu.%lu%% (accepted %lu.%lu-%lu.%lu%%)\n",
               i + 1, info.name, got / 10, got % 10, want[i] / 10, want[i] % 10,
               lo / 10, lo % 10, hi / 10, hi % 10);
        if (got < lo || got > hi)
            test_fail("d%u got %lu per mille of the CPU, want %lu +- %lu%%", i + 1, got, want[i], tol);
    }
    if (!n)
        test_error("expect= lists no shares");
    CHECK_RC(md_dominfo(0, &info), 0, "getdomaininfo(d0)");
    self = (unsigned long)((info.cpu_time_ns - self0) * 1000 / elapsed);
    printk("control: the spinners used %lu.%lu%% together; d0, blocked, %lu.%lu%%\n",
           total / 10, total % 10, self / 10, self % 10);
    if (total < busy)
        test_fail("the spinners used %lu per mille of the CPU, want at least %lu", total, busy);
    /* Wall-clock accounting: a host that deschedules QEMU while d0 is in a hypercall
     * charges d0 for it (2.3% seen under load), so "next to nothing" is below 5%. */
    if (self > 50)
        test_fail("blocked d0 used %lu per mille of the CPU, want next to nothing", self);
}

void test_main(void)
{
    md_init();
    if (md_arg_is("role", "control"))
        control();
    else if (md_arg_is("role", "spin"))
        for (;;)
            __asm__ __volatile__("pause");
    else
        test_error("role=control or spin expected (boot with weights.cfg)");
    test_success();
}
