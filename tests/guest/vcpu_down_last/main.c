/*
 * vcpu_down_last: VCPUOP_down on the domain's only running vCPU. Xen 4.19
 * (common_vcpu_op) notices the last vCPU going down and shuts the domain
 * down with SHUTDOWN_poweroff; nothing is left waiting for an event that
 * can never come.
 */
#include "test.h"
#include <tandem/vcpu.h>

const char test_title[] = "VCPUOP_down of the last vCPU powers the domain off";

void test_main(void)
{
    printk("vcpu_down_last: taking vCPU 0 down\n");
    HC3(vcpu_op, VCPUOP_down, 0, NULL);
    printk("vcpu_down_last: still running after VCPUOP_down\n");
}
