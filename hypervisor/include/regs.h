/*
 * struct cpu_user_regs: the frame every entry into the hypervisor builds on
 * its stack (hardware part on top, GPRs below). Its offsets are used by
 * entry.S; asm-offsets are checked by BUILD_BUG_ON in traps.c.
 */
#ifndef TANDEM_REGS_H
#define TANDEM_REGS_H

#include "types.h"

struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;      /* 0-255 exceptions/IRQs, ENTRY_SYSCALL */
    uint64_t rip, cs, rflags, rsp, ss;
};

#define ENTRY_SYSCALL   0x100
#define REGS_SIZE       168

#define X86_EFLAGS_CF   0x00000001
#define X86_EFLAGS_MBS  0x00000002
#define X86_EFLAGS_PF   0x00000004
#define X86_EFLAGS_AF   0x00000010
#define X86_EFLAGS_ZF   0x00000040
#define X86_EFLAGS_SF   0x00000080
#define X86_EFLAGS_TF   0x00000100
#define X86_EFLAGS_IF   0x00000200
#define X86_EFLAGS_DF   0x00000400
#define X86_EFLAGS_OF   0x00000800
#define X86_EFLAGS_IOPL 0x00003000
#define X86_EFLAGS_NT   0x00004000
#define X86_EFLAGS_RF   0x00010000
#define X86_EFLAGS_VM   0x00020000
#define X86_EFLAGS_AC   0x00040000
#define X86_EFLAGS_VIF  0x00080000
#define X86_EFLAGS_VIP  0x00100000
#define X86_EFLAGS_ID   0x00200000

static inline bool guest_mode(const struct cpu_user_regs *r)
{
    return (r->cs & 3) == 3;
}

#endif
