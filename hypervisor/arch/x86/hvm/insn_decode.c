/*
 * The pure part of the HVM instruction decoder (docs/hvm.md "The decoder",
 * insn_decode.h): what an MMIO MOV, an intercepted instruction or a string
 * I/O instruction is, from its bytes alone. The bytes are the guest's:
 * every read is bounded by n, every length by n and HVM_MAX_INSN. The
 * caller (hvm/emulate.c) fetches them and does the access.
 */
#include "insn_decode.h"

/* The guest's general register `idx` (0 rax .. 15 r15, the ModRM order). */
static uint64_t *gpr(struct cpu_user_regs *r, unsigned int idx)
{
    switch (idx) {
    case 0: return &r->rax;
    case 1: return &r->rcx;
    case 2: return &r->rdx;
    case 3: return &r->rbx;
    case 4: return &r->rsp;
    case 5: return &r->rbp;
    case 6: return &r->rsi;
    case 7: return &r->rdi;
    case 8: return &r->r8;
    case 9: return &r->r9;
    case 10: return &r->r10;
    case 11: return &r->r11;
    case 12: return &r->r12;
    case 13: return &r->r13;
    case 14: return &r->r14;
    default: return &r->r15;
    }
}

uint64_t hvm_reg_read(const struct cpu_user_regs *cr, unsigned int idx, unsigned int size, bool rex)
{
    struct cpu_user_regs *r = (struct cpu_user_regs *)cr;     /* gpr() only reads here */

    if (size == 1 && !rex && idx >= 4 && idx < 8)
        return (*gpr(r, idx - 4) >> 8) & 0xff;
    switch (size) {
    case 1: return *gpr(r, idx) & 0xff;
    case 2: return *gpr(r, idx) & 0xffff;
    case 4: return *gpr(r, idx) & 0xffffffff;
    default: return *gpr(r, idx);
    }
}

void hvm_reg_write(struct cpu_user_regs *r, unsigned int idx, unsigned int size, bool rex, uint64_t v)
{
    uint64_t *p;

    if (size == 1 && !rex && idx >= 4 && idx < 8) {
        p = gpr(r, idx - 4);
        *p = (*p & ~0xff00ULL) | ((v & 0xff) << 8);
        return;
    }
    p = gpr(r, idx);
    switch (size) {
    case 1: *p = (*p & ~0xffULL) | (v & 0xff); break;
    case 2: *p = (*p & ~0xffffULL) | (v & 0xffff); break;
    case 4: *p = v & 0xffffffff; break;
    default: *p = v; break;
    }
}

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x66: case 0x67: case 0xf2: case 0xf3:
    case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
        return true;
    default:
        return false;
    }
}

const char *hvm_decode_mmio(const uint8_t *b, unsigned int n, unsigned int bits, struct hvm_mmio_insn *in)
{
    unsigned int i = 0, opsz, mod, rm, immlen = 0;
    bool o16 = false, a16 = false, a32 = false, two = false;
    uint8_t rex = 0, op, modrm;

    *in = (struct hvm_mmio_insn){ 0 };
    if (bits == 16)
        return "16-bit code";
    for (;; i++) {
        if (i >= n)
            return "truncated";
        if (b[i] == 0x66)
            o16 = true;
        else if (b[i] == 0x67) {
            a16 = bits == 32;           /* 32-bit code: 16-bit addressing; 64-bit code: 32-bit */
            a32 = bits == 64;
        }
        else if (b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x64 ||
                 b[i] == 0x65)
            ;                           /* the fault's gpa already includes any segment base */
        else if (b[i] == 0xf0 || b[i] == 0xf2 || b[i] == 0xf3)
            return "LOCK/REP prefix";
        else if (bits == 64 && (b[i] & 0xf0) == 0x40) {
            rex = b[i];
            if (i + 1 < n && (is_legacy_prefix(b[i + 1]) || (b[i + 1] & 0xf0) == 0x40))
                rex = 0;                /* a REX not right before the opcode is ignored */
        } else
            break;
        if (i + 1 >= HVM_MAX_INSN)
            return "too many prefixes";
    }
    if (a16)
        return "16-bit addressing";
    op = b[i++];
    opsz = (rex & 8) ? 8 : o16 ? 2 : 4;
    if (op >= 0xa0 && op <= 0xa3) {     /* MOV AL/eAX <-> moffs: no ModRM, an absolute offset */
        unsigned int moffs = bits == 64 && !a32 ? 8 : 4;
        in->reg = 0;
        in->rex = rex != 0;
        in->size = (op & 1) ? opsz : 1;
        in->dsize = in->size;
        in->write = op >= 0xa2;
        if (i + moffs > HVM_MAX_INSN)
            return "longer than 15 bytes";
        if (i + moffs > n)
            return "truncated";
        in->len = i + moffs;
        return NULL;
    }
    if (op == 0x0f) {
        if (i >= n)
            return "truncated";
        op = b[i++];
        two = true;
        if (op != 0xb6 && op != 0xb7)
            return "not a MOV or MOVZX";
    } else if (op != 0x88 && op != 0x89 && op != 0x8a && op != 0x8b && op != 0xc6 && op != 0xc7)
        return "not a MOV or MOVZX";
    if (i >= n)
        return "truncated";
    modrm = b[i++];
    mod = modrm >> 6;
    rm = modrm & 7;
    in->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    in->rex = rex != 0;
    if (mod == 3)
        return "a register operand, not memory";
    if (rm == 4) {                      /* SIB */
        if (i >= n)
            return "truncated";
        if ((b[i++] & 7) == 5 && mod == 0)
            i += 4;                     /* no base: disp32 */
    } else if (rm == 5 && mod == 0)
        i += 4;                         /* disp32 (RIP-relative in 64-bit code) */
    i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    switch (two ? 0x0f00 | op : op) {
    case 0x88: in->size = 1; in->write = true; break;
    case 0x89: in->size = opsz; in->write = true; break;
    case 0x8a: in->size = 1; break;
    case 0x8b: in->size = opsz; break;
    case 0xc6: in->size = 1; in->write = in->imm = true; immlen = 1; break;
    case 0xc7: in->size = opsz; in->write = in->imm = true; immlen = opsz == 2 ? 2 : 4; break;
    case 0x0fb6: in->size = 1; in->dsize = opsz; break;
    case 0x0fb7: in->size = 2; in->dsize = opsz; break;
    }
    if ((op == 0xc6 || op == 0xc7) && !two && (modrm & 0x38))
        return "C6/C7 with a reg field other than /0";
    if (i + immlen > HVM_MAX_INSN)
        return "longer than 15 bytes";
    if (i + immlen > n)
        return "truncated";
    for (unsigned int k = 0; k < immlen; k++)
        in->immval |= (uint64_t)b[i + k] << (8 * k);
    if (immlen == 4 && in->size == 8)
        in->immval = (uint64_t)(int64_t)(int32_t)in->immval;    /* imm32 sign-extended */
    if (!in->dsize)
        in->dsize = in->size;
    in->len = i + immlen;
    return NULL;
}


unsigned int hvm_insn_len(const uint8_t *b, unsigned int n, bool lm, const uint8_t *op, unsigned int oplen)
{
    unsigned int i = 0;

    /* Legacy prefixes in any order, then (64-bit code) REX right before the opcode. */
    while (i < n && i < HVM_MAX_INSN && (is_legacy_prefix(b[i]) || (lm && (b[i] & 0xf0) == 0x40)))
        i++;
    if (i + oplen > n || i + oplen > HVM_MAX_INSN)
        return 0;
    for (unsigned int k = 0; k < oplen; k++)
        if (b[i + k] != op[k])
            return 0;
    return i + oplen;
}

const char *hvm_decode_string_io(const uint8_t *b, unsigned int n, unsigned int bits,
                                 struct hvm_string_insn *si)
{
    unsigned int i = 0;
    bool o16 = false, rex_w = false;

    si->seg = 3;                        /* DS */
    si->asz = bits == 64 ? 64 : 32;
    si->rep = false;
    if (bits == 16)
        return "16-bit code";
    for (; i < n && i < HVM_MAX_INSN; i++) {
        if (bits == 64 && (b[i] & 0xf0) == 0x40) {
            rex_w = b[i] & 8;
            continue;
        }
        if (!is_legacy_prefix(b[i]))
            break;
        rex_w = false;                  /* a REX not right before the opcode is ignored */
        switch (b[i]) {
        case 0x26: si->seg = 0; break;
        case 0x2e: si->seg = 1; break;
        case 0x36: si->seg = 2; break;
        case 0x3e: si->seg = 3; break;
        case 0x64: si->seg = 4; break;
        case 0x65: si->seg = 5; break;
        case 0x66: o16 = true; break;
        case 0x67:
            if (bits == 32)
                return "16-bit addressing";
            si->asz = 32;
            break;
        default: si->rep = true; break;  /* F2, F3 */
        }
    }
    if (i >= n || i >= HVM_MAX_INSN || (b[i] & 0xfc) != 0x6c)
        return "not INS or OUTS";
    si->in = !(b[i] & 2);
    si->size = (b[i] & 1) ? (o16 && !rex_w ? 2 : 4) : 1;
    if (si->in)
        si->seg = 0;                    /* INS always writes ES:rDI */
    si->len = i + 1;
    return NULL;
}
