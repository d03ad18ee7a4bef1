/*
 * Multiboot 1 entry of the native kernel. The loader (QEMU's -kernel, or the
 * HVM domain builder, which enters it the same way) jumps to start32 in
 * 32-bit flat protected mode, paging off, eax = 0x2BADB002, ebx = the
 * physical address of the Multiboot info. We enable PAE, load the boot
 * tables (identity 0-1 GiB and the kernel map 0xffffffff80000000 + PA, both
 * through one L2 of 2 MiB pages), enter long mode, jump to the kernel map
 * and call native_start(magic, mbi). The identity half goes in mm_init.
 */
#include <arch/platform.h>

#define KVA             0xffffffff80000000
#define MB_MAGIC        0x1BADB002
#define MB_FLAGS        0x00010003      /* page-aligned modules, memory info, a.out kludge */
#define PTE_P_RW        0x003
#define PTE_PS          0x080

        .section .multiboot, "a"
        .align 4
mb_header:
        .long   MB_MAGIC
        .long   MB_FLAGS
        .long   -(MB_MAGIC + MB_FLAGS)
        /* The a.out kludge: where the file image goes (QEMU refuses an ELF64 without it). */
        .long   mb_header               /* header_addr */
        .long   _image_pa               /* load_addr */
        .long   _load_end_pa            /* load_end_addr */
        .long   _bss_end_pa             /* bss_end_addr */
        .long   start32                 /* entry_addr */

        .section .text.boot32, "ax"
        .code32
        .globl  start32
start32:
        cli
        cld
        mov     %eax, %edi              /* magic and mbi survive into long mode */
        mov     %ebx, %esi
        mov     %cr4, %eax
        or      $0x620, %eax            /* PAE, OSFXSR, OSXMMEXCPT */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx       /* EFER.LME */
        rdmsr
        or      $0x100, %eax
        wrmsr
        mov     %cr0, %eax
        and     $~0x0c, %eax            /* EM, TS off: the FPU is ours */
        or      $0x80010023, %eax       /* PG, WP, NE, MP, PE */
        mov     %eax, %cr0
        lgdt    boot_gdt_ptr
        ljmp    $NATIVE_KCODE, $start64_low

        .code64
start64_low:
        movabs  $start64, %rax
        jmp     *%rax

        .section .data.boot32, "aw"
        .align  16
boot_gdt:
        .quad   0
        .quad   0x00AF9A000000FFFF      /* NATIVE_KCODE */
        .quad   0x00CF92000000FFFF      /* NATIVE_KDATA */
boot_gdt_end:
boot_gdt_ptr:
        .word   boot_gdt_end - boot_gdt - 1
        .quad   boot_gdt

        .align  4096
        .globl  boot_pml4, boot_l3_hi, boot_l2
boot_pml4:
        .quad   boot_l3_lo + PTE_P_RW
        .fill   510, 8, 0
        .quad   boot_l3_hi + PTE_P_RW
boot_l3_lo:
        .quad   boot_l2 + PTE_P_RW
        .fill   511, 8, 0
boot_l3_hi:
        .fill   510, 8, 0
        .quad   boot_l2 + PTE_P_RW
        .quad   0                       /* mmu.c: the MMIO window (local APIC) */
boot_l2:
        .set    i, 0
        .rept   512
        .quad   (i << 21) + PTE_P_RW + PTE_PS
        .set    i, i + 1
        .endr

        .text
start64:
        mov     $NATIVE_KDATA, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        lea     boot_stack_top(%rip), %rsp
        mov     %rdi, %r12
        mov     %rsi, %r13
        lea     __bss_start(%rip), %rdi
        lea     _end(%rip), %rcx
        sub     %rdi, %rcx
        rep stosb                       /* al = 0 */
        mov     %r12, %rdi
        mov     %r13, %rsi
        call    native_start
1:      cli
        hlt
        jmp     1b

        .section .bss.stack, "aw", @nobits
        .align  16
        .globl  boot_stack_top
boot_stack:
        .skip   32768
boot_stack_top:
