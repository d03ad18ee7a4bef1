/* Notes read after head.S's (kernel.ld puts .note.Xen.hostile last), so these override them. */
#include <tandem/elfnote.h>

#define NOTE(type, value)                           \
        .pushsection .note.Xen.hostile, "a", @note; \
        .align 4;                                   \
        .long 4, 8, type;                           \
        .asciz "Xen";                               \
        .quad value;                                \
        .popsection

/* p_paddr starts at 0x400000 (kernel.ld): segments at 0xffff880000000000 and up. */
        NOTE(XEN_ELFNOTE_VIRT_BASE, 0xffff87ffffc00000)
        NOTE(XEN_ELFNOTE_ENTRY, 0xffff880000000000)
        NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, 0xffff880000001000)
