/*
 * The platform test guest's entry (tests/hvm/plat, docs/hvm.md "Tests"):
 * entered as by a Multiboot 1 loader (32-bit flat protected mode, paging
 * off, eax = 0x2BADB002, ebx = the information). It keeps both and its
 * first TSC reading, maps 0-1 GiB and 3-4 GiB identically with 2 MiB pages
 * and the local APIC's page again at 1 GiB (apic_alias: in reach of
 * RIP-relative code), enters long mode and calls plat_main. Interrupt and
 * exception stubs for the vectors plat.c uses go to plat_isr.
 */
        .section .text.head, "ax"
        .code32
        .globl _start
_start:
        mov     $stack_top, %esp
        mov     %eax, mb_magic
        mov     %ebx, mb_info
        rdtsc
        mov     %eax, tsc_entry
        mov     %edx, tsc_entry + 4
        /* pml4[0] -> pdpt; pdpt[0] -> pd0 (0-1 GiB), [1] -> pd_alias, [3] -> pd3 (3-4 GiB) */
        movl    $pdpt + 3, pml4
        movl    $pd0 + 3, pdpt
        movl    $pd_alias + 3, pdpt + 8
        movl    $pd3 + 3, pdpt + 24
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $0x83, %eax
        mov     %eax, pd0(,%ecx,8)
        add     $0xc0000000, %eax
        or      $0x10, %eax             /* PCD: device memory up there */
        mov     %eax, pd3(,%ecx,8)
        inc     %ecx
        cmp     $512, %ecx
        jne     1b
        movl    $0xfee00093, pd_alias   /* 1 GiB -> the APIC's 2 MiB frame */
        lgdt    gdt_ptr
        mov     %cr4, %eax
        or      $0x20, %eax             /* PAE */
        mov     %eax, %cr4
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x100, %eax            /* LME */
        wrmsr
        mov     %cr0, %eax
        or      $0x80000000, %eax
        mov     %eax, %cr0
        ljmp    $0x08, $1f
        .code64
1:      mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $stack_top, %rsp
        call    plat_main
        mov     $1, %al                 /* returned: crash */
        outb    %al, $0xf4
2:      cli
        hlt
        jmp     2b

/* Stubs: the vector (and a 0 where the CPU pushes no error code), then the common path. */
.macro stub vec, has_err=0
        .globl isr_\vec
isr_\vec:
        .if \has_err == 0
        pushq   $0
        .endif
        pushq   $\vec
        jmp     isr_common
.endm
        stub 13, 1
        stub 0x40
        stub 0x41
        stub 0x45
        stub 0x50
        stub 0x61
        stub 0xff

isr_common:
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
        call    plat_isr
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rax
        add     $16, %rsp
        iretq

        .section .data
        .align 16
gdt:    .quad   0
        .quad   0x00af9b000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf93000000ffff      /* 0x10: data */
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .quad   gdt
        .globl mb_magic, mb_info, tsc_entry
mb_magic:  .long 0
mb_info:   .long 0
tsc_entry: .quad 0

        .section .bss
        .align 4096
pml4:     .skip 4096
pdpt:     .skip 4096
pd0:      .skip 4096
pd3:      .skip 4096
pd_alias: .skip 4096
          .skip 16384
stack_top:
        .section .note.GNU-stack, "", @progbits
