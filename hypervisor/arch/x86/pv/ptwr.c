/*
 * ptwr: emulation of the guest kernel writing straight into one of its own
 * (read-only mapped) L1 page-table pages, as Linux does. The write faults;
 * we decode the instruction (8-byte MOV, XCHG or CMPXCHG to memory), and
 * apply the new entry through the same checks as mmu_update. Anything else
 * is left to the guest's #PF handler, as in Xen.
 */
#include "lib.h"
#include "pv.h"
#include "guest_access.h"
#include "processor.h"

static uint64_t *reg_ptr(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
                          &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    return map[n & 15];
}

struct insn {
    unsigned int len;
    unsigned int op;        /* 0x89 mov, 0xc7 mov imm, 0x87 xchg, 0xb1 cmpxchg */
    unsigned int reg;       /* ModRM.reg with REX.R */
    int64_t imm;
};

/* Decodes the forms compilers emit for 64-bit PTE stores. False for anything else. */
static bool decode(const uint8_t *b, struct insn *in)
{
    unsigned int i = 0, rex = 0, modrm, mod, rm;

    if (b[i] == 0xf0)
        i++;                                /* lock */
    if ((b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (!(rex & 8))
        return false;                       /* only 8-byte writes */
    if (b[i] == 0x0f && b[i + 1] == 0xb1) {
        in->op = 0xb1;
        i += 2;
    } else if (b[i] == 0x89 || b[i] == 0xc7 || b[i] == 0x87) {
        in->op = b[i++];
    } else {
        return false;
    }
    modrm = b[i++];
    mod = modrm >> 6;
    rm = modrm & 7;
    if (mod == 3)
        return false;                       /* register destination: no memory write */
    in->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    if (in->op == 0xc7 && ((modrm >> 3) & 7))
        return false;
    if (rm == 4) {
        unsigned int sib = b[i++];
        if (mod == 0 && (sib & 7) == 5)
            i += 4;
    } else if (mod == 0 && rm == 5) {
        i += 4;                             /* rip-relative */
    }
    i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (in->op == 0xc7) {
        int32_t imm;
        memcpy(&imm, &b[i], 4);
        in->imm = imm;
        i += 4;
    }
    in->len = i;
    return true;
}

bool pv_ptwr_emulate(struct vcpu *v, struct cpu_user_regs *regs, uint64_t cr2)
{
    struct domain *d = v->domain;
    uint8_t bytes[16];
    struct insn in;
    mfn_t l1, pt;
    unsigned int idx;
    uint64_t *entry, old, val;
    struct page_info *pg;

    if (!v->in_kernel || (cr2 & 7) || copy_from_guest(bytes, regs->rip, sizeof(bytes)) ||
        !decode(bytes, &in))
        return false;
    /* Which frame is being written: the one the faulting VA maps. */
    if (pv_find_l1(d, v->kernel_l4, cr2, &l1, &idx))
        return false;
    entry = (uint64_t *)mfn_to_virt(l1) + idx;
    if (!(*entry & _PAGE_PRESENT))
        return false;
    pt = (*entry & PADDR_MASK) >> PAGE_SHIFT;
    pg = mfn_to_page(pt);
    if (pg->owner != d->domain_id || pg->type != PGT_l1_page_table || !(pg->flags & PGF_validated))
        return false;
    idx = (cr2 & ~PAGE_MASK) >> 3;
    old = ((uint64_t *)mfn_to_virt(pt))[idx];
    val = in.op == 0xc7 ? (uint64_t)in.imm : *reg_ptr(regs, in.reg);
    if (in.op == 0xb1 && old != regs->rax) {
        regs->rax = old;                    /* cmpxchg failed: ZF clear */
        regs->rflags &= ~X86_EFLAGS_ZF;
        regs->rip += in.len;
        return true;
    }
    if (pv_mod_entry(d, d, pt, idx, val, false))
        return false;                       /* refused: the guest sees its #PF */
    if (in.op == 0x87)
        *reg_ptr(regs, in.reg) = old;
    if (in.op == 0xb1)
        regs->rflags |= X86_EFLAGS_ZF;
    regs->rip += in.len;
    invlpg(cr2);
    d->ctr.ptwr_emulations++;
    return true;
}
