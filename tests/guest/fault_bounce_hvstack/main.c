/*
 * fault_bounce_hvstack: an exception taken while the guest kernel's rsp
 * points into the hypervisor's range (the direct map, which is mapped but
 * supervisor-only). The frame must not be written there: the domain is
 * crashed (Xen refuses a guest stack inside the Xen hole).
 */
#include "traps.h"

const char test_title[] = "bounce frame onto a kernel stack in the hypervisor range";

void test_main(void)
{
    CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "install a #UD handler");
    printk("fault_bounce_hvstack: about to fault\n");
    __asm__ __volatile__("movabs $0xffff830000100000, %%rax\n\tmov %%rax, %%rsp\n\tud2" ::: "rax", "memory");
}
