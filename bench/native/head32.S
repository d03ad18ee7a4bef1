/*
 * Multiboot v1 entry of the native benchmark kernel. QEMU jumps here in
 * 32-bit protected mode with paging off. Records the TSC (the boot-time
 * figure), clears .bss, identity-maps 0-1 GiB with 2 MiB pages (user-
 * accessible, so the ring-3 benchmark loops can run from the kernel image),
 * enters long mode and calls native_main(magic, mbi, tsc_at_entry).
 */
#include "layout.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003     /* page-aligned modules, memory info */

        .section .multiboot, "a"
        .align 4
        .long   MB_MAGIC
        .long   MB_FLAGS
        .long   -(MB_MAGIC + MB_FLAGS)

        .section .text.boot32, "ax"
        .code32
        .globl  start32
start32:
        cli
        cld
        mov     %eax, boot_magic
        mov     %ebx, boot_mbi
        rdtsc
        mov     %eax, boot_tsc
        mov     %edx, boot_tsc + 4

        /* .bss holds the page tables and the stack: clear it before use. */
        mov     $__bss_start, %edi
        mov     $__bss_end, %ecx
        sub     %edi, %ecx
        shr     $2, %ecx
        xor     %eax, %eax
        rep stosl
        mov     $boot_stack_top, %esp

        mov     $boot_pd, %edi
        mov     $(PTE_P | PTE_RW | PTE_U | PTE_PS), %eax
        mov     $512, %ecx
1:      mov     %eax, (%edi)
        add     $0x200000, %eax
        add     $8, %edi
        loop    1b
        movl    $(boot_pd + PTE_P + PTE_RW + PTE_U), boot_pdpt
        movl    $(boot_pdpt + PTE_P + PTE_RW + PTE_U), boot_pml4

        mov     %cr4, %eax
        or      $0x20, %eax             /* PAE */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx       /* EFER.LME */
        rdmsr
        or      $0x100, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax       /* PG | WP | PE */
        mov     %eax, %cr0

        lgdt    boot_gdt_ptr
        ljmp    $SEL_KCODE, $start64

        .code64
start64:
        mov     $SEL_KDATA, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        mov     boot_magic(%rip), %edi
        mov     boot_mbi(%rip), %esi
        mov     boot_tsc(%rip), %rdx
        call    native_main
2:      hlt
        jmp     2b

        .data
        .align  16
boot_gdt:
        .quad   0
        .quad   0x00AF9A000000FFFF      /* SEL_KCODE: 64-bit code */
        .quad   0x00CF92000000FFFF      /* SEL_KDATA */
boot_gdt_end:
boot_gdt_ptr:
        .word   boot_gdt_end - boot_gdt - 1
        .long   boot_gdt
        .align  8
boot_tsc:       .quad 0
boot_magic:     .long 0
boot_mbi:       .long 0

        .section .bss.page_aligned, "aw", @nobits
        .align  4096
        .globl  boot_pml4, boot_pdpt
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4096
                .skip 16384
boot_stack_top:
