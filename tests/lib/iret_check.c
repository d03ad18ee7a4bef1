/* The iret-to-kernel-mode check shared by tests/guest/iret_ops and iret_in_syscall (iret_check.h). */
#include "iret_check.h"
#include "upcall.h"

uint64_t io_rcx, io_r11, io_rax, io_rflags, io_rsp, io_rsp_want, io_rip_want;   /* global: the asm names them */
uint16_t io_cs, io_ss;

#define X86_EFLAGS_CF   0x1UL
#define X86_EFLAGS_IF   0x200UL
#define X86_EFLAGS_IOPL 0x3000UL

/* iret to label 1 with cs, rflags and flags given, rsp 256 below the current one. */
static void do_iret(uint64_t cs, uint64_t rflags, uint64_t flags)
{
    __asm__ __volatile__(
        "mov %%rsp, %%r8\n\t"
        "sub $256, %%r8\n\t"
        "mov %%r8, io_rsp_want(%%rip)\n\t"
        "lea 1f(%%rip), %%r9\n\t"
        "mov %%r9, io_rip_want(%%rip)\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\t"
        "push %%r8\n\t"
        "push %[rflags]\n\t"
        "push %[cs]\n\t"
        "push %%r9\n\t"
        "push %[flags]\n\t"
        "mov $0x1111, %%rcx\n\t"
        "mov $0x2222, %%r11\n\t"
        "mov $0x3333, %%rax\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        "1:\n\t"
        "mov %%rcx, io_rcx(%%rip)\n\t"
        "mov %%r11, io_r11(%%rip)\n\t"
        "mov %%rax, io_rax(%%rip)\n\t"
        "mov %%rsp, io_rsp(%%rip)\n\t"
        "pushfq\n\t"
        "popq io_rflags(%%rip)\n\t"
        "mov %%cs, io_cs(%%rip)\n\t"
        "mov %%ss, io_ss(%%rip)\n\t"
        "add $256, %%rsp"
        :: [cs] "r"(cs), [rflags] "r"(rflags), [flags] "r"(flags)
        : "rax", "rcx", "r8", "r9", "r11", "memory", "cc");
}

void iret_check(const char *what, uint64_t cs, uint64_t rflags, bool in_syscall)
{
    uint64_t want_rf = (rflags & ~(X86_EFLAGS_IOPL | 0x20000UL)) | X86_EFLAGS_IF;

    do_iret(cs, rflags, in_syscall ? VGCF_in_syscall : 0);
    if (io_rsp != io_rsp_want)
        test_fail("%s: rsp %#lx, want %#lx", what, (unsigned long)io_rsp, (unsigned long)io_rsp_want);
    if (io_rax != 0x3333)
        test_fail("%s: rax %#lx, want the frame's 0x3333", what, (unsigned long)io_rax);
    if (io_cs != FLAT_KERNEL_CS || io_ss != FLAT_KERNEL_SS)
        test_fail("%s: cs:ss %#x:%#x, want %#x:%#x", what, io_cs, io_ss, FLAT_KERNEL_CS, FLAT_KERNEL_SS);
    if ((io_rflags & (X86_EFLAGS_CF | X86_EFLAGS_IOPL | X86_EFLAGS_IF)) != (want_rf & (X86_EFLAGS_CF | X86_EFLAGS_IF)))
        test_fail("%s: rflags %#lx (want CF from the frame, IOPL 0, IF 1)", what, (unsigned long)io_rflags);
    if (evt_vcpu->evtchn_upcall_mask != !(rflags & X86_EFLAGS_IF))
        test_fail("%s: evtchn_upcall_mask %u, want %u (!IF of the frame)", what,
                  evt_vcpu->evtchn_upcall_mask, !(rflags & X86_EFLAGS_IF));
    if (!in_syscall && (io_rcx != 0x1111 || io_r11 != 0x2222))
        test_fail("%s: rcx/r11 %#lx/%#lx, want the frame's 0x1111/0x2222", what,
                  (unsigned long)io_rcx, (unsigned long)io_r11);
    if (in_syscall && (io_rcx != io_rip_want || io_r11 != want_rf))
        test_fail("%s: rcx/r11 %#lx/%#lx, want rip %#lx / rflags %#lx (Xen returns with SYSRET)", what,
                  (unsigned long)io_rcx, (unsigned long)io_r11, (unsigned long)io_rip_want,
                  (unsigned long)want_rf);
    evt_events_off();
}
