/*
 * iret_noncanonical: a kernel-to-kernel iret frame (cs RPL 0) whose rip is
 * non-canonical. The guest
 * has no #GP handler, so whichever way the return fails (Tandem refuses
 * the frame; Xen lets the iretq fault and turns it into a guest #GP) the
 * domain is crashed and the hypervisor survives.
 */
#include "test.h"

const char test_title[] = "iret to a non-canonical rip";

void test_main(void)
{
    printk("iret_noncanonical: about to fault\n");
    __asm__ __volatile__(
        "mov %%rsp, %%rax\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\tpush %%rax\n\tpushq $0x202\n\tpushq $0xe030\n\t"
        "movabs $0x0000800000000000, %%rax\n\tpush %%rax\n\t"
        "pushq $0\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) ::: "rax", "memory");
}
