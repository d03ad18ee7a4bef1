/*
 * The PV hypercall entry: a 64-bit PV guest kernel makes hypercalls with
 * SYSCALL (rax = number, rdi rsi rdx r10 r8 = arguments, result in rax), and
 * a continuation re-executes that SYSCALL. Dispatch itself is common
 * (common/hypercall.c), as are multicalls (common/multicall.c).
 */
#include "lib.h"
#include "pv.h"
#include "hypercall.h"
#include <tandem/xen.h>

#define SYSCALL_INSN_LEN 2      /* 0f 05 */

__pv_fast void pv_hypercall(struct cpu_user_regs *regs)
{
    unsigned long nr = regs->rax;
    long ret = hypercall_dispatch(nr, regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8);

    if (nr != __HYPERVISOR_iret)    /* iret rewrote the whole frame */
        regs->rax = ret;
}

void pv_hypercall_continuation(struct cpu_user_regs *regs, unsigned long nr,
                               uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    regs->rip -= SYSCALL_INSN_LEN;  /* back onto the SYSCALL */
    regs->rax = nr;
    regs->rdi = a1;
    regs->rsi = a2;
    regs->rdx = a3;
    regs->r10 = a4;
}
