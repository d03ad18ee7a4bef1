/*
 * trace_domctl: TANDEM_DOMCTL_trace_control (10) and trace_read (11)
 * (docs/tracing.md). d0 (privileged): the state before tracing was ever
 * enabled, every refusal, then hypercall records checked one by one (the
 * enabling call's exit first, exactly our xen_version calls with their
 * results, the disabling call's entry last, nothing of another class), a
 * full buffer (the oldest records kept, the rest counted lost), the
 * per-call limit, a read that wraps the ring, reads into memory the
 * hypervisor must refuse (unmapped, its own range, our read-only L4 table:
 * nothing consumed), reset. d1 (unprivileged):
 * -EPERM for both commands.
 */
#include "multidom.h"
#include <tandem/trace.h>
#include <tandem/version.h>

const char test_title[] = "tandem_domctl trace_control and trace_read: records, limits, refusals";

static struct tandem_trace_rec recs[2 * TANDEM_TRACE_READ_MAX + 8];

static long control(uint32_t what, uint32_t classes, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_trace_control,
                                  .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .u.trace_control = { .op = what, .classes = classes } };
    return HC1(tandem_domctl, op);
}

static long readrecs(uint32_t cpu, uint32_t max, uint64_t buf, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_trace_read,
                                  .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .u.trace_read = { .cpu = cpu, .max = max, .buf = buf } };
    return HC1(tandem_domctl, op);
}

static uint64_t unread(void)
{
    struct tandem_domctl op;

    CHECK_RC(control(TANDEM_TRACEOP_query, 0, &op), 0, "query");
    return op.u.trace_control.unread;
}

static void versions(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        HC2(xen_version, XENVER_version, 0);
}

static void refusals(void)
{
    struct tandem_domctl op;

    control(TANDEM_TRACEOP_query, 0, &op);
    op.domid = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "control with domid 1");
    CHECK_RC(control(4, 0, &op), -XEN_EINVAL, "unknown op 4");
    CHECK_RC(control(TANDEM_TRACEOP_enable, 0, &op), -XEN_EINVAL, "enable no class");
    CHECK_RC(control(TANDEM_TRACEOP_enable, 0x40, &op), -XEN_EINVAL, "enable an unknown class");
    CHECK_RC(control(TANDEM_TRACEOP_disable, TANDEM_TRC_SCHED, &op), -XEN_EINVAL, "disable with classes");
    CHECK_RC(control(TANDEM_TRACEOP_query, 1, &op), -XEN_EINVAL, "query with classes");
    control(TANDEM_TRACEOP_query, 0, &op);
    op.u.trace_control.lost = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "control with an OUT field set");
    control(TANDEM_TRACEOP_query, 0, &op);
    op.pad[2] = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "control with pad set");
    CHECK_RC(readrecs(0, 0, (uintptr_t)recs, &op), -XEN_EINVAL, "read max 0");
    CHECK_RC(readrecs(1, 8, (uintptr_t)recs, &op), -XEN_EINVAL, "read CPU 1 (not there)");
    CHECK_RC(readrecs(0xffffffffu, 8, (uintptr_t)recs, &op), -XEN_EINVAL, "read CPU ~0");
    readrecs(0, 8, (uintptr_t)recs, &op);
    op.u.trace_read.unread = 5;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "read with an OUT field set");
    CHECK_RC(HC1(tandem_domctl, (void *)0x1000), -XEN_EFAULT, "unmapped argument");
}

/* Read everything of CPU 0 into recs (at most ARRAY_SIZE); returns the count. */
static unsigned int read_all(void)
{
    struct tandem_domctl op;
    unsigned int n = 0;

    do {
        CHECK_RC(readrecs(0, TANDEM_TRACE_READ_MAX, (uintptr_t)(recs + n), &op), 0, "read");
        n += op.u.trace_read.nr;
    } while (op.u.trace_read.nr && op.u.trace_read.unread && n + TANDEM_TRACE_READ_MAX <= ARRAY_SIZE(recs));
    return n;
}

/* Our hypercall records between enable and disable, one by one. */
static void records(void)
{
    struct tandem_domctl op;
    unsigned int n, enters = 0, exits = 0;
    long version = HC2(xen_version, XENVER_version, 0);

    CHECK_RC(control(TANDEM_TRACEOP_enable, TANDEM_TRC_HYPERCALL, &op), 0, "enable hypercall");
    if (op.u.trace_control.classes != TANDEM_TRC_HYPERCALL || op.u.trace_control.nr_cpus != 1 ||
        op.u.trace_control.rec_size != 48 || !op.u.trace_control.tsc_khz)
        test_fail("enable: classes %#x, %u CPUs, %u-byte records, %lu kHz", op.u.trace_control.classes,
                  op.u.trace_control.nr_cpus, op.u.trace_control.rec_size,
                  (unsigned long)op.u.trace_control.tsc_khz);
    printk("trace: %lu records a CPU\n", (unsigned long)op.u.trace_control.capacity);
    versions(5);
    CHECK_RC(control(TANDEM_TRACEOP_disable, 0, &op), 0, "disable");
    if (op.u.trace_control.classes)
        test_fail("disable left classes %#x", op.u.trace_control.classes);
    n = read_all();
    if (n < 12)
        test_fail("%u records, want at least 12", n);
    if (recs[0].event != TANDEM_TRCE_HC_EXIT || recs[0].arg[0] != __HYPERVISOR_tandem_domctl || recs[0].arg[1] ||
        recs[0].domid != 0)
        test_fail("first record: event %u nr %lu result %lu d%u, want the enabling tandem_domctl's exit",
                  recs[0].event, (unsigned long)recs[0].arg[0], (unsigned long)recs[0].arg[1], recs[0].domid);
    if (recs[n - 1].event != TANDEM_TRCE_HC_ENTER || recs[n - 1].arg[0] != __HYPERVISOR_tandem_domctl ||
        recs[n - 1].domid != 0)
        test_fail("last record: event %u nr %lu d%u, want the disabling tandem_domctl's entry",
                  recs[n - 1].event, (unsigned long)recs[n - 1].arg[0], recs[n - 1].domid);
    for (unsigned int i = 0; i < n; i++) {
        const struct tandem_trace_rec *r = &recs[i];
        if (r->cls != 0 || r->cpu != 0 || (i && r->tsc < recs[i - 1].tsc))
            test_fail("record %u: class %u CPU %u tsc %lu after %lu", i, r->cls, r->cpu,
                      (unsigned long)r->tsc, i ? (unsigned long)recs[i - 1].tsc : 0UL);
        if (r->domid != 0 || r->arg[0] != __HYPERVISOR_xen_version)
            continue;
        if (r->vcpu != 0)
            test_fail("record %u: vCPU %u", i, r->vcpu);
        if (r->event == TANDEM_TRCE_HC_ENTER && r->arg[1] == XENVER_version && !r->arg[2])
            enters++;
        else if (r->event == TANDEM_TRCE_HC_EXIT && (long)r->arg[1] == version)
            exits++;
        else
            test_fail("record %u: xen_version event %u args %#lx %#lx", i, r->event,
                      (unsigned long)r->arg[1], (unsigned long)r->arg[2]);
    }
    if (enters != 5 || exits != 5)
        test_fail("%u xen_version entries and %u exits recorded, want 5 and 5", enters, exits);
    CHECK_RC(unread(), 0, "unread after reading all");
}

/* A full buffer keeps its oldest records; the per-call limit; a read across the ring's end. */
static void full_and_wrap(void)
{
    struct tandem_domctl op;
    uint64_t cap, lost;
    unsigned int n;

    CHECK_RC(control(TANDEM_TRACEOP_reset, 0, &op), 0, "reset");
    if (op.u.trace_control.unread || op.u.trace_control.lost)
        test_fail("after reset: %lu unread, %lu lost", (unsigned long)op.u.trace_control.unread,
                  (unsigned long)op.u.trace_control.lost);
    cap = op.u.trace_control.capacity;
    CHECK_RC(control(TANDEM_TRACEOP_enable, TANDEM_TRC_HYPERCALL, &op), 0, "enable");
    versions((unsigned int)cap);            /* 2 records each: twice what fits */
    CHECK_RC(control(TANDEM_TRACEOP_disable, 0, &op), 0, "disable");
    lost = op.u.trace_control.lost;
    if (op.u.trace_control.unread != cap || lost < cap - 2)
        test_fail("after %lu calls: %lu unread, %lu lost; want %lu unread and at least %lu lost",
                  (unsigned long)cap, (unsigned long)op.u.trace_control.unread, (unsigned long)lost,
                  (unsigned long)cap, (unsigned long)cap - 2);
    /* A read the hypervisor must refuse consumes nothing. */
    CHECK_RC(readrecs(0, 8, 0x1000, &op), -XEN_EFAULT, "read into an unmapped page");
    CHECK_RC(readrecs(0, 8, 0xffff800000000000ULL, &op), -XEN_EFAULT, "read into the hypervisor's range");
    CHECK_RC(readrecs(0, 8, start_info->pt_base, &op), -XEN_EFAULT, "read into our L4 table (mapped read-only)");
    CHECK_RC(unread(), cap, "unread after refused reads");
    CHECK_RC(readrecs(0, TANDEM_TRACE_READ_MAX + 8, (uintptr_t)recs, &op), 0, "read more than the limit");
    if (op.u.trace_read.nr != TANDEM_TRACE_READ_MAX || op.u.trace_read.unread != cap - TANDEM_TRACE_READ_MAX ||
        op.u.trace_read.lost != lost)
        test_fail("a read of %u: %u records, %lu unread, %lu lost", TANDEM_TRACE_READ_MAX + 8, op.u.trace_read.nr,
                  (unsigned long)op.u.trace_read.unread, (unsigned long)op.u.trace_read.lost);
    if (recs[0].event != TANDEM_TRCE_HC_EXIT || recs[0].arg[0] != __HYPERVISOR_tandem_domctl)
        test_fail("a full buffer did not keep its oldest record (the enabling call's exit)");
    /* Room again: more records land after the ring's end, and a read spans it. */
    CHECK_RC(control(TANDEM_TRACEOP_enable, TANDEM_TRC_HYPERCALL, &op), 0, "enable again");
    versions(TANDEM_TRACE_READ_MAX / 4);
    CHECK_RC(control(TANDEM_TRACEOP_disable, 0, &op), 0, "disable again");
    n = read_all();
    if (n < cap - TANDEM_TRACE_READ_MAX + TANDEM_TRACE_READ_MAX / 2)
        test_fail("after the wrap: %u records read, want at least %lu", n,
                  (unsigned long)(cap - TANDEM_TRACE_READ_MAX + TANDEM_TRACE_READ_MAX / 2));
    for (unsigned int i = 1; i < n; i++)
        if (recs[i].tsc < recs[i - 1].tsc || recs[i].cls != 0)
            test_fail("after the wrap, record %u: class %u, tsc %lu after %lu", i, recs[i].cls,
                      (unsigned long)recs[i].tsc, (unsigned long)recs[i - 1].tsc);
    CHECK_RC(unread(), 0, "unread after the wrap");
    CHECK_RC(control(TANDEM_TRACEOP_reset, 0, &op), 0, "reset at the end");
    if (op.u.trace_control.lost)
        test_fail("reset left %lu lost", (unsigned long)op.u.trace_control.lost);
}

void test_main(void)
{
    struct tandem_domctl op;

    md_init();
    if (md_arg_is("role", "guest")) {
        CHECK_RC(control(TANDEM_TRACEOP_query, 0, &op), -XEN_EPERM, "unprivileged trace_control");
        CHECK_RC(control(TANDEM_TRACEOP_enable, TANDEM_TRC_ALL, &op), -XEN_EPERM, "unprivileged enable");
        CHECK_RC(readrecs(0, 8, (uintptr_t)recs, &op), -XEN_EPERM, "unprivileged trace_read");
        test_success();
        return;
    }
    /* Before anything was enabled: no buffers, nothing to read. */
    CHECK_RC(control(TANDEM_TRACEOP_query, 0, &op), 0, "query before enabling");
    if (op.u.trace_control.nr_cpus || op.u.trace_control.capacity || op.u.trace_control.classes ||
        op.u.trace_control.unread)
        test_fail("before enabling: %u CPUs, %lu records a CPU, classes %#x", op.u.trace_control.nr_cpus,
                  (unsigned long)op.u.trace_control.capacity, op.u.trace_control.classes);
    CHECK_RC(readrecs(0, 8, (uintptr_t)recs, &op), 0, "read before enabling");
    if (op.u.trace_read.nr)
        test_fail("read before enabling gave %u records", op.u.trace_read.nr);
    refusals();
    records();
    full_and_wrap();
    /* d1's checks end before ours powers the machine off (which would destroy it). */
    for (uint64_t deadline = md_now() + MD_MS(10000); md_now() < deadline; md_sleep_ns(MD_MS(10))) {
        struct tandem_domctl_getdomaininfo i;
        if (md_dominfo(1, &i) || (i.flags & TANDEM_DOMINF_shutdown))
            break;
    }
    test_success();
}
