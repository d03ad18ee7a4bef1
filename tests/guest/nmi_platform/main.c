/*
 * Security issue 9, item 5: platform NMIs (watchdogs, perf counters) must be
 * harmless whether they hit guest or hypervisor mode. The run-tests "nmi-after"
 * key makes tandem-run inject 20 NMIs through QEMU's QMP while this kernel
 * spends 3 s alternating guest-mode loops and hypercalls, then checks that
 * it was never disturbed.
 */
#include "test.h"
#include <tandem/version.h>

const char test_title[] = "platform NMIs while the guest runs and while it makes hypercalls";

static uint8_t si_page[4096] __attribute__((aligned(4096)));

void test_main(void)
{
    const volatile struct vcpu_time_info *t;
    uint64_t start, now, rounds = 0;
    volatile uint64_t sink = 0;

    CHECK_RC(HC3(update_va_mapping, si_page, start_info->shared_info | 0x67, UVMF_INVLPG), 0,
             "map shared_info");
    t = &((struct shared_info *)si_page)->vcpu_info[0].time;
    start = pvclock_read_ns(t);
    do {
        for (unsigned int i = 0; i < 20000; i++)
            sink += i;
        for (unsigned int i = 0; i < 20; i++)
            if (HC2(xen_version, XENVER_version, 0) < 0)
                test_fail("xen_version failed");
        rounds++;
        now = pvclock_read_ns(t);
    } while (now - start < 3000000000UL);
    printk("ran %lu rounds (sum %lu) in %lu ms\n", (unsigned long)rounds, (unsigned long)sink,
           (unsigned long)((now - start) / 1000000));
    test_success();
}
