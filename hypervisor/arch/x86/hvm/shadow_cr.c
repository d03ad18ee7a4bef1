/*
 * Shadow paging's intercepts (docs/hvm.md "Shadow paging"): the guest's
 * CR0/CR3/CR4/EFER are its own values, kept here; the VMCB holds what the
 * hardware runs with (always PG, PAE, LME|LMA: with the guest's paging
 * off, its 32-bit code runs in compatibility mode on the identity shadow).
 * QEMU's TCG has no decode assists and no NRIP, so each intercepted MOV
 * CR, CLTS, LMSW, SMSW and INVLPG is decoded from the bytes at RIP
 * (hvm_fetch_insn): legacy prefixes, REX, ModRM/SIB/displacement.
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "processor.h"
#include "hvm.h"
#include "shadow.h"
#include "../svm/svm.h"
#include "../svm/vmcb.h"
#include <tandem/errno.h>

#define CR4_FSGSBASE (1ULL << 16)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)

/* One decoded instruction: what the intercepts need. */
struct sh_insn {
    uint8_t b[15];
    unsigned int n;             /* bytes fetched */
    unsigned int len;           /* its length, once known */
    unsigned int p;             /* the ModRM byte's offset */
    bool mode64, a32, rex_r, rex_x, rex_b, lock;
    int seg;                    /* segment override prefix byte, 0 = none */
    uint8_t op, modrm;          /* the byte after 0f, and ModRM */
};

static struct shadow_vcpu *svc(struct vcpu *v)
{
    return v->arch.hvm->sh;
}

static bool guest_lma(const struct shadow_vcpu *sv)
{
    return (sv->efer & EFER_LME) && (sv->cr0 & X86_CR0_PG);
}

static void sh_gp(struct vmcb *vm)
{
    vm->eventinj = 13 | EVENTINJ_TYPE_EXC | EVENTINJ_VALID | EVENTINJ_EV;
}

static void sh_ud(struct vmcb *vm)
{
    vm->eventinj = 6 | EVENTINJ_TYPE_EXC | EVENTINJ_VALID;
}

static uint64_t *sh_gpr(struct cpu_user_regs *r, unsigned int i)
{
    uint64_t *const map[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };
    return map[i & 15];
}

/* Prefixes, 0f, opcode, ModRM of the instruction at RIP: false if it is not a 0f xx form. */
static bool sh_decode(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, struct sh_insn *in)
{
    struct shadow_vcpu *sv = svc(v);
    unsigned int i = 0;
    uint64_t lin;

    memset(in, 0, sizeof(*in));
    in->mode64 = guest_lma(sv) && (vm->cs.attr & 0x200);
    in->a32 = !in->mode64;
    lin = in->mode64 ? regs->rip : (vm->cs.base + regs->rip) & 0xffffffffULL;
    in->n = hvm_fetch_insn(v, lin, in->b, sizeof(in->b));
    for (; i < in->n; i++) {
        uint8_t c = in->b[i];
        if (c == 0x66 || c == 0xf2 || c == 0xf3)
            continue;
        if (c == 0x67) {
            in->a32 = in->mode64 ? true : !in->a32;
            continue;
        }
        if (c == 0xf0) {
            in->lock = true;
            continue;
        }
        if (c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e || c == 0x64 || c == 0x65) {
            in->seg = c;
            continue;
        }
        break;
    }
    if (in->mode64 && i < in->n && (in->b[i] & 0xf0) == 0x40) {
        in->rex_r = in->b[i] & 4;
        in->rex_x = in->b[i] & 2;
        in->rex_b = in->b[i] & 1;
        i++;
    }
    if (i + 1 >= in->n || in->b[i] != 0x0f)
        return false;
    in->op = in->b[i + 1];
    if (in->op == 0x06) {               /* CLTS: no ModRM */
        in->len = i + 2;
        return true;
    }
    if (i + 2 >= in->n)
        return false;
    in->p = i + 2;
    in->modrm = in->b[in->p];
    in->len = in->p + 1;
    return true;
}

/* The memory operand's linear address (INVLPG): false for forms not decoded (16-bit addressing). */
static bool sh_ea(struct vmcb *vm, struct cpu_user_regs *regs, struct sh_insn *in, uint64_t *ea)
{
    unsigned int mod = in->modrm >> 6, rm = in->modrm & 7, p = in->p + 1;
    uint64_t addr = 0, seg_base = 0;
    bool riprel = false;
    int64_t disp = 0;

    if (!in->a32 && !in->mode64)
        return false;
    if (rm == 4) {
        uint8_t sib;
        if (p >= in->n)
            return false;
        sib = in->b[p++];
        if ((((sib >> 3) & 7) | (in->rex_x ? 8 : 0)) != 4)
            addr += *sh_gpr(regs, ((sib >> 3) & 7) | (in->rex_x ? 8 : 0)) << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0)
            mod = 2 | 0x10;             /* disp32, no base */
        else
            addr += *sh_gpr(regs, (sib & 7) | (in->rex_b ? 8 : 0));
    } else if (rm == 5 && mod == 0) {
        riprel = in->mode64;
        mod = 2 | 0x10;
    } else {
        addr += *sh_gpr(regs, rm | (in->rex_b ? 8 : 0));
    }
    if ((mod & 3) == 1) {
        if (p >= in->n)
            return false;
        disp = (int8_t)in->b[p++];
    } else if ((mod & 3) == 2) {
        int32_t d32;
        if (p + 4 > in->n)
            return false;
        memcpy(&d32, &in->b[p], 4);
        disp = d32;
        p += 4;
    }
    in->len = p;
    if (riprel)
        addr = regs->rip + p;
    addr += (uint64_t)disp;
    if (in->seg == 0x64)
        seg_base = vm->fs.base;
    else if (in->seg == 0x65)
        seg_base = vm->gs.base;
    else if (!in->mode64)
        seg_base = (in->seg == 0x26 ? vm->es : in->seg == 0x2e ? vm->cs : in->seg == 0x36 ? vm->ss :
                    vm->ds).base;
    if (in->a32)
        addr &= 0xffffffffULL;
    *ea = addr + seg_base;
    if (!in->mode64)
        *ea &= 0xffffffffULL;
    return true;
}

static void sh_advance(struct vmcb *vm, struct cpu_user_regs *regs, const struct sh_insn *in)
{
    regs->rip += in->len;
    if (!in->mode64)
        regs->rip &= 0xffffffffULL;
    vm->int_state &= ~1ULL;
}

/* MOV to CR0 (also LMSW, CLTS): false means #GP (the domain may instead have been killed). */
static bool sh_write_cr0(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, uint64_t val)
{
    struct shadow_vcpu *sv = svc(v);
    uint64_t old = sv->cr0;

    if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
        return false;
    if (!(val & X86_CR0_PE)) {
        svm_crash(v, regs, "CR0.PE cleared: real mode is not offered with shadow paging");
        return true;
    }
    if ((val & X86_CR0_PG) && !(old & X86_CR0_PG)) {
        if (!(sv->efer & EFER_LME)) {
            svm_crash(v, regs, "paging enabled without EFER.LME: only long-mode 4-level paging is "
                      "offered with shadow paging (no 32-bit or PAE legacy paging)");
            return true;
        }
        if (!(sv->cr4 & X86_CR4_PAE))
            return false;
    }
    if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (vm->cs.attr & 0x200))
        return false;                   /* paging off from 64-bit code */
    sv->cr0 = val | X86_CR0_ET;
    vm->cr0 = sv->cr0 | X86_CR0_PG;
    if ((val ^ old) & X86_CR0_WP)           /* page-table write protection needs WP: shadows start again */
        return shadow_flush(v, vm, regs), true;
    if ((val ^ old) & X86_CR0_PG)
        return shadow_update_root(v, vm, regs, false), true;
    return true;
}

static uint64_t sh_cr4_allowed(void)
{
    uint32_t a, b, c, d;
    uint64_t ok = 0x7ff;                /* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT */

    cpuid_count(0, 0, &a, &b, &c, &d);
    if (a >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        ok |= (b & 1 ? CR4_FSGSBASE : 0) | (b & (1u << 7) ? CR4_SMEP : 0) | (b & (1u << 20) ? CR4_SMAP : 0);
    }
    return ok;                          /* PCIDE, OSXSAVE, LA57, VMXE...: not offered */
}

static bool sh_write_cr4(struct vcpu *v, struct vmcb *vm, uint64_t val)
{
    struct shadow_vcpu *sv = svc(v);

    if ((val & ~sh_cr4_allowed()) || (guest_lma(sv) && !(val & X86_CR4_PAE)))
        return false;
    sv->cr4 = val;
    vm->cr4 = val | X86_CR4_PAE;
    shadow_resync_all(v);               /* PGE, PSE, SMEP... changes flush the TLB */
    return true;
}

static bool sh_write_cr3(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, uint64_t val)
{
    struct shadow_vcpu *sv = svc(v);

    if (guest_lma(sv) ? (val >> 52) != 0 : (val >> 32) != 0)
        return false;                   /* reserved bits (no PCID: bit 63 too) */
    sv->cr3 = val;
    if (sv->cr0 & X86_CR0_PG)
        shadow_update_root(v, vm, regs, true);
    return true;
}

static void sh_mov_cr(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, struct sh_insn *in)
{
    struct shadow_vcpu *sv = svc(v);
    unsigned int cr = ((in->modrm >> 3) & 7) | (in->rex_r ? 8 : 0);
    uint64_t *r = sh_gpr(regs, (in->modrm & 7) | (in->rex_b ? 8 : 0)), val;
    bool ok = true;

    if (in->lock || (cr != 0 && cr != 2 && cr != 3 && cr != 4)) {
        sh_ud(vm);                      /* CR8 is not intercepted: never here for it */
        return;
    }
    if (vm->cpl) {
        sh_gp(vm);
        return;
    }
    if (in->op == 0x20) {
        val = cr == 0 ? sv->cr0 : cr == 2 ? vm->cr2 : cr == 3 ? sv->cr3 : sv->cr4;
        *r = in->mode64 ? val : (uint32_t)val;
    } else {
        val = in->mode64 ? *r : (uint32_t)*r;
        if (cr == 0)
            ok = sh_write_cr0(v, vm, regs, val);
        else if (cr == 2)
            vm->cr2 = val;
        else if (cr == 3)
            ok = sh_write_cr3(v, vm, regs, val);
        else
            ok = sh_write_cr4(v, vm, val);
    }
    if (!ok) {
        sh_gp(vm);
        return;
    }
    sh_advance(vm, regs, in);
}

static void sh_kill_insn(struct vcpu *v, struct cpu_user_regs *regs, const struct sh_insn *in, const char *what)
{
    char why[128];

    snprintf(why, sizeof(why), "%s: instruction bytes %02x %02x %02x %02x %02x (%u fetched)", what,
             in->b[0], in->b[1], in->b[2], in->b[3], in->b[4], in->n);
    svm_crash(v, regs, why);
}

void shadow_cr_access(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct shadow_vcpu *sv = svc(v);
    struct sh_insn in;
    unsigned int reg;

    if (!sh_decode(v, vm, regs, &in)) {
        sh_kill_insn(v, regs, &in, "a control register exit at an instruction not decoded");
        return;
    }
    if (in.op == 0x20 || in.op == 0x22) {
        sh_mov_cr(v, vm, regs, &in);
        return;
    }
    if (in.op == 0x06) {                /* CLTS */
        if (vm->cpl) {
            sh_gp(vm);
            return;
        }
        sv->cr0 &= ~X86_CR0_TS;
        vm->cr0 &= ~X86_CR0_TS;
        sh_advance(vm, regs, &in);
        return;
    }
    reg = (in.modrm >> 3) & 7;
    if (in.op != 0x01 || (reg != 4 && reg != 6) || (in.modrm >> 6) != 3) {
        sh_kill_insn(v, regs, &in, "a control register access not emulated with shadow paging "
                     "(SMSW/LMSW with a memory operand?)");
        return;
    }
    if (reg == 4) {                     /* SMSW r */
        uint64_t *r = sh_gpr(regs, (in.modrm & 7) | (in.rex_b ? 8 : 0));
        *r = (uint32_t)sv->cr0;
    } else {                            /* LMSW r: PE can be set, not cleared */
        uint64_t msw = *sh_gpr(regs, (in.modrm & 7) | (in.rex_b ? 8 : 0)) & 0xf;
        if (vm->cpl) {
            sh_gp(vm);
            return;
        }
        if (!sh_write_cr0(v, vm, regs, (sv->cr0 & ~0xeULL) | msw | (sv->cr0 & X86_CR0_PE))) {
            sh_gp(vm);
            return;
        }
    }
    sh_advance(vm, regs, &in);
}

void shadow_invlpg_exit(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct sh_insn in;
    uint64_t ea;

    if (!sh_decode(v, vm, regs, &in) || in.op != 0x01 || ((in.modrm >> 3) & 7) != 7 ||
        (in.modrm >> 6) == 3 || !sh_ea(vm, regs, &in, &ea)) {
        sh_kill_insn(v, regs, &in, "an INVLPG exit at an instruction not decoded");
        return;
    }
    if (vm->cpl) {
        sh_gp(vm);
        return;
    }
    shadow_invlpg(v, ea);
    sh_advance(vm, regs, &in);
}

uint64_t shadow_efer_read(struct vcpu *v)
{
    struct shadow_vcpu *sv = svc(v);

    return sv->efer | (guest_lma(sv) ? EFER_LMA : 0);
}

bool shadow_efer_write(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, uint64_t val)
{
    struct shadow_vcpu *sv = svc(v);
    uint64_t old = sv->efer;

    if ((val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
        ((sv->cr0 & X86_CR0_PG) && ((val ^ old) & EFER_LME)))
        return false;
    sv->efer = val & (EFER_SCE | EFER_LME | EFER_NXE);
    vm->efer = EFER_SVME | EFER_LME | EFER_LMA | (val & (EFER_SCE | EFER_NXE));
    if ((val ^ old) & EFER_NXE)
        shadow_flush(v, vm, regs);      /* NX in shadow entries is reserved without NXE */
    return true;
}

void shadow_get_paging(struct vcpu *v, struct hvm_paging *p)
{
    struct shadow_vcpu *sv = svc(v);

    p->cr0 = sv->cr0;
    p->cr3 = sv->cr3;
    p->cr4 = sv->cr4;
    p->efer = shadow_efer_read(v);
    p->cpl = ((struct vmcb *)v->arch.hvm->vmcb)->cpl;
}

void shadow_dump(struct vcpu *v)
{
    struct shadow_vcpu *sv = svc(v);

    printk(XENLOG_ERR "  shadow paging: guest cr0 %#lx cr3 %#lx cr4 %#lx efer %#lx; shadow root %d\n",
           (unsigned long)sv->cr0, (unsigned long)sv->cr3, (unsigned long)sv->cr4,
           (unsigned long)shadow_efer_read(v), sv->root);
}

int shadow_vcpu_init(struct vcpu *v, struct vmcb *vm)
{
    struct shadow_vcpu *sv = xzalloc(struct shadow_vcpu);

    if (!sv)
        return -XEN_ENOMEM;
    v->arch.hvm->sh = sv;
    sv->cr0 = vm->cr0;                  /* PE, ET: the boot state (docs/hvm.md) */
    sv->root = -1;
    vm->np_enable = 0;
    vm->n_cr3 = 0;
    vm->cr_intercepts = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 16) | (1u << 19) | (1u << 20);
    vm->exc_intercepts |= 1u << 14;     /* #PF */
    vm->intercepts1 |= INTERCEPT1_INVLPG;
    vm->cr0 = sv->cr0 | X86_CR0_PG;
    vm->cr4 = X86_CR4_PAE;
    vm->efer = EFER_SVME | EFER_LME | EFER_LMA;
    return shadow_update_root(v, vm, NULL, false) ? -XEN_ENOMEM : 0;
}

void shadow_vcpu_destroy(struct vcpu *v)
{
    xfree(v->arch.hvm->sh);
    v->arch.hvm->sh = NULL;
}
