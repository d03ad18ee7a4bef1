/*
 * irq_msi_edu: QEMU's edu device's MSI as events. The driver domain maps
 * the function's MSI to a pirq (PHYSDEVOP_map_pirq, MAP_PIRQ_TYPE_MSI_SEG,
 * no table_base), binds it (EVTCHNOP_bind_pirq) and raises the interrupt
 * N times through the device's register: N upcalls on the port, and the
 * hypervisor's count (its unmap line) says N too. The hypervisor, not the
 * guest, wrote the MSI capability: address 0xfee00000, enable bit set.
 * Xen: xen/arch/x86/physdev.c physdev_map_pirq, irq.c map_domain_pirq,
 * msi.c __pci_enable_msi, common/event_channel.c evtchn_bind_pirq/close.
 */
#include "test.h"
#include "multidom.h"
#include "devirq.h"
#include <tandem/physdev.h>

const char test_title[] = "edu MSI delivered as events on a bound pirq";

#define N_IRQS 100
#define LAT_N  500

static volatile unsigned long hits;
static volatile uint64_t hit_tsc;
static uint64_t lat[LAT_N];
static void on_irq(uint32_t port) { (void)port; hit_tsc = md_rdtsc(); hits++; }

static bool raise_and_wait(volatile uint32_t *regs, unsigned long want)
{
    regs[EDU_IRQ_RAISE / 4] = 1;
    if (!md_block_until(&hits, want, md_now() + MD_MS(2000)))
        return false;
    regs[EDU_IRQ_ACK / 4] = 1;
    return true;
}

/*
 * make bench's pv.irq_latency: TSC ticks from the register write that makes
 * edu send its MSI to the upcall handler's first line (the MSI, the
 * hypervisor's handler, the event, the return to the guest and the upcall
 * bounce and scan). The median of LAT_N, each timed alone.
 */
static void measure_latency(volatile uint32_t *regs)
{
    unsigned long base = hits;
    uint64_t t, total = 0;
    unsigned int i, j;

    for (i = 0; i < LAT_N; i++) {
        t = md_rdtsc();
        regs[EDU_IRQ_RAISE / 4] = 1;
        while (hits == base + i)
            __asm__ __volatile__("pause");
        lat[i] = hit_tsc - t;
        total += lat[i];
        regs[EDU_IRQ_ACK / 4] = 1;
    }
    for (i = 1; i < LAT_N; i++)
        for (j = i; j && lat[j - 1] > lat[j]; j--) {
            t = lat[j];
            lat[j] = lat[j - 1];
            lat[j - 1] = t;
        }
    printk("irq_msi_edu: interrupt-to-upcall latency, %u of them: median %lu TSC ticks, min %lu, max %lu\n",
           LAT_N, (unsigned long)lat[LAT_N / 2], (unsigned long)lat[0], (unsigned long)lat[LAT_N - 1]);
    printk("BENCH scenario=pv.irq_latency iters=%u total=%lu per_op=%lu unit=tsc\n",
           LAT_N, (unsigned long)total, (unsigned long)lat[LAT_N / 2]);
    printk("BENCH done\n");
}

static void check_msi_cap(uint32_t bdf)
{
    unsigned int cap = dev_conf_read(bdf, 0x34, 1);

    while (cap && dev_conf_read(bdf, cap, 1) != 0x05)
        cap = dev_conf_read(bdf, cap + 1, 1);
    if (!cap)
        return test_fail("edu shows no MSI capability");
    if (!(dev_conf_read(bdf, cap + 2, 2) & 1))
        test_fail("MSI enable bit clear after map_pirq (the hypervisor sets it)");
    if ((dev_conf_read(bdf, cap + 4, 4) & 0xfff00000) != 0xfee00000)
        test_fail("MSI address %#x, want the LAPIC's 0xfee0xxxx", dev_conf_read(bdf, cap + 4, 4));
}

static void run(uint32_t bdf, volatile uint32_t *regs)
{
    struct evtchn_status st = { .dom = DOMID_SELF };
    int pirq = -1, again = -1;
    uint32_t port, dummy;
    unsigned long i, n_before_close;

    CHECK_RC(dev_map_msi(bdf, &pirq), 0, "map_pirq MSI_SEG of edu");
    if (pirq < 24 || pirq >= 256)
        return test_fail("map_pirq gave pirq %d, want one above the GSIs", pirq);
    check_msi_cap(bdf);
    CHECK_RC(dev_map_msi(bdf, &again), -XEN_EEXIST, "map_pirq of the same MSI again");
    CHECK_RC(dev_bind(pirq, &port), 0, "bind_pirq");
    CHECK_RC(dev_bind(pirq, &dummy), -XEN_EEXIST, "bind_pirq of a bound pirq");
    md_bind(port, on_irq);
    md_events_on();
    for (i = 1; i <= N_IRQS; i++)
        if (!raise_and_wait(regs, i))
            return test_fail("interrupt %lu: no event within 2 s (%lu so far)", i, hits);
    if (hits != N_IRQS)
        test_fail("%lu events for %u interrupts", hits, N_IRQS);
    printk("irq_msi_edu: %lu of %u interrupts arrived as events\n", hits, N_IRQS);
    if (md_arg_is("bench", "yes"))
        measure_latency(regs);
    st.port = port;
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_status, &st), 0, "status of the pirq port");
    if (st.status != EVTCHNSTAT_pirq || st.u.pirq != (uint32_t)pirq)
        test_fail("port status %u pirq %u, want pirq (%u) %d", st.status, st.u.pirq, EVTCHNSTAT_pirq, pirq);
    CHECK_RC(dev_eoi(pirq), 0, "eoi of an MSI pirq (nothing to do)");
    n_before_close = hits;
    CHECK_RC(md_close(port), 0, "close the pirq port");
    regs[EDU_IRQ_RAISE / 4] = 1;        /* arrives with no port: counted, dropped */
    md_sleep_ns(MD_MS(20));
    regs[EDU_IRQ_ACK / 4] = 1;
    if (hits != n_before_close)
        test_fail("an event after the port was closed (%lu)", hits);
    CHECK_RC(dev_unmap(pirq), 0, "unmap_pirq");
    CHECK_RC(dev_unmap(pirq), -XEN_EINVAL, "unmap_pirq again");
    CHECK_RC(dev_bind(pirq, &dummy), -XEN_EPERM, "bind_pirq after unmap");
}

void test_main(void)
{
    volatile uint32_t *regs;
    uint32_t bdf;

    md_init();
    if (!dev_init())
        return;
    if (!dev_find(EDU_VENDOR, EDU_DEVICE, &bdf))
        return test_error("no edu device visible (driver=yes and -device edu expected)");
    dev_enable(bdf);
    if (!(regs = dev_map_bar(bdf, 0, 1)))
        return;
    if (regs[0] != 0x010000ed)
        return test_fail("edu identification register %#x", regs[0]);
    run(bdf, regs);
    test_success();
}
