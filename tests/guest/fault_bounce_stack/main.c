/*
 * fault_bounce_stack: an exception taken while the guest kernel's rsp
 * points at unmapped memory. The bounce frame cannot be written, so the
 * domain is crashed (Xen: create_bounce_frame's fault fixup,
 * domain_crash); the hypervisor reports it and powers off.
 */
#include "traps.h"

const char test_title[] = "bounce frame onto an unmapped kernel stack";

void test_main(void)
{
    CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "install a #UD handler");
    printk("fault_bounce_stack: about to fault\n");
    __asm__ __volatile__("mov $0x2000, %%rsp\n\tud2" ::: "memory");
}
