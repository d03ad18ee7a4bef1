/*
 * Multiboot v1 entry: QEMU (or GRUB) jumps here in 32-bit protected mode.
 * Builds throw-away page tables (identity 0-4 GiB and the image at
 * HV_VIRT_BASE), enters long mode and calls mb_entry64(magic, mbi).
 */
#define MB_MAGIC  0x1BADB002
#define MB_FLAGS  0x00000003        /* page-aligned modules, memory info */

        .section .boot32.header, "a"
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .section .boot32, "ax"
        .code32
        .globl mb_start32
mb_start32:
        cli
        cld
        mov     $boot32_stack_top, %esp
        mov     %eax, %ebp              /* multiboot magic */
        mov     %ebx, %esi              /* multiboot info (physical) */

        /* Clear the 7 table pages. */
        mov     $boot_pml4, %edi
        xor     %eax, %eax
        mov     $(7 * 4096 / 4), %ecx
        rep stosl

        /* 4 page directories: identity 0-4 GiB with 2 MiB pages. */
        mov     $boot_pd, %edi
        mov     $0x83, %eax             /* P | RW | PS */
        xor     %edx, %edx
        mov     $2048, %ecx
1:      mov     %eax, (%edi)
        mov     %edx, 4(%edi)
        add     $0x200000, %eax
        adc     $0, %edx
        add     $8, %edi
        loop    1b

        /* Low PDPT: 4 entries -> the 4 directories. */
        mov     $boot_pdpt_low, %edi
        mov     $(boot_pd + 0x3), %eax
        mov     $4, %ecx
2:      mov     %eax, (%edi)
        add     $4096, %eax
        add     $8, %edi
        loop    2b

        /* High PDPT slot 322 -> first directory (phys 0-1 GiB at HV_VIRT_BASE). */
        movl    $(boot_pd + 0x3), boot_pdpt_high + 322 * 8
        movl    $(boot_pdpt_low + 0x3), boot_pml4
        movl    $(boot_pdpt_high + 0x3), boot_pml4 + 261 * 8

        mov     %cr4, %eax
        or      $0x20, %eax             /* PAE */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx       /* EFER: LME | NXE | SCE */
        rdmsr
        or      $0x901, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax       /* PG | WP | PE */
        mov     %eax, %cr0

        lgdt    boot_gdt_ptr
        ljmp    $0x08, $start64_low

        .code64
start64_low:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %ebp, %edi              /* arg0: magic (zero-extended) */
                                        /* arg1 (rsi): mbi, already there */
        movabs  $mb_entry64, %rax
        jmp     *%rax

        .section .boot32.data, "a"
        .align 16
boot_gdt:
        .quad   0
        .quad   0x00AF9A000000FFFF      /* 0x08: 64-bit code */
        .quad   0x00CF92000000FFFF      /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
        .word   boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

        .section .boot32.bss, "aw", @nobits
        .align 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
                .skip 4096
boot32_stack_top:
