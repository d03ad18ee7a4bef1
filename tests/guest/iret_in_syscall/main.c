/*
 * iret_in_syscall: iret with VGCF_in_syscall. Xen's do_iret then leaves
 * rcx/r11 alone and restore_all_guest returns with SYSRET, loading
 * rcx = the new rip and r11 = the new rflags (IOPL and VM cleared, IF set):
 * the guest sees what a real SYSRET leaves. The checks are iret_ops's
 * (tests/lib/iret_check.c).
 */
#include "iret_check.h"
#include "upcall.h"

const char test_title[] = "iret with VGCF_in_syscall: rcx = new rip, r11 = new rflags, as SYSRET";

void test_main(void)
{
    evt_map_shared_info();
    iret_check("VGCF_in_syscall, IF 1", FLAT_KERNEL_CS & ~3, 0x203, true);
    iret_check("VGCF_in_syscall, IF 0, IOPL 3", FLAT_KERNEL_CS & ~3, 0x3003, true);
    test_success();
}
