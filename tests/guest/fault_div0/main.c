/* fault_div0: a divide by zero with no trap table: Xen crashes the domain, never the hypervisor. */
#include "test.h"

const char test_title[] = "a divide by zero with no handler kills the domain";

void test_main(void)
{
    printk("fault_div0: about to fault\n");
    __asm__ __volatile__("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; div %%ecx" ::: "rax", "rcx", "rdx", "memory");
    test_fail("fault_div0: the guest survived");
}
