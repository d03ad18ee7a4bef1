/*
 * Last step of tandem.efi, after ExitBootServices: enter the core on our
 * page tables, stack and GDT (all in memory the core keeps reserved).
 * void handoff(u64 cr3, u64 stack_top, u64 entry, struct boot_info *bi, u64 gdt)
 * SysV arguments: rdi, rsi, rdx, rcx, r8.
 */
#define MSR_EFER    0xc0000080
#define EFER_NXE    (1 << 11)
#define CR0_WP      (1 << 16)

        .text
        .globl handoff
handoff:
        cli
        mov     %rdx, %r10              /* entry: rdmsr/wrmsr clobber rdx */
        mov     %rcx, %r9               /* boot_info */

        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_NXE, %eax
        wrmsr

        mov     %cr0, %rax
        or      $CR0_WP, %rax
        mov     %rax, %cr0

        mov     %rdi, %cr3              /* this code is identity-mapped in it */
        mov     %rsi, %rsp

        /* GDT and an empty IDT: the firmware's live in memory the core may reuse. */
        sub     $16, %rsp
        movw    $(3 * 8 - 1), (%rsp)
        mov     %r8, 2(%rsp)
        lgdt    (%rsp)
        movw    $0, (%rsp)
        movq    $0, 2(%rsp)
        lidt    (%rsp)
        add     $16, %rsp

        pushq   $0x08
        lea     1f(%rip), %rax
        push    %rax
        lretq
1:      mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs

        pushq   $0                      /* fake return address: rsp % 16 == 8 at entry */
        mov     %r9, %rdi
        xor     %ebp, %ebp
        jmp     *%r10

        .section .note.GNU-stack, "", @progbits
