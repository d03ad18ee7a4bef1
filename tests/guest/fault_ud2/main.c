/* fault_ud2: ud2 with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "ud2 with no handler kills the domain";

void test_main(void)
{
    printk("fault_ud2: about to fault\n");
    __asm__ __volatile__("ud2" ::: "memory");
    test_fail("fault_ud2: the guest survived");
}
