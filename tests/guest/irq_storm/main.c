/*
 * irq_storm: device interrupt storms cannot starve another domain.
 * d0, the driver domain, owns two edu devices. The first one's INTx (a
 * level GSI) is raised and never acknowledged, at the device or with
 * PHYSDEVOP_eoi: the hypervisor masks the line at its first delivery
 * (Xen's ACKTYPE_UNMASK), so it costs one interrupt, not an endless
 * flood. The second one's MSI is raised as fast as d0 can write the
 * register for 3 s, its port left masked. Meanwhile d1, an ordinary
 * domain, spins; the scheduler's accounting (getdomaininfo cpu_time)
 * must show it got at least a quarter of those 3 s (half is fair).
 */
#include "test.h"
#include "multidom.h"
#include "devirq.h"

const char test_title[] = "a stuck level line and an MSI flood leave the other domain its CPU share";

#define STORM_NS MD_MS(3000)

static uint64_t cpu_ns(domid_t d)
{
    struct tandem_domctl_getdomaininfo info;

    return md_dominfo(d, &info) ? 0 : info.cpu_time_ns;
}

static volatile uint32_t *edu(unsigned int nth, uint32_t *bdf)
{
    if (!dev_find_nth(EDU_VENDOR, EDU_DEVICE, nth, bdf)) {
        test_error("edu device %u not visible (driver=yes and two -device edu expected)", nth);
        return NULL;
    }
    dev_enable(*bdf);
    return dev_map_bar(*bdf, 0, 1);
}

/* The level line: raised, never acknowledged. Still exactly one event at the end. */
static int stuck_line(volatile uint32_t *regs, uint32_t *port)
{
    int gsi = dev_edu_intx_gsi(regs, port);

    if (gsi >= 0)
        printk("irq_storm: edu 0's INTx is GSI %d, left asserted with no eoi\n", gsi);
    return gsi;
}

static void flood(volatile uint32_t *regs, int gsi, domid_t self, domid_t victim)
{
    uint64_t t0, v0, s0, dt, v, s;
    unsigned long n = 0;

    while (cpu_ns(victim) == 0)         /* it has run at least once */
        HC2(sched_op, SCHEDOP_yield, 0);
    t0 = md_now();
    v0 = cpu_ns(victim);
    s0 = cpu_ns(self);
    while (md_now() - t0 < STORM_NS)
        for (int i = 0; i < 64; i++, n++)
            regs[EDU_IRQ_RAISE / 4] = 1;
    dt = md_now() - t0;
    v = cpu_ns(victim) - v0;
    s = cpu_ns(self) - s0;
    printk("irq_storm: %lu MSIs raised in %lu ms; d%u ran %lu ms (%lu%%), d%u %lu ms\n", n,
           (unsigned long)(dt / 1000000), victim, (unsigned long)(v / 1000000),
           (unsigned long)(v * 100 / dt), self, (unsigned long)(s / 1000000));
    if (v * 4 < dt)
        test_fail("d%u got %lu ms of %lu ms during the storm (want at least a quarter)", victim,
                  (unsigned long)(v / 1000000), (unsigned long)(dt / 1000000));
    if (dev_gsi_hits[gsi] != 1)
        test_fail("the stuck level line gave %lu events, want 1", dev_gsi_hits[gsi]);
}

static void storm(void)
{
    volatile uint32_t *intx_regs, *msi_regs;
    uint32_t bdf0, bdf1, gsi_port, msi_port;
    struct tandem_domctl op;
    domid_t self = md_arg_ul("self", 1), victim = md_arg_ul("victim", 2);
    int pirq = -1, gsi;

    md_init();
    if (!dev_init() || !(intx_regs = edu(0, &bdf0)) || !(msi_regs = edu(1, &bdf1)))
        return;
    /* The MSI's port first: a fresh port, masked by md_init (the probe unmasks the ones it binds). */
    CHECK_RC(dev_map_msi(bdf1, &pirq), 0, "map_pirq MSI of edu 1");
    CHECK_RC(dev_bind(pirq, &msi_port), 0, "bind_pirq of the MSI (port left masked)");
    if ((gsi = stuck_line(intx_regs, &gsi_port)) < 0)
        return;
    flood(msi_regs, gsi, self, victim);
    if (!md_pending(msi_port))
        test_fail("the flooded MSI's port is not pending");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_destroy, victim, &op), 0, "destroy the victim");
    CHECK_RC(md_close(msi_port), 0, "close the MSI port");
    CHECK_RC(dev_unmap(pirq), 0, "unmap the MSI");
    CHECK_RC(md_close(gsi_port), 0, "close the GSI port");
    CHECK_RC(dev_unmap(gsi), 0, "unmap the GSI");
    test_success();
}

void test_main(void)
{
    volatile unsigned long spin = 0;

    if (!md_arg_is("role", "victim"))
        return storm();
    for (;;)                            /* until the driver domain destroys it */
        spin++;
}
