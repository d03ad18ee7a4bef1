/*
 * iret_in_syscall: iret with VGCF_in_syscall. Xen's do_iret then leaves
 * rcx/r11 alone and restore_all_guest returns with SYSRET, loading
 * rcx = the new rip and r11 = the new rflags (IOPL and VM cleared, IF set):
 * the guest sees what a real SYSRET leaves. The checks are iret_ops's.
 */
#define IRET_IN_SYSCALL 1
#include "../iret_ops/main.c"
