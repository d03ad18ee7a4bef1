/*
 * The HVM instruction decoder (docs/hvm.md "The decoder"): just enough x86
 * to emulate the guest's accesses to emulated MMIO (the local APIC page)
 * and to find the length of the instructions SVM intercepts, since QEMU
 * TCG saves no next RIP (DESIGN.md section 6). The bytes come from the
 * guest's own memory through its own page tables (hvm_fetch_insn): nothing
 * here trusts them. An instruction outside the small set below is refused,
 * and the caller kills the domain with a dump naming the bytes.
 *
 * MMIO forms: MOV r/m8,r8 (88), MOV r/m,r (89), MOV r8,r/m8 (8A), MOV r,r/m
 * (8B), MOV r/m8,imm8 (C6 /0), MOV r/m,imm (C7 /0), MOVZX r,r/m8 (0F B6),
 * MOVZX r,r/m16 (0F B7), MOV between AL/eAX and an absolute moffs (A0-A3,
 * what compilers emit for a constant address); prefixes 66, 67 (64-bit code only), the segment
 * overrides, REX.W/R/X/B; ModRM with SIB, disp8, disp32, RIP-relative.
 * The guest-physical address is the fault's, so the effective address
 * itself is never computed: only the operand, the size and the length.
 */
#include "lib.h"
#include "domain.h"
#include "hvm.h"

#define MAX_INSN 15

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

/* Read register idx at `size` bytes; byte registers 4-7 without REX are AH CH DH BH. */
static uint64_t reg_read(struct cpu_user_regs *r, unsigned int idx, unsigned int size, bool rex)
{
    if (size == 1 && !rex && idx >= 4 && idx < 8)
        return (*gpr(r, idx - 4) >> 8) & 0xff;
    switch (size) {
    case 1: return *gpr(r, idx) & 0xff;
    case 2: return *gpr(r, idx) & 0xffff;
    case 4: return *gpr(r, idx) & 0xffffffff;
    default: return *gpr(r, idx);
    }
}

/* Write as the CPU does: 32-bit results zero the upper half, 8- and 16-bit ones merge. */
static void reg_write(struct cpu_user_regs *r, unsigned int idx, unsigned int size, bool rex, uint64_t v)
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

/* "8b 05 10 00 00 00" for the log. */
static void hex_bytes(char *out, size_t outlen, const uint8_t *b, unsigned int n)
{
    size_t at = 0;

    out[0] = 0;
    for (unsigned int i = 0; i < n && at + 4 < outlen; i++)
        at += (size_t)snprintf(out + at, outlen - at, "%s%02x", i ? " " : "", b[i]);
    if (!n)
        snprintf(out, outlen, "(none readable)");
}

static void refuse(struct vcpu *v, const struct cpu_user_regs *regs, const char *what, const char *why,
                   const uint8_t *b, unsigned int n)
{
    char hex[3 * MAX_INSN + 16];

    hex_bytes(hex, sizeof(hex), b, n);
    printk(XENLOG_ERR "d%uv%u: %s at rip %#lx not emulated (%s): bytes %s\n", v->domain->domain_id,
           v->vcpu_id, what, (unsigned long)regs->rip, why, hex);
}

bool hvm_step_over(struct vcpu *v, struct cpu_user_regs *regs, enum hvm_insn which)
{
    static const struct { const char *name; uint8_t op[3]; unsigned int len; } known[] = {
        [HVM_INSN_CPUID] = { "CPUID", { 0x0f, 0xa2 }, 2 },
        [HVM_INSN_RDMSR] = { "RDMSR", { 0x0f, 0x32 }, 2 },
        [HVM_INSN_WRMSR] = { "WRMSR", { 0x0f, 0x30 }, 2 },
        [HVM_INSN_HLT] = { "HLT", { 0xf4 }, 1 },
        [HVM_INSN_VMMCALL] = { "VMMCALL", { 0x0f, 0x01, 0xd9 }, 3 },
    };
    uint8_t b[MAX_INSN];
    unsigned int n = hvm_fetch_insn(v, regs->rip, b, sizeof(b)), i = 0;
    bool lm = hvm_code_bits(v) == 64;

    /* Legacy prefixes in any order, then (64-bit code) one REX right before the opcode. */
    while (i < n && (is_legacy_prefix(b[i]) || (lm && (b[i] & 0xf0) == 0x40)))
        i++;
    if (i + known[which].len <= n && !memcmp(b + i, known[which].op, known[which].len)) {
        hvm_step(v, regs, i + known[which].len);
        return true;
    }
    refuse(v, regs, known[which].name, "the intercepted instruction is not there", b, n);
    return false;
}

/* One decoded MMIO access. */
struct mmio_insn {
    unsigned int len;       /* bytes, prefixes included */
    unsigned int size;      /* of the memory access: 1, 2, 4, 8 */
    unsigned int dsize;     /* of the destination register (MOVZX), else size */
    bool write;             /* to memory */
    bool imm;               /* the value written is imm */
    uint64_t immval;
    unsigned int reg;       /* ModRM reg with REX.R */
    bool rex;
};

static const char *decode_mmio(const uint8_t *b, unsigned int n, unsigned int bits, struct mmio_insn *in)
{
    unsigned int i = 0, opsz, mod, rm, immlen = 0;
    bool o16 = false, a16 = false, a32 = false, two = false;
    uint8_t rex = 0, op, modrm;

    memset(in, 0, sizeof(*in));
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
        if (i + 1 >= MAX_INSN)
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
    if (i + immlen > MAX_INSN)
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

/* The emulated MMIO ranges, guest-physical. */
static const struct mmio_range {
    uint64_t base, size;
    bool (*read)(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val);
    bool (*write)(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val);
} mmio_ranges[] = {
    { HVM_LAPIC_BASE, 0x1000, vlapic_mmio_read, vlapic_mmio_write },
};

bool hvm_emulate_mmio(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa, uint32_t pfec)
{
    const struct mmio_range *m = NULL;
    struct mmio_insn in;
    uint8_t b[MAX_INSN];
    unsigned int n;
    const char *why;
    uint64_t val;

    for (unsigned int i = 0; i < ARRAY_SIZE(mmio_ranges); i++)
        if (gpa - mmio_ranges[i].base < mmio_ranges[i].size)
            m = &mmio_ranges[i];
    if (!m)
        return false;                   /* nothing there: the caller kills it */
    n = hvm_fetch_insn(v, regs->rip, b, sizeof(b));
    if (pfec & HVM_PFEC_FETCH) {
        refuse(v, regs, "instruction fetch from MMIO", "code in a device page", b, n);
        return false;
    }
    if ((why = decode_mmio(b, n, hvm_code_bits(v), &in))) {
        refuse(v, regs, "MMIO access", why, b, n);
        return false;
    }
    if (in.write != !!(pfec & HVM_PFEC_WRITE)) {
        refuse(v, regs, "MMIO access", "the instruction's direction is not the fault's", b, n);
        return false;
    }
    if (gpa - m->base + in.size > m->size) {
        refuse(v, regs, "MMIO access", "it runs past the device's page", b, n);
        return false;
    }
    if (in.write) {
        val = in.imm ? in.immval : reg_read(regs, in.reg, in.size, in.rex);
        if (!m->write(v, gpa - m->base, in.size, val)) {
            refuse(v, regs, "MMIO write", "the device refused it", b, n);
            return false;
        }
    } else {
        if (!m->read(v, gpa - m->base, in.size, &val)) {
            refuse(v, regs, "MMIO read", "the device refused it", b, n);
            return false;
        }
        val &= in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1;  /* MOVZX: zero-extended */
        reg_write(regs, in.reg, in.dsize, in.rex, val);
    }
    hvm_step(v, regs, in.len);
    v->domain->arch.hvm->mmio_emulated++;
    return true;
}
