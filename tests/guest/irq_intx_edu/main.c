/*
 * irq_intx_edu: edu's INTx (MSI left off) as a level-triggered GSI pirq.
 * The test finds the GSI edu's INTA reaches by mapping and binding the
 * eight PCI GSIs (16-23, pirq = GSI, as Linux maps them) and raising the
 * interrupt once; the other seven are closed and unmapped. Then Xen's
 * level rules (xen/arch/x86/irq.c ACKTYPE_UNMASK, pirq_guest_eoi;
 * physdev.c PHYSDEVOP_eoi, irq_status_query, pirq_eoi_gmfn_v2):
 * needs_eoi is reported and the pirq's bit is set in the eoi bitmap; with
 * the line still asserted no second event comes until PHYSDEVOP_eoi, and
 * right after it one does; with the device acknowledged, eoi brings none.
 */
#include "test.h"
#include "multidom.h"
#include "devirq.h"
#include "pt.h"
#include <tandem/physdev.h>

const char test_title[] = "edu INTx as a level GSI pirq: masked until PHYSDEVOP_eoi";

static uint64_t eoi_map[512] __attribute__((aligned(4096)));
#define hits dev_gsi_hits

static long pd(unsigned int cmd, void *arg) { return HC2(physdev_op, cmd, arg); }

/* Settle: yields and a short sleep, so an interrupt that is going to come has come. */
static void settle(void)
{
    for (int i = 0; i < 200; i++)
        HC2(sched_op, SCHEDOP_yield, 0);
    md_sleep_ns(MD_MS(20));
}

static void check_level(volatile uint32_t *regs, int g)
{
    struct physdev_irq_status_query q = { .irq = g };

    CHECK_RC(pd(PHYSDEVOP_irq_status_query, &q), 0, "irq_status_query");
    if (!(q.flags & XENIRQSTAT_needs_eoi))
        test_fail("irq_status_query: no needs_eoi for a level GSI");
    if (!(eoi_map[g / 64] & (1ULL << (g % 64))))
        test_fail("eoi bitmap: pirq %d's bit clear while bound (level)", g);
    if (hits[g] != 1)
        test_fail("%lu events with the line asserted and no eoi, want 1", hits[g]);
    CHECK_RC(dev_eoi(g), 0, "eoi with the line still asserted");
    if (!md_block_until(&hits[g], 2, md_now() + MD_MS(2000)))
        test_fail("no event after eoi with the line still asserted");
    settle();
    if (hits[g] != 2)
        test_fail("%lu events after one eoi, want 2", hits[g]);
    regs[EDU_IRQ_ACK / 4] = 1;          /* line low */
    CHECK_RC(dev_eoi(g), 0, "eoi with the line low");
    settle();
    if (hits[g] != 2)
        test_fail("an event after eoi with the line low (%lu)", hits[g]);
    regs[EDU_IRQ_RAISE / 4] = 1;
    if (!md_block_until(&hits[g], 3, md_now() + MD_MS(2000)))
        test_fail("no event for the third raise");
    regs[EDU_IRQ_ACK / 4] = 1;
    CHECK_RC(dev_eoi(g), 0, "eoi after the third");
    settle();
    if (hits[g] != 3)
        test_fail("%lu events for three raises, want 3", hits[g]);
    printk("irq_intx_edu: GSI %d level: %lu events (2 raises, 1 re-delivered on eoi with the line high)\n",
           g, hits[g]);
}

/* What the driver domain itself is refused (Xen's allocate_and_map_gsi_pirq, map_domain_pirq). */
static void check_gsi_refusals(void)
{
    int pirq = 0;

    CHECK_RC(dev_map_gsi(20, &pirq), -XEN_EINVAL, "map_pirq GSI 20 to pirq 0");
    pirq = 300;
    CHECK_RC(dev_map_gsi(20, &pirq), -XEN_EINVAL, "map_pirq GSI 20 to pirq 300");
    pirq = 20;
    CHECK_RC(dev_map_gsi(2, &pirq), -XEN_EPERM, "map_pirq GSI 2 (the timer's)");
    CHECK_RC(dev_map_gsi(24, &pirq), -XEN_EINVAL, "map_pirq GSI 24 (past the IOAPIC)");
}

void test_main(void)
{
    struct physdev_pirq_eoi_gmfn e;
    volatile uint32_t *regs;
    uint32_t bdf, port;
    int g;

    md_init();
    if (!dev_init())
        return;
    if (!dev_find(EDU_VENDOR, EDU_DEVICE, &bdf))
        return test_error("no edu device visible (driver=yes and -device edu expected)");
    dev_enable(bdf);
    if (!(regs = dev_map_bar(bdf, 0, 1)))
        return;
    check_gsi_refusals();
    e.gmfn = pt_va_to_mfn(eoi_map);
    CHECK_RC(pd(PHYSDEVOP_pirq_eoi_gmfn_v2, &e), 0, "pirq_eoi_gmfn_v2");
    if ((g = dev_edu_intx_gsi(regs, &port)) < 0)
        return;
    check_level(regs, g);
    CHECK_RC(md_close(port), 0, "close the GSI port");
    CHECK_RC(dev_unmap(g), 0, "unmap the GSI");
    test_success();
}
