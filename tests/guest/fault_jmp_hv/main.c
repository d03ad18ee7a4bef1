/* fault_jmp_hv: a jump into hypervisor text with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "a jump into hypervisor text with no handler kills the domain";

void test_main(void)
{
    printk("fault_jmp_hv: about to fault\n");
    __asm__ __volatile__("movabs $0xffff82d080200000, %%rax; jmp *%%rax" ::: "rax", "memory");
    test_fail("fault_jmp_hv: the guest survived");
}
