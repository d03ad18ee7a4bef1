/* fault_cr3_write: mov to cr3 of a frame we do not own, no trap table: Xen fails the
 * emulation with #GP and, with no handler, crashes the domain (never the hypervisor). */
#include "test.h"

const char test_title[] = "mov to cr3 of a frame we do not own with no handler kills the domain";

void test_main(void)
{
    printk("fault_cr3_write: about to fault\n");
    __asm__ __volatile__("movabs $0x7ffffffff000, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
    test_fail("fault_cr3_write: the guest survived");
}
