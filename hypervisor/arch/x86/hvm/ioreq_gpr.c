/*
 * Where a device model's answer to a read goes: x86's rules for writing a
 * general register (hvm.h, hvm_ioreq_write_gpr). Alone in its file so the
 * host unit test (tests/unit/test_ioreq_gpr.c) links it as it is.
 */
#include "hvm.h"

void hvm_ioreq_write_gpr(struct cpu_user_regs *r, unsigned int gpr, unsigned int size, uint64_t val)
{
    uint64_t *const gprs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
                                 &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    uint64_t *g;

    if (gpr >= HVM_IOREQ_GPR_AH && gpr < HVM_IOREQ_GPR_AH + 4) {
        g = gprs[gpr - HVM_IOREQ_GPR_AH];
        *g = (*g & ~0xff00ULL) | ((val & 0xff) << 8);
        return;
    }
    if (gpr >= 16)
        return;
    g = gprs[gpr];
    switch (size) {
    case 1: *g = (*g & ~0xffULL) | (val & 0xff); break;
    case 2: *g = (*g & ~0xffffULL) | (val & 0xffff); break;
    case 4: *g = val & 0xffffffff; break;       /* a 32-bit operand zero-extends */
    case 8: *g = val; break;
    }
}
