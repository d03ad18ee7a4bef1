/*
 * The shadow-consistency test guest's start (tests/hvm/shadow/, docs/hvm.md
 * "Shadow paging"): the 32-bit flat entry (paging off: the identity
 * shadow; either boot protocol's magic), page tables identity-mapping the first 1 GiB with 2 MiB pages
 * (user-accessible, so ring 3 can run the probes), long mode, then
 * shadow_main(memory bytes) in C. Also the trap entry stubs, the probes
 * (one instruction each, at a known address, so a #PF or #GP there can be
 * fixed up by the handler) and the ring-3 excursion.
 */
#define PORT  0xe9
#define MAGIC 0x54484d31          /* the first HVM boot protocol: ebx = memory bytes */
#define MB_MAGIC 0x2badb002       /* Multiboot 1: ebx = the information (mem_upper KiB at +8) */

        .section .text
        .code32
        .globl _start
_start:
        mov     $stack_top, %esp
        cmp     $MB_MAGIC, %eax
        jne     3f
        mov     8(%ebx), %eax
        add     $1024, %eax
        shl     $10, %eax
        mov     %eax, mem_bytes
        jmp     4f
3:      cmp     $MAGIC, %eax
        jne     1f
        mov     %ebx, mem_bytes
4:
        mov     $boot_pdpt, %eax
        or      $7, %eax
        mov     %eax, boot_pml4
        mov     $boot_pd, %eax
        or      $7, %eax
        mov     %eax, boot_pdpt
        xor     %ecx, %ecx
2:      mov     %ecx, %eax
        shl     $21, %eax
        or      $0x87, %eax             /* P RW US PS */
        mov     %eax, boot_pd(,%ecx,8)
        inc     %ecx
        cmp     $512, %ecx
        jne     2b
        lgdt    gdt_ptr
        mov     %cr4, %eax
        or      $0x20, %eax
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x100, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010000, %eax       /* PG, WP */
        mov     %eax, %cr0
        ljmp    $0x08, $long_mode
1:      mov     $1, %eax                /* bad magic: crash */
        mov     $2, %edi
        vmmcall
        hlt

        .code64
long_mode:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $stack_top, %rsp
        mov     mem_bytes(%rip), %edi
        call    shadow_main
        cli
        hlt

/* Traps: the C handler gets the saved registers and the hardware frame (struct tframe). */
        .macro  TRAP name, vec, has_ec
        .globl  \name
\name:
        .if     \has_ec == 0
        pushq   $0
        .endif
        push    %rax
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        mov     %rsp, %rdi
        mov     $\vec, %esi
        call    trap_c
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rax
        add     $8, %rsp
        iretq
        .endm
        TRAP    trap_pf, 14, 1
        TRAP    trap_gp, 13, 1
        TRAP    trap_ud, 6, 0

/* Probes: rdi = address (rsi = value); the handler moves RIP from *_insn to *_fix on a fault. */
        .globl  probe_read, pr_insn, pr_fix, probe_write, pw_insn, pw_fix, probe_exec
        .globl  probe_wrcr0, pc0_insn, pc0_fix, probe_wrcr4, pc4_insn, pc4_fix
        .globl  probe_wrcr3, pc3_insn, pc3_fix, probe_wrmsr, pm_insn, pm_fix
probe_read:
pr_insn: mov    (%rdi), %rax
pr_fix: ret
probe_write:
pw_insn: mov    %rsi, (%rdi)
pw_fix: ret
probe_exec:
        call    *%rdi                   /* a fetch fault returns as if the target had done ret */
        ret
probe_wrcr0:
pc0_insn: mov   %rdi, %cr0
pc0_fix: ret
probe_wrcr4:
pc4_insn: mov   %rdi, %cr4
pc4_fix: ret
probe_wrcr3:
pc3_insn: mov   %rdi, %cr3
pc3_fix: ret
probe_wrmsr:                            /* edi = MSR, rsi = value */
        mov     %edi, %ecx
        mov     %esi, %eax
        mov     %rsi, %rdx
        shr     $32, %rdx
pm_insn: wrmsr
pm_fix: ret

/* user_call(fn, arg): run fn(arg) in ring 3 (it ends with int $0x80); returns its rax. */
        .globl  user_call, user_read, ur_insn, ur_fix, user_write, uw_insn, uw_fix, trap_back
user_call:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, kernel_rsp(%rip)
        pushq   $0x1b                   /* user data | 3 */
        lea     user_stack_top(%rip), %rax
        push    %rax
        pushq   $0x2
        pushq   $0x23                   /* user code | 3 */
        push    %rdi                    /* rip = fn */
        mov     %rsi, %rdi              /* its argument */
        iretq
trap_back:                              /* int $0x80 from ring 3 (a DPL-3 gate) */
        mov     kernel_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret
user_read:                              /* ring 3: rax = *(rdi), then back */
ur_insn: mov    (%rdi), %rax
ur_fix: int     $0x80
user_write:
uw_insn: movq   $0x5a5a, (%rdi)
uw_fix: int     $0x80

        .section .data
        .align  16
gdt:    .quad   0
        .quad   0x00af9b000000ffff      /* 0x08: kernel code 64 */
        .quad   0x00cf93000000ffff      /* 0x10: kernel data */
        .quad   0x00cff3000000ffff      /* 0x18: user data (0x1b) */
        .quad   0x00affb000000ffff      /* 0x20: user code 64 (0x23) */
tss_desc:
        .quad   0                       /* 0x28: the TSS (shadow_main fills it, then ltr) */
        .quad   0
gdt_end:
        .globl  gdt, tss_desc
gdt_ptr:
        .word   gdt_end - gdt - 1
        .quad   gdt
        .globl  mem_bytes
mem_bytes: .quad 0
kernel_rsp: .quad 0

        .section .bss
        .align  4096
        .globl  boot_pml4, boot_pdpt, boot_pd
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096
        .skip   16384
        .globl  stack_top
stack_top:
        .skip   8192
        .globl  user_stack_top
user_stack_top:

        .section .note.GNU-stack,"",@progbits
