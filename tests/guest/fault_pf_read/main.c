/* fault_pf_read: a read of unmapped address 0x1000 with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "a read of unmapped address 0x1000 with no handler kills the domain";

void test_main(void)
{
    printk("fault_pf_read: about to fault\n");
    __asm__ __volatile__("mov $0x1000, %%eax; mov (%%rax), %%rax" ::: "rax", "memory");
    test_fail("fault_pf_read: the guest survived");
}
