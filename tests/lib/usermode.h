/*
 * Short code sequences in guest user mode (for tests of what Xen allows
 * there: port I/O, cli/sti, CPUID faulting ...).
 *
 * um_init() builds a user address space of its own (a user L4 mapping one
 * code page r-x at UM_CODE and one stack page rw- below UM_STACK_TOP),
 * makes it the vCPU's user page table (MMUEXT_NEW_USER_BASEPTR), gives the
 * kernel a stack_switch stack and registers a syscall callback. It needs
 * traps_set_exceptions() (traps.h) for the faults to come back.
 *
 * um_run(code, len, rflags, &r) copies the bytes to UM_CODE and enters
 * them by iret with rflags (IF is forced on; IOPL bits are what the
 * caller passes, which matters with VMASST_TYPE_architectural_iopl). The
 * code ends with `syscall`; um_run returns when it gets there (r.vector =
 * UM_SYSCALL) or when any exception leaves user mode first (r.vector, r.err).
 * r.rflags is the rflags word of the frame the kernel was given. rax, rbx,
 * rcx, rdx start as r.rax..r.rdx and come back as user mode left them (at a
 * syscall; rcx is then the return address, as SYSCALL makes it).
 */
#ifndef TANDEM_TEST_USERMODE_H
#define TANDEM_TEST_USERMODE_H

#include "traps.h"

#define UM_CODE       0x400000UL
#define UM_STACK_TOP  0x402000UL
#define UM_SYSCALL    0x100U            /* r.vector: the code reached its syscall */

struct um_regs {
    unsigned int vector;
    uint64_t err;                       /* error code, if the vector has one */
    uint64_t rip, cs, rflags;           /* from the frame the kernel got */
    uint64_t rax, rbx, rcx, rdx;
};

/* Reports ERROR and returns false if the user address space cannot be built. */
bool um_init(void);
void um_run(const void *code, size_t len, uint64_t rflags, struct um_regs *r);

#endif
