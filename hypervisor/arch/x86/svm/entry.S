/*
 * void svm_vmrun(struct cpu_user_regs *regs, uint64_t vmcb_pa, uint64_t host_pa):
 * one trip into an SVM guest (svm.c). Called with interrupts off. Saves the
 * host's VMLOAD state (FS/GS/TR/LDTR/KernelGsBase/STAR/...) at host_pa, loads
 * the guest's from its VMCB, loads the guest GPRs the VMCB does not hold from
 * regs, and runs it with GIF clear and IF set, so a host interrupt or NMI
 * is a #VMEXIT (intercepted) and is taken here, after the host state is back
 * and STGI, as an interrupt of hypervisor code. rax, rsp, rip and rflags are
 * the VMCB's (svm.c copies them). Returns with interrupts off.
 */
#define R15 0
#define R14 8
#define R13 16
#define R12 24
#define RBP 32
#define RBX 40
#define R11 48
#define R10 56
#define R9  64
#define R8  72
#define RAX 80
#define RCX 88
#define RDX 96
#define RSI 104
#define RDI 112

        .text
        .globl svm_vmrun
svm_vmrun:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rdi                    /* 16(%rsp): regs */
        push    %rdx                    /*  8(%rsp): host save area */
        push    %rsi                    /*  0(%rsp): guest VMCB */
        mov     %rdx, %rax
        vmsave
        mov     (%rsp), %rax
        vmload
        clgi
        sti
        mov     R15(%rdi), %r15
        mov     R14(%rdi), %r14
        mov     R13(%rdi), %r13
        mov     R12(%rdi), %r12
        mov     RBP(%rdi), %rbp
        mov     RBX(%rdi), %rbx
        mov     R11(%rdi), %r11
        mov     R10(%rdi), %r10
        mov     R9(%rdi), %r9
        mov     R8(%rdi), %r8
        mov     RCX(%rdi), %rcx
        mov     RDX(%rdi), %rdx
        mov     RSI(%rdi), %rsi
        mov     RDI(%rdi), %rdi
        vmrun
        push    %rdi
        mov     24(%rsp), %rdi
        mov     %r15, R15(%rdi)
        mov     %r14, R14(%rdi)
        mov     %r13, R13(%rdi)
        mov     %r12, R12(%rdi)
        mov     %rbp, RBP(%rdi)
        mov     %rbx, RBX(%rdi)
        mov     %r11, R11(%rdi)
        mov     %r10, R10(%rdi)
        mov     %r9, R9(%rdi)
        mov     %r8, R8(%rdi)
        mov     %rcx, RCX(%rdi)
        mov     %rdx, RDX(%rdi)
        mov     %rsi, RSI(%rdi)
        pop     %rax
        mov     %rax, RDI(%rdi)
        mov     (%rsp), %rax
        vmsave
        mov     8(%rsp), %rax
        vmload
        stgi                            /* IF is set: a pending host interrupt is taken here */
        cli
        add     $24, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
