/*
 * ptwr: emulation of the guest kernel writing straight into one of its own
 * (read-only mapped) L1 page-table pages, as Linux does. The write faults;
 * we decode the instruction, compute the new 8-byte entry (merging a 1-,
 * 2- or 4-byte write into it, as Xen's ptwr_emulated_update does) and apply
 * it through the same checks as mmu_update. Forms handled: MOV, XCHG,
 * CMPXCHG, OR/AND/XOR/ADD/SUB (register or immediate) and BTS/BTR/BTC with
 * an immediate bit, each with or without LOCK. Anything else is left to the
 * guest's #PF handler, as in Xen.
 */
#include "lib.h"
#include "pv.h"
#include "guest_access.h"
#include "processor.h"

#define MAX_INSN_LEN 15           /* the architectural limit on an instruction's length */

enum op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_OR, OP_AND, OP_XOR, OP_ADD, OP_SUB, OP_BTS, OP_BTR, OP_BTC };

struct insn {
    unsigned int len, width;    /* bytes of the instruction, of the memory operand */
    enum op op;
    bool has_imm;
    uint64_t imm;
    unsigned int reg;           /* ModRM.reg with REX.R: source register */
};

static const enum op alu_ops[8] = { OP_ADD, OP_OR, OP_MOV /* adc */, OP_MOV /* sbb */,
                                    OP_AND, OP_SUB, OP_XOR, OP_MOV /* cmp */ };

/*
 * Bytes of ModRM, SIB and displacement at b (n bytes available); 0 for a
 * register operand or when they would run past the n bytes.
 */
static unsigned int modrm_len(const uint8_t *b, unsigned int n)
{
    unsigned int mod, rm, len = 1;

    if (n < 1)
        return 0;
    mod = b[0] >> 6;
    rm = b[0] & 7;
    if (mod == 3)
        return 0;
    if (rm == 4) {
        if (n < 2)
            return 0;
        len++;
        if (mod == 0 && (b[1] & 7) == 5)
            len += 4;
    } else if (mod == 0 && rm == 5) {
        len += 4;
    }
    len += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    return len <= n ? len : 0;
}

/*
 * Decodes the instruction in b[0..n) (n <= MAX_INSN_LEN: an x86 instruction
 * is at most 15 bytes, and nothing past the n bytes is read); false for
 * anything not handled or longer than n.
 */
static bool decode(const uint8_t *b, unsigned int n, struct insn *in)
{
    unsigned int i = 0, rex = 0, opsz = 4, op, ml, sub, immlen;
    bool byte = false, imm8 = false, imm = false;

    in->imm = 0;
    for (;; i++) {
        if (i + 2 > n)
            return false;               /* prefixes alone: no opcode and ModRM left */
        /* lock and segment overrides (CR2 already is the linear address) */
        if (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x26 ||
            b[i] == 0x64 || b[i] == 0x65)
            continue;
        if (b[i] == 0x66) {
            opsz = 2;
            continue;
        }
        break;
    }
    if ((b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (rex & 8)
        opsz = 8;
    op = b[i++];
    if (op == 0x0f && i < n)
        op = 0x100 | b[i++];
    if (i >= n)
        return false;                   /* no ModRM byte */
    sub = (b[i] >> 3) & 7;
    switch (op) {
    case 0x88: byte = true; /* fall through */
    case 0x89: in->op = OP_MOV; break;
    case 0xc6: byte = true; /* fall through */
    case 0xc7: in->op = OP_MOV; imm = true; if (sub) return false; break;
    case 0x86: byte = true; /* fall through */
    case 0x87: in->op = OP_XCHG; break;
    case 0x1b0: byte = true; /* fall through */
    case 0x1b1: in->op = OP_CMPXCHG; break;
    case 0x08: byte = true; /* fall through */
    case 0x09: in->op = OP_OR; break;
    case 0x20: byte = true; /* fall through */
    case 0x21: in->op = OP_AND; break;
    case 0x30: byte = true; /* fall through */
    case 0x31: in->op = OP_XOR; break;
    case 0x00: byte = true; /* fall through */
    case 0x01: in->op = OP_ADD; break;
    case 0x28: byte = true; /* fall through */
    case 0x29: in->op = OP_SUB; break;
    case 0x80: byte = true; imm = true; in->op = alu_ops[sub]; break;
    case 0x81: imm = true; in->op = alu_ops[sub]; break;
    case 0x83: imm8 = true; in->op = alu_ops[sub]; break;
    case 0x1ba:
        if (sub < 5)
            return false;
        in->op = sub == 5 ? OP_BTS : sub == 6 ? OP_BTR : OP_BTC;
        imm8 = true;
        break;
    default:
        return false;
    }
    if ((op == 0x80 || op == 0x81 || op == 0x83) && (sub == 2 || sub == 3 || sub == 7))
        return false;                       /* adc, sbb, cmp: not PTE updates */
    in->width = byte ? 1 : opsz;
    in->reg = ((b[i] >> 3) & 7) | ((rex & 4) << 1);
    if (!(ml = modrm_len(&b[i], n - i)))
        return false;
    i += ml;
    in->has_imm = imm || imm8;
    immlen = imm8 ? 1 : !imm ? 0 : in->width == 1 ? 1 : in->width == 2 ? 2 : 4;
    if (i + immlen > n)
        return false;
    if (imm8) {
        in->imm = (uint64_t)(int64_t)(int8_t)b[i];
        i += 1;
    } else if (imm) {
        int64_t v = immlen == 1 ? (int8_t)b[i] : immlen == 2 ? (int16_t)(b[i] | b[i + 1] << 8) :
                    (int32_t)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (uint32_t)b[i + 3] << 24);
        in->imm = (uint64_t)v;
        i += immlen;
    }
    in->len = i;
    return true;
}

/*
 * Applies the instruction to `cur` (the operand's current value) and sets
 * the flags it defines in *flags, a copy: the guest's RFLAGS change only
 * once the write is accepted (a refused one leaves them for its #PF).
 */
static uint64_t apply(const struct insn *in, uint64_t cur, uint64_t src, uint64_t rax,
                      uint64_t mask, uint64_t *flags, bool *write)
{
    uint64_t res = cur;
    unsigned int bit = src & (in->width * 8 - 1);

    *write = true;
    switch (in->op) {
    case OP_MOV: case OP_XCHG: res = src; break;
    case OP_OR:  res = cur | src; break;
    case OP_AND: res = cur & src; break;
    case OP_XOR: res = cur ^ src; break;
    case OP_ADD: res = cur + src; break;
    case OP_SUB: res = cur - src; break;
    case OP_CMPXCHG:
        if ((rax & mask) != cur) {
            *flags &= ~X86_EFLAGS_ZF;
            *write = false;
            return cur;
        }
        *flags |= X86_EFLAGS_ZF;
        res = src;
        break;
    case OP_BTS: case OP_BTR: case OP_BTC:
        *flags = (*flags & ~X86_EFLAGS_CF) | ((cur >> bit) & 1 ? X86_EFLAGS_CF : 0);
        res = in->op == OP_BTS ? cur | (1ULL << bit) : in->op == OP_BTR ? cur & ~(1ULL << bit) :
              cur ^ (1ULL << bit);
        break;
    }
    res &= mask;
    if (in->op >= OP_OR && in->op <= OP_SUB)
        *flags = (*flags & ~X86_EFLAGS_ZF) | (res ? 0 : X86_EFLAGS_ZF);
    return res;
}

/*
 * The instruction's bytes at rip: 15, or as many as are readable before the
 * next page when that page is not (an instruction near the end of its
 * page). Returns how many were read, 0 if none.
 */
static unsigned int fetch_insn(uint64_t rip, uint8_t *b)
{
    unsigned int n = MIN((unsigned int)MAX_INSN_LEN, (unsigned int)(PAGE_SIZE - (rip & ~PAGE_MASK)));

    if (!copy_from_guest(b, rip, MAX_INSN_LEN))
        return MAX_INSN_LEN;
    return n < MAX_INSN_LEN && !copy_from_guest(b, rip, n) ? n : 0;
}

bool pv_ptwr_emulate(struct vcpu *v, struct cpu_user_regs *regs, uint64_t cr2)
{
    struct domain *d = v->domain;
    uint8_t bytes[MAX_INSN_LEN];
    struct insn in;
    mfn_t l1, pt;
    unsigned int idx, shift, nbytes;
    uint64_t *entry, old, mask, cur, src, res, flags = regs->rflags;
    struct page_info *pg;
    bool write;

    if (!v->arch.pv.in_kernel || !(nbytes = fetch_insn(regs->rip, bytes)) || !decode(bytes, nbytes, &in))
        return false;
    shift = (cr2 & 7) * 8;
    if ((cr2 & 7) + in.width > 8)
        return false;                       /* must stay within one entry */
    /* Which frame is being written: the one the faulting VA maps (also through a linear link). */
    if (pv_walk_pte(d, v->arch.pv.kernel_l4, cr2, &l1, &idx))
        return false;
    entry = (uint64_t *)mfn_to_virt(l1) + idx;
    if (!(*entry & _PAGE_PRESENT))
        return false;
    pt = (*entry & PADDR_MASK) >> PAGE_SHIFT;
    if (!mfn_valid(pt))
        return false;                       /* I/O space (a read-only MSI-X frame): never a page table */
    pg = mfn_to_page(pt);
    if (pg->owner != d->domain_id || pg->type != PGT_l1_page_table || !(pg->flags & PGF_validated))
        return false;
    idx = (cr2 & ~PAGE_MASK) >> 3;
    old = ((uint64_t *)mfn_to_virt(pt))[idx];
    mask = in.width == 8 ? ~0ULL : (1ULL << (in.width * 8)) - 1;
    cur = (old >> shift) & mask;
    src = (in.has_imm ? in.imm : *pv_gpr(regs, in.reg)) & mask;
    if (in.op >= OP_BTS)
        src = in.imm;
    res = apply(&in, cur, src, regs->rax, mask, &flags, &write);
    if (write && pv_mod_entry(d, d, pt, idx, (old & ~(mask << shift)) | (res << shift), false))
        return false;                       /* refused: the guest sees its #PF, flags as they were */
    regs->rflags = flags;
    if (in.op == OP_XCHG || (in.op == OP_CMPXCHG && !write)) {
        uint64_t *r = in.op == OP_XCHG ? pv_gpr(regs, in.reg) : &regs->rax;
        *r = in.width >= 4 ? cur : (*r & ~mask) | cur;  /* 32-bit results zero-extend */
    }
    regs->rip += in.len;
    invlpg(cr2);
    d->ctr.ptwr_emulations++;
    return true;
}
