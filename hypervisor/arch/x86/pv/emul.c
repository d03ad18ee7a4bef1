/*
 * Emulation of the privileged instructions Xen PV kernels rely on:
 * forced-emulation CPUID (and CPUID itself once the guest turned CPUID
 * faulting on), mov from CR0/CR3/CR4 and to CR4 (and CR0.TS), xsetbv,
 * mov to/from DR0-7 (debugreg.c), rdmsr/wrmsr of FS/GS bases, port I/O
 * (emul_io.c) including string I/O (ins/outs with rep, address-size and
 * segment-override prefixes: the only memory operands Xen's priv-op
 * validate() lets through), wbinvd.
 * Anything else is left to the caller, which delivers #GP.
 */
#include "lib.h"
#include "pv.h"
#include "guest_access.h"
#include "processor.h"
#include "page.h"
#include "cpuid_faulting.h"
#include "fpu.h"

#define BIT(n) (1U << (n))

/* Leaf 1 ECX / leaf 7.0 / 7.1 / 0x80000001 ECX features that need AVX (XCR0.YMM) or AVX-512 state. */
#define L1C_NEED_YMM    (BIT(12) | BIT(28) | BIT(29))                   /* FMA, AVX, F16C */
#define L7B_NEED_YMM    BIT(5)                                          /* AVX2 */
#define L7C_NEED_YMM    (BIT(9) | BIT(10))                              /* VAES, VPCLMULQDQ */
#define L71A_NEED_YMM   BIT(4)                                          /* AVX-VNNI */
#define L7B_NEED_AVX512 (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define L7C_NEED_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)) /* VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */
#define L7D_NEED_AVX512 (BIT(2) | BIT(3) | BIT(8) | BIT(23))            /* 4VNNIW, 4FMAPS, VP2INTERSECT, FP16 */
#define L71A_NEED_AVX512 BIT(5)                                         /* AVX512_BF16 */
#define L7D_AMX         (BIT(22) | BIT(24) | BIT(25))                   /* AMX-BF16, AMX-TILE, AMX-INT8 */
#define XC_NEED_YMM     (BIT(11) | BIT(16))                             /* XOP, FMA4 (AMD) */

/* CPUID 7.0 EBX bit 0: the CPU has {rd,wr}{fs,gs}base. */
static bool cpu_has_fsgsbase(void)
{
    static int has = -1;
    uint32_t a, b, c, d;

    if (has < 0) {
        cpuid_count(0, 0, &a, &b, &c, &d);
        b = 0;
        if (a >= 7)
            cpuid_count(7, 0, &a, &b, &c, &d);
        has = b & BIT(0);
    }
    return has;
}

uint64_t pv_guest_cr4_mask(void)
{
    return (fpu_xstate_mask() ? X86_CR4_OSXSAVE : 0) | (cpu_has_fsgsbase() ? X86_CR4_FSGSBASE : 0);
}

/*
 * What CPUID leaf/subleaf shows a PV guest (the hardware's, filtered as
 * Xen's PV policy); docs/porting.md has the table. `kernel_view`: the
 * guest kernel's forced (`ud2; xen; cpuid`) CPUID, which sees OSXSAVE as
 * soon as XSAVE is offered, before its own CR4.OSXSAVE (the de facto PV
 * ABI Xen's guest_cpuid keeps: Linux's xen_check_xsave needs it).
 */
static void pv_cpuid(const struct vcpu *v, bool kernel_view, uint32_t leaf, uint32_t subleaf,
                     uint32_t *ra, uint32_t *rb, uint32_t *rc, uint32_t *rd)
{
    uint64_t xmask = fpu_xstate_mask();
    bool ymm = xmask & XSTATE_YMM, avx512 = xmask & XSTATE_ZMM;
    uint32_t a, b, c, d;

    cpuid_count(leaf, subleaf, &a, &b, &c, &d);
    switch (leaf) {
    case 1:
        /*
         * What a PV guest cannot use: superpages (PSE, PSE36), the real
         * APIC and x2APIC, MTRRs, PCID, VMX, MONITOR. Xen's PV policy
         * hides these. MCE and MCA stay: the virtual banks of pv/vmce.c.
         */
        c &= ~(BIT(3) | BIT(5) | BIT(17) | BIT(21));
        c |= BIT(31);                   /* running on a hypervisor */
        d &= ~(BIT(3) | BIT(9) | BIT(12) | BIT(17));
        c &= ~BIT(27);                  /* OSXSAVE: the guest's own CR4 view */
        if (!xmask)
            c &= ~BIT(26);              /* no XSAVE */
        else if ((v->arch.pv.cr4 & X86_CR4_OSXSAVE) || kernel_view)
            c |= BIT(27);
        if (!ymm)
            c &= ~L1C_NEED_YMM;
        break;
    case 7:
        if (subleaf == 0) {
            /*
             * No SMEP, INVPCID, MPX, SMAP, PKU, UMIP, LA57, CET, AMX for PV.
             * FSGSBASE stays (as Xen 4.19): usable once the guest sets
             * CR4.FSGSBASE in its view (pv/traps.c keeps the bases right).
             */
            b &= ~(BIT(7) | BIT(10) | BIT(14) | BIT(20));
            c &= ~(BIT(2) | BIT(3) | BIT(7) | BIT(16));
            d &= ~(BIT(20) | L7D_AMX);
            if (!ymm) {
                b &= ~L7B_NEED_YMM;
                c &= ~L7C_NEED_YMM;
            }
            if (!avx512) {
                b &= ~L7B_NEED_AVX512;
                c &= ~L7C_NEED_AVX512;
                d &= ~L7D_NEED_AVX512;
            }
        } else if (subleaf == 1) {
            a &= ~(BIT(21));            /* AMX-FP16 */
            if (!ymm)
                a &= ~L71A_NEED_YMM;
            if (!avx512)
                a &= ~L71A_NEED_AVX512;
        }
        break;
    case 0xd:
        /*
         * XSAVE state: the components fpu.c switches (x87, SSE, AVX,
         * AVX-512), no supervisor ones (no XSAVES, as Xen for PV), no XFD.
         * Subleaf 0 EBX is the size for the XCR0 in the hardware, which is
         * the running vCPU's own.
         */
        if (!xmask) {
            a = b = c = d = 0;
        } else if (subleaf == 0) {
            a = (uint32_t)xmask;
            d = (uint32_t)(xmask >> 32);
            c = fpu_xstate_size();
        } else if (subleaf == 1) {
            a &= BIT(0) | BIT(1) | BIT(2);  /* XSAVEOPT, XSAVEC, XGETBV1 */
            if (!(a & BIT(1)))
                b = 0;                  /* the compacted size (IA32_XSS 0): only with XSAVEC */
            c = d = 0;                  /* IA32_XSS: nothing */
        } else if (subleaf >= 64 || !(xmask & (1ULL << subleaf))) {
            a = b = c = d = 0;
        } else {
            d = 0;
        }
        break;
    case 0x1d: case 0x1e:               /* AMX tiles: none */
        a = b = c = d = 0;
        break;
    case 0x80000001:
        /*
         * AMD repeats leaf 1's PSE, APIC, MTRR and PSE36 here (Intel
         * leaves them 0): hidden as in leaf 1, whatever the vendor. No SVM
         * (as no VMX), no 1 GiB pages, no LWP (XSAVE state of its own).
         */
        d &= ~(BIT(3) | BIT(9) | BIT(12) | BIT(17) | BIT(26));
        c &= ~(BIT(2) | BIT(15));
        if (!ymm)
            c &= ~XC_NEED_YMM;
        break;
    case 0x80000007:
        b &= ~(BIT(0) | BIT(1) | BIT(3));   /* McaOverflowRecov, SUCCOR, SMCA: the 2 plain vMCE banks only */
        break;
    case 0x8000000a:                    /* SVM features: no SVM */
        a = b = c = d = 0;
        break;
    case 0x40000000:                    /* hypervisor leaf: "XenVMMXenVMM" */
        a = 0x40000002;
        b = 0x566e6558; c = 0x65584d4d; d = 0x4d4d566e;
        break;
    case 0x40000001:
        a = (4 << 16) | 19;
        b = c = d = 0;
        break;
    case 0x40000002:
        a = 1; b = 0x40000000; c = d = 0;   /* one hypercall page, MSR base */
        break;
    }
    *ra = a; *rb = b; *rc = c; *rd = d;
}

static void emulate_cpuid(struct vcpu *v, struct cpu_user_regs *regs, bool forced)
{
    uint32_t a, b, c, d;

    pv_cpuid(v, forced && v->arch.pv.in_kernel, regs->rax, regs->rcx, &a, &b, &c, &d);
    regs->rax = a; regs->rbx = b; regs->rcx = c; regs->rdx = d;
}

/*
 * `ud2; .ascii "xen"; cpuid`: the CPUID a PV guest asks for by name. With
 * CPUID faulting on, from guest user mode it is #GP(0) at the ud2 instead
 * (Xen's emulate_forced_invalid_op), whatever the hardware can do.
 */
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
    static const uint8_t sig[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
    uint8_t insn[sizeof(sig)];
    bool long_mode;

    /* Fetched through CS (its descriptor checked in the GDT or LDT, as Xen's emulators). */
    if (pv_insn_fetch(v, regs, insn, sizeof(insn), &long_mode) != sizeof(insn) || memcmp(insn, sig, sizeof(sig)))
        return false;
    if (v->arch.pv.cpuid_faulting && !v->arch.pv.in_kernel) {
        pv_inject_exception(v, regs, TRAP_gp_fault, true, 0);
        return true;
    }
    emulate_cpuid(v, regs, true);
    regs->rip += sizeof(sig);
    v->domain->ctr.priv_emulations++;
    pv_emulated_single_step(v, regs);
    return true;
}

/*
 * MSR_PLATFORM_INFO and MSR_MISC_FEATURES_ENABLES as Xen's guest_rdmsr /
 * guest_wrmsr present them to a PV guest: the first reads CPUID faulting
 * (bit 31) when the CPU can do it and nothing else, and is read-only; the
 * second holds bit 0 (CPUID faulting on), settable only when offered.
 */
static uint64_t platform_info(void)
{
    return cpuid_faulting_available() ? PLATFORM_INFO_CPUID_FAULTING : 0;
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    pv_sync_segment_bases(v);
    switch (msr) {
    case MSR_FS_BASE:        *val = v->arch.pv.fs_base; return true;
    case MSR_GS_BASE:        *val = v->arch.pv.gs_base_kernel; return true;
    case MSR_SHADOW_GS_BASE: *val = v->arch.pv.gs_base_user; return true;
    case MSR_EFER:           *val = EFER_SCE | EFER_LME | (1UL << 10) | EFER_NXE; return true;
    case MSR_PLATFORM_INFO:  *val = platform_info(); return true;
    case MSR_MISC_FEATURES_ENABLES:
        *val = v->arch.pv.cpuid_faulting ? MISC_FEATURES_CPUID_FAULTING : 0;
        return true;
    default:                 return pv_vmce_rdmsr(v, msr, val);
    }
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
        if (!is_canonical(val))
            return false;
        v->arch.pv.fs_base = val;
        wrmsr(MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE:
        if (!is_canonical(val))
            return false;
        v->arch.pv.gs_base_kernel = val;
        wrmsr(MSR_GS_BASE, val);
        return true;
    case MSR_SHADOW_GS_BASE:
        if (!is_canonical(val))
            return false;
        v->arch.pv.gs_base_user = val;
        return true;
    case MSR_MISC_FEATURES_ENABLES:
        if (val & ~(platform_info() ? MISC_FEATURES_CPUID_FAULTING : 0))
            return false;
        v->arch.pv.cpuid_faulting = val & MISC_FEATURES_CPUID_FAULTING;
        cpuid_faulting_set(v->arch.pv.cpuid_faulting);
        return true;
    default:                    /* MSR_PLATFORM_INFO is read-only */
        return pv_vmce_wrmsr(v, msr, val);
    }
}

bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint8_t b[16];
    unsigned int i = 0, rex = 0;
    struct pv_insn_prefix pfx = { 0 };
    bool long_mode;
    uint64_t val;

    /* Fetched through CS (its descriptor checked in the GDT or LDT, as Xen's emulators). */
    if (pv_insn_fetch(v, regs, b, sizeof(b), &long_mode) != sizeof(b))
        return false;
    for (; i < 13; i++) {           /* prefixes (an instruction is at most 15 bytes) */
        if (b[i] == 0x66)
            pfx.opsz16 = true;
        else if (b[i] == 0x67)
            pfx.adsz = true;
        else if (b[i] == 0xf3 || b[i] == 0xf2)
            pfx.rep = true;
        else if (b[i] == 0x26 || b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x64 || b[i] == 0x65)
            pfx.seg = b[i];
        else if (long_mode && (b[i] & 0xf0) == 0x40) {  /* REX only in 64-bit code */
            rex = b[i];
            continue;
        } else
            break;
        rex = 0;                    /* a REX counts only right before the opcode */
    }
    switch (b[i]) {
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:     /* ins / outs (emul_io.c) */
        switch (pv_emulate_string_io(v, regs, &pfx, b[i], long_mode)) {
        case PV_STRING_DONE:
            i += 1;
            goto done;
        case PV_STRING_AGAIN:       /* rip stays on the instruction */
            v->domain->ctr.priv_emulations++;
            pv_emulated_single_step(v, regs);
            return true;
        case PV_STRING_FAULT:
            return true;
        default:
            return false;
        }
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
        if (!pv_emulate_io(v, regs, b[i], b[i + 1], pfx.opsz16))
            return false;
        i += 2;
        goto done;
    case 0xec: case 0xed: case 0xee: case 0xef:
        if (!pv_emulate_io(v, regs, b[i], 0, pfx.opsz16))
            return false;
        i += 1;
        goto done;
    case 0xfa: case 0xfb:       /* cli / sti: no-ops when the virtual IOPL allows them (Xen) */
        if (!pv_io_privileged(v))
            return false;
        i += 1;
        goto done;
    case 0x0f:
        break;
    default:
        return false;
    }
    if (b[i + 1] == 0xa2) {     /* cpuid, faulting because the guest turned CPUID faulting on */
        if (!v->arch.pv.in_kernel)
            return false;       /* guest user mode: the #GP is the guest's */
        emulate_cpuid(v, regs, false);
        i += 2;
        goto done;
    }
    if (b[i + 1] == 0x01 && b[i + 2] == 0xd1) {   /* xsetbv (Xen's emul-priv-op write_xcr) */
        if (!fpu_xstate_mask() || !(v->arch.pv.cr4 & X86_CR4_OSXSAVE) || pfx.opsz16) {
            pv_inject_exception(v, regs, TRAP_invalid_op, false, 0);
            return true;        /* #UD as the hardware: CR4.OSXSAVE clear (the guest's view) */
        }
        if (!v->arch.pv.in_kernel ||
            fpu_guest_xsetbv(v, regs->rcx, ((uint64_t)regs->rdx << 32) | (uint32_t)regs->rax))
            return false;       /* #GP: CPL, XCR index, an XCR0 the CPU or the rules refuse */
        i += 3;
        goto done;
    }
    if (!v->arch.pv.in_kernel)
        return false;           /* the rest is for the guest kernel only */
    switch (b[i + 1]) {
    case 0x20: {                /* mov %crN, reg (register only: the mod bits are ignored, as the CPU) */
        unsigned int modrm = b[i + 2], cr = (modrm >> 3) & 7, rm = (modrm & 7) | ((rex & 1) << 3);
        switch (cr) {
        case 0: val = read_cr0() & ~X86_CR0_TS; val |= v->arch.pv.fpu_ts ? X86_CR0_TS : 0; break;
        case 2: val = v->vcpu_info->arch.cr2; break;
        case 3: val = v->arch.pv.kernel_l4 << PAGE_SHIFT; break;
        case 4: val = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | v->arch.pv.cr4; break;
        default: return false;
        }
        *pv_gpr(regs, rm) = val;
        i += 3;
        break;
    }
    case 0x22: {                /* mov reg, %crN: CR0.TS and CR4 (masked) only; mod ignored too */
        unsigned int modrm = b[i + 2], cr = (modrm >> 3) & 7, rm = (modrm & 7) | ((rex & 1) << 3);
        val = *pv_gpr(regs, rm);
        if (cr == 0) {
            if ((val ^ read_cr0()) & ~X86_CR0_TS)
                return false;
            pv_set_fpu_ts(v, val & X86_CR0_TS);
        } else if (cr == 4) {
            pv_sync_segment_bases(v);                       /* before FSGSBASE may go off */
            v->arch.pv.cr4 = val & pv_guest_cr4_mask();     /* the rest of CR4 is Tandem's */
            pv_apply_guest_cr4(v);
        } else {
            return false;
        }
        i += 3;
        break;
    }
    case 0x21: case 0x23:       /* mov %drN, reg / mov reg, %drN */
        switch (pv_emulate_mov_dr(v, regs, b[i + 1] == 0x23, b[i + 2], rex)) {
        case PV_DR_DONE:
            i += 3;
            break;
        case PV_DR_UD:
            pv_inject_exception(v, regs, TRAP_invalid_op, false, 0);
            return true;
        default:
            return false;
        }
        break;
    case 0x32:                  /* rdmsr */
        if (!msr_read(v, regs->rcx, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        i += 2;
        break;
    case 0x30:                  /* wrmsr */
        if (!msr_write(v, regs->rcx, (regs->rdx << 32) | (uint32_t)regs->rax))
            return false;
        i += 2;
        break;
    case 0x06:                  /* clts: clear the virtual CR0.TS */
        pv_set_fpu_ts(v, false);
        i += 2;
        break;
    case 0x09:                  /* wbinvd: no-op for a PV guest */
        i += 2;
        break;
    default:
        return false;
    }
done:
    regs->rip += i;
    v->domain->ctr.priv_emulations++;
    pv_emulated_single_step(v, regs);
    return true;
}
