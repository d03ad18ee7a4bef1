/*
 * 64-bit entry points of the core image. The image header comes first so a
 * loader can find hv_entry64 (struct hv_image_header in bootinfo.h).
 */
#define HV_IMAGE_MAGIC 0x564849444e4154
#include "config.h"

        .section .text.header, "ax"
        .globl hv_image_header
hv_image_header:
        .quad   HV_IMAGE_MAGIC
        .quad   hv_entry64
        .quad   __image_start
        .quad   __image_end

        .text
/* From the EFI loader: rdi = struct boot_info (identity-mapped). */
        .globl hv_entry64
hv_entry64:
        cli
        lea     cpu0_stack + STACK_SIZE - 256(%rip), %rsp
        xor     %ebp, %ebp
        call    hv_main
        ud2

/* From head32.S: edi = Multiboot magic, esi = Multiboot info (physical). */
        .globl mb_entry64
mb_entry64:
        lea     cpu0_stack + STACK_SIZE - 256(%rip), %rsp
        xor     %ebp, %ebp
        call    multiboot_to_bootinfo   /* returns struct boot_info * */
        mov     %rax, %rdi
        call    hv_main
        ud2
