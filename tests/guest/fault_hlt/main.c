/* fault_hlt: hlt (privileged) with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "hlt (privileged) with no handler kills the domain";

void test_main(void)
{
    printk("fault_hlt: about to fault\n");
    __asm__ __volatile__("hlt" ::: "memory");
    test_fail("fault_hlt: the guest survived");
}
