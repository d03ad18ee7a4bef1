/*
 * iret_badframe: the iret hypercall with rsp pointing at unmapped memory
 * (SYSCALL with rax = 23 directly, as the stub does). The frame cannot be
 * read: Xen's do_iret crashes the domain ("Fault while reading IRET context").
 */
#include "test.h"

const char test_title[] = "iret with an unreadable frame";

void test_main(void)
{
    printk("iret_badframe: about to fault\n");
    __asm__ __volatile__("mov $0x2000, %%rsp\n\tmov $23, %%eax\n\tsyscall\n1:\tjmp 1b" ::: "memory");
}
