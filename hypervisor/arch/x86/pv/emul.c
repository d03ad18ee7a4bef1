/*
 * Emulation of the privileged instructions Xen PV kernels rely on:
 * forced-emulation CPUID (and CPUID itself once the guest turned CPUID
 * faulting on), mov from CR0/CR3/CR4 and to CR4 (and CR0.TS),
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

/* What CPUID leaf/subleaf shows a PV guest (the hardware's, filtered as Xen's PV policy). */
static void pv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *ra, uint32_t *rb, uint32_t *rc, uint32_t *rd)
{
    uint32_t a, b, c, d;

    cpuid_count(leaf, subleaf, &a, &b, &c, &d);
    switch (leaf) {
    case 1:
        /*
         * What a PV guest cannot use: superpages (PSE, PSE36), the real
         * APIC and x2APIC, MTRRs, machine checks, PCID, VMX, MONITOR, and
         * XSAVE/AVX (no xsetbv emulation yet). Xen's PV policy hides these.
         */
        c &= ~((1U << 3) | (1U << 5) | (1U << 17) | (1U << 21) | (1U << 26) | (1U << 27) | (1U << 28));
        c |= 1U << 31;                  /* running on a hypervisor */
        d &= ~((1U << 3) | (1U << 7) | (1U << 9) | (1U << 12) | (1U << 14) | (1U << 17));
        break;
    case 7:
        if (subleaf == 0) {
            /* No FSGSBASE, SMEP, INVPCID, SMAP, PKU, UMIP, LA57, CET for PV. */
            b &= ~((1U << 0) | (1U << 7) | (1U << 10) | (1U << 20));
            c &= ~((1U << 2) | (1U << 3) | (1U << 7) | (1U << 16));
            d &= ~(1U << 20);
        }
        break;
    case 0xd:
        a = b = c = d = 0;              /* no XSAVE state */
        break;
    case 0x80000001:
        /*
         * AMD repeats leaf 1's PSE, MCE, APIC, MTRR, MCA and PSE36 here (Intel
         * leaves them 0): hidden as in leaf 1, whatever the vendor. No SVM
         * (as no VMX), no 1 GiB pages.
         */
        d &= ~((1U << 3) | (1U << 7) | (1U << 9) | (1U << 12) | (1U << 14) | (1U << 17) | (1U << 26));
        c &= ~(1U << 2);
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

static void emulate_cpuid(struct cpu_user_regs *regs)
{
    uint32_t a, b, c, d;

    pv_cpuid(regs->rax, regs->rcx, &a, &b, &c, &d);
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
    emulate_cpuid(regs);
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
    switch (msr) {
    case MSR_FS_BASE:        *val = v->arch.pv.fs_base; return true;
    case MSR_GS_BASE:        *val = v->arch.pv.gs_base_kernel; return true;
    case MSR_SHADOW_GS_BASE: *val = v->arch.pv.gs_base_user; return true;
    case MSR_EFER:           *val = EFER_SCE | EFER_LME | (1UL << 10) | EFER_NXE; return true;
    case MSR_PLATFORM_INFO:  *val = platform_info(); return true;
    case MSR_MISC_FEATURES_ENABLES:
        *val = v->arch.pv.cpuid_faulting ? MISC_FEATURES_CPUID_FAULTING : 0;
        return true;
    default:                 return false;
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
        return false;
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
        emulate_cpuid(regs);
        i += 2;
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
        case 4: val = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT; break;
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
        } else if (cr != 4) {
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
