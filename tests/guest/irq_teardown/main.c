/*
 * irq_teardown: a driver domain that powers off with pirqs mapped and
 * bound, a level line left asserted and masked for its eoi, an MSI mapped
 * and the eoi bitmap page registered. The hypervisor closes the ports,
 * unmaps every pirq (irq_release_domain, one log line each) and drops the
 * bitmap page's reference, so every frame comes back and the audit holds
 * (Xen: pirq_guest_unbind and unmap_domain_pirq from domain_relinquish).
 */
#include "test.h"
#include "multidom.h"
#include "devirq.h"
#include "pt.h"
#include <tandem/physdev.h>

const char test_title[] = "a driver domain's end with pirqs bound: every irq unmapped, every frame back";

static uint64_t eoi_map[512] __attribute__((aligned(4096)));

void test_main(void)
{
    struct physdev_pirq_eoi_gmfn e;
    volatile uint32_t *intx, *msi;
    uint32_t bdf0, bdf1, port;
    int pirq = -1;

    md_init();
    if (!dev_init())
        return;
    if (!dev_find_nth(EDU_VENDOR, EDU_DEVICE, 0, &bdf0) || !dev_find_nth(EDU_VENDOR, EDU_DEVICE, 1, &bdf1))
        return test_error("two edu devices expected");
    dev_enable(bdf0);
    dev_enable(bdf1);
    if (!(intx = dev_map_bar(bdf0, 0, 1)) || !(msi = dev_map_bar(bdf1, 0, 1)))
        return;
    e.gmfn = pt_va_to_mfn(eoi_map);
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pirq_eoi_gmfn_v1, &e), 0, "pirq_eoi_gmfn_v1");
    CHECK_RC(dev_map_msi(bdf1, &pirq), 0, "map_pirq MSI");
    CHECK_RC(dev_bind(pirq, &port), 0, "bind_pirq MSI");
    msi[EDU_IRQ_RAISE / 4] = 1;
    if (dev_edu_intx_gsi(intx, &port) < 0)
        return;
    printk("irq_teardown: powering off with 2 pirqs bound, a level line masked for its eoi\n");
    test_success();     /* powers off: the hypervisor cleans up */
}
