/*
 * iret_ops: the iret hypercall returning to guest kernel mode, as Xen's
 * do_iret (pv/iret.c) and its exit path (x86_64/entry.S restore_all_guest):
 *   - cs with RPL 0-2 stays in kernel mode (RPL 3 would mean user mode);
 *     the guest runs on with cs 0xe033;
 *   - rip, rsp and rax come from the frame; rflags too, with IOPL and VM
 *     cleared and IF forced on; the frame's IF sets the event mask
 *     (evtchn_upcall_mask = !IF);
 *   - without VGCF_in_syscall rcx and r11 come from the frame;
 *   - with VGCF_in_syscall they do not: Xen returns with SYSRET, so the
 *     guest sees rcx = the new rip and r11 = the new rflags, as after a
 *     real system call (tests/guest/iret_in_syscall).
 * The frame and the checks are tests/lib/iret_check.c's.
 */
#include "iret_check.h"
#include "upcall.h"

const char test_title[] = "iret to kernel mode: registers, flags, event mask";

void test_main(void)
{
    evt_map_shared_info();
    iret_check("cs RPL 0, IF 1", FLAT_KERNEL_CS & ~3, 0x203, false);
    iret_check("cs RPL 0, IF 0", FLAT_KERNEL_CS & ~3, 0x003, false);
    iret_check("cs RPL 1, IOPL 3 in the frame", (FLAT_KERNEL_CS & ~3) | 1, 0x3203, false);
    iret_check("cs RPL 2", (FLAT_KERNEL_CS & ~3) | 2, 0x202, false);
    iret_check("cs RPL 0 with the saved mask in bits 32-39", (FLAT_KERNEL_CS & ~3) | (1UL << 32), 0x203, false);
    test_success();
}
