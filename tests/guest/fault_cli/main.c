/* fault_cli: cli (privileged, virtual IOPL 0) with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "cli (privileged, virtual IOPL 0) with no handler kills the domain";

void test_main(void)
{
    printk("fault_cli: about to fault\n");
    __asm__ __volatile__("cli" ::: "memory");
    test_fail("fault_cli: the guest survived");
}
