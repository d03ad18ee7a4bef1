/* Start of day for Tandem guest kernels: Xen ELF notes, hypercall page, entry. */
#include <tandem/elfnote.h>
#include <tandem/xen.h>

#define ELFNOTE(type, desctype, descdata...)        \
        .pushsection .note.Xen, "a", @note;         \
        .align 4;                                   \
        .long 2f - 1f;                              \
        .long 4f - 3f;                              \
        .long type;                                 \
1:      .asciz "Xen";                               \
2:      .align 4;                                   \
3:      desctype descdata;                          \
4:      .align 4;                                   \
        .popsection

        ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "Tandem-guest")
        ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "0.1")
        ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
        ELFNOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
        ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0xffffffff80000000)
        ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
        ELFNOTE(XEN_ELFNOTE_ENTRY, .quad, _start)
        ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page)
        ELFNOTE(XEN_ELFNOTE_FEATURES, .asciz, "!writable_page_tables")

        .section .text.head, "ax"
        .globl _start
_start:
        /* rsi = start_info; the builder's boot stack is one page, use our own. */
        lea     boot_stack_top(%rip), %rsp
        mov     %rsi, %rdi
        call    guest_start
1:      hlt                     /* privileged: would #GP; guest_start never returns */
        jmp     1b

        .section .text.hypercall_page, "ax"
        .align  HYPERCALL_PAGE_SIZE
        .globl  hypercall_page
hypercall_page:
        .fill   HYPERCALL_PAGE_SIZE, 1, 0xc3   /* ret; the hypervisor writes the real stubs */

        .section .bss.stack, "aw", @nobits
        .align  16
        .globl boot_stack, boot_stack_top
boot_stack:
        .skip   32768
boot_stack_top:
