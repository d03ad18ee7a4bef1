/* fault_int80: int $0x80 with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "int $0x80 with no handler kills the domain";

void test_main(void)
{
    printk("fault_int80: about to fault\n");
    __asm__ __volatile__("int $0x80" ::: "memory");
    test_fail("fault_int80: the guest survived");
}
