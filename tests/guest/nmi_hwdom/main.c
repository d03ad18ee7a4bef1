/*
 * nmi_hwdom: the hypervisor's own NMI use, as Xen's nmi=dom0 (the default
 * of its release builds; traps.c unknown_nmi_error -> nmi_hwdom_report):
 * platform NMIs (20 injected through QEMU's monitor from 1 s on) are
 * reported to the hardware domain (Tandem: the driver domain) as virtual
 * NMIs to its vCPU 0's NMI callback, with _XEN_NMIREASON_unknown set in
 * shared_info.arch.nmi_reason. NMIs that arrive while one is pending
 * coalesce, so the count is at least 1, at most 20. With nmi=ignore
 * (nmi_hwdom_ignore: this source, cmdline expect=none) none arrives.
 */
#include "multidom.h"
#include "nmi.h"

const char test_title[] = "platform NMIs reach the driver domain's NMI callback (nmi=dom0)";

#define NMIREASON_UNKNOWN (1UL << 2)

static void none_expected(void)
{
    uint64_t end = md_now() + MD_MS(3000);

    while (md_now() < end)
        md_sleep_ns(MD_MS(10));
    printk("nmi_hwdom: %lu NMIs reached the callback, nmi_reason %#lx\n", nmi_recs[0].count,
           (unsigned long)shared_info->arch.nmi_reason);
    CHECK_RC(nmi_recs[0].count, 0, "NMIs reaching the driver domain with nmi=ignore");
    CHECK_RC(shared_info->arch.nmi_reason, 0, "nmi_reason with nmi=ignore");
}

void test_main(void)
{
    uint64_t end;

    md_init();
    CHECK_RC(nmi_register(0), 0, "register the NMI callback");
    if (md_arg_is("expect", "none")) {
        none_expected();
        test_success();
        return;
    }
    end = md_now() + MD_MS(4000);
    while (md_now() < end && nmi_recs[0].count < 3)
        md_sleep_ns(MD_MS(10));
    printk("nmi_hwdom: %lu NMIs reached the callback, nmi_reason %#lx\n", nmi_recs[0].count,
           (unsigned long)shared_info->arch.nmi_reason);
    if (!nmi_recs[0].count)
        test_fail("no platform NMI reached the driver domain");
    if (nmi_recs[0].count > 20)
        test_fail("%lu NMIs for 20 injected", nmi_recs[0].count);
    if (!(shared_info->arch.nmi_reason & NMIREASON_UNKNOWN))
        test_fail("nmi_reason %#lx without _XEN_NMIREASON_unknown", (unsigned long)shared_info->arch.nmi_reason);
    CHECK_RC(nmi_recs[0].max_depth, 1, "NMI callback never nested");
    test_success();
}
