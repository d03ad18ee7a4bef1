/*
 * iret_badsel: an iret frame (kernel to kernel) whose cs is an LDT selector
 * with no LDT set. The hypercall accepts the frame; the final iretq faults
 * with #GP(selector), delivered to the guest as Xen's restore_all_guest
 * fault path does. The guest has no #GP handler, so the domain is killed,
 * and the dump must show the guest's registers and the frame it built
 * (rip, cs 0x1007 and the refused selector 0x1004), not the hypervisor's
 * own registers and a "vector 256" (docs/error-handling.md).
 */
#include "test.h"

const char test_title[] = "iret to a cs the CPU refuses: the dump shows the guest's frame";

void test_main(void)
{
    printk("iret_badsel: about to fault\n");
    __asm__ __volatile__(
        "mov %%rsp, %%rax\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\tpush %%rax\n\tpushq $0x202\n\tpushq $0x1004\n\t"
        "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t"
        "pushq $0\n\t"
        "mov $0x5151, %%rbx\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        "1:\tjmp 1b" ::: "rax", "rbx", "memory");
}
