/*
 * One iret hypercall to kernel mode and the checks on what the guest sees
 * after it, as Xen's do_iret (pv/iret.c) and restore_all_guest: the frame
 * has cs (RPL 0-2) and rflags as given, rsp 256 below the current one,
 * rcx/r11/rax 0x1111/0x2222/0x3333, and VGCF_in_syscall when in_syscall.
 * Reports FAILURE naming `what` on any mismatch. Needs evt_map_shared_info().
 */
#ifndef TANDEM_TEST_IRET_CHECK_H
#define TANDEM_TEST_IRET_CHECK_H

#include "test.h"

void iret_check(const char *what, uint64_t cs, uint64_t rflags, bool in_syscall);

#endif
