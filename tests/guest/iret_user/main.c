/*
 * iret_user: iret with an RPL-3 code selector asks for guest user mode,
 * which needs a user page table (MMUEXT_NEW_USER_BASEPTR). This kernel
 * never gave one: Xen's do_iret crashes the domain ("Guest switching to
 * user mode with no user page tables").
 */
#include "test.h"

const char test_title[] = "iret to user mode without a user page table";

void test_main(void)
{
    printk("iret_user: about to fault\n");
    __asm__ __volatile__(
        "mov %%rsp, %%rax\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\tpush %%rax\n\tpushq $0x202\n\tpushq $" HYPERCALL_ASM_STR(FLAT_USER_CS) "\n\t"
        "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t"
        "pushq $0\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        "1:\tjmp 1b" ::: "rax", "memory");
}
