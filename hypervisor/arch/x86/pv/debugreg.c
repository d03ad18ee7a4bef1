/*
 * A PV vCPU's debug registers (Xen's set_debugreg, x86emul_read_dr and
 * x86emul_write_dr, x86_merge_dr6): the set/get_debugreg hypercalls, the
 * guest kernel's `mov` to and from %dr0-%dr7 (emulated: the guest runs in
 * ring 3, where they raise #GP(0)), and the guest's view of DR6 when one
 * of its breakpoints or single steps reaches it as #DB.
 *
 * v->arch.dr[] is the guest's view. DR0-3 and DR7 are loaded into the
 * hardware while the vCPU runs; DR6 never is: the hardware's DR6 is kept
 * at its reset value and what a #DB sets there is merged into dr[6].
 */
#include "lib.h"
#include "pv.h"
#include "hypercall.h"
#include "processor.h"
#include <tandem/errno.h>

/* DR6/DR7 reserved bits as Xen fixes them up for a policy without RTM/BLD. */
#define DR6_ONES     0xffff0ff0ULL      /* reserved, read as one (also the reset value) */
#define DR6_ZEROS    0x00001000ULL      /* bit 12 reads as zero */
#define DR6_DEFAULT  0xffff0ff0ULL      /* X86_DR6_DEFAULT: no event pending */
#define DR6_BP_MASK  0x0000000fULL      /* B0-B3: which breakpoint matched */
#define DR6_KNOWN    0x0000e00fULL      /* B0-B3, BD, BS, BT (positive polarity) */
#define DR6_BS       0x00004000ULL      /* single step */
#define DR7_ONES     0x00000400ULL      /* bit 10 */
#define DR7_ZEROS    0x0000d800ULL      /* bits 11, 12, 14, 15 (no RTM) */
#define DR7_GD       0x00002000ULL

/*
 * As Xen's set_debugreg(): DR0-3 must not point into the hypervisor
 * (-EPERM); DR6/DR7 upper halves are -EINVAL and their reserved bits are
 * fixed up silently; DR7.GD and I/O breakpoints (no virtual CR4.DE) are
 * -EPERM; DR4/DR5 alias DR6/DR7; anything else is -ENODEV.
 */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value)
{
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, 1))
            return -XEN_EPERM;
        v->arch.dr[reg] = value;
        break;
    case 4: case 6:
        if (value >> 32)
            return -XEN_EINVAL;
        v->arch.dr[6] = (value | DR6_ONES) & ~DR6_ZEROS;
        return 0;
    case 5: case 7:
        if (value >> 32)
            return -XEN_EINVAL;
        value = (value | DR7_ONES) & ~DR7_ZEROS;
        if (value & DR7_GD)
            return -XEN_EPERM;
        if (value & 0xff)               /* any L/G enable: no I/O breakpoints (RW = 10b) */
            for (unsigned int i = 0; i < 4; i++)
                if (((value >> (16 + 4 * i)) & 3) == 2)
                    return -XEN_EPERM;
        v->arch.dr[7] = value;
        break;
    default:
        return -XEN_ENODEV;
    }
    if (v == current)
        pv_load_debug_regs_now(v);
    return 0;
}

/* As Xen's x86emul_read_dr(): false for anything but DR0-7 (#UD by instruction). */
bool pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *val)
{
    switch (reg) {
    case 0: case 1: case 2: case 3: case 6: case 7:
        *val = v->arch.dr[reg];
        return true;
    case 4: case 5:                     /* virtual CR4.DE is always clear */
        *val = v->arch.dr[reg + 2];
        return true;
    default:
        return false;
    }
}

long do_set_debugreg(uint64_t reg, uint64_t value)
{
    /* Xen's do_set_debugreg and do_get_debugreg take an int: only the low 32 bits count. */
    return pv_set_debugreg(current, (uint32_t)reg, value);
}

long do_get_debugreg(uint64_t reg)
{
    uint64_t val;

    if (!pv_get_debugreg(current, (uint32_t)reg, &val))
        return -XEN_ENODEV;
    return (long)val;
}

/*
 * `mov %drN, reg` (0f 21) or `mov reg, %drN` (0f 23) with this ModRM and
 * REX. The mod field is ignored and the operand is always 64 bits, as on
 * hardware; REX.R reaches DR8-15, which do not exist.
 */
enum pv_dr_result pv_emulate_mov_dr(struct vcpu *v, struct cpu_user_regs *regs, bool to_dr,
                                    unsigned int modrm, unsigned int rex)
{
    unsigned int dr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    uint64_t *gpr = pv_gpr(regs, (modrm & 7) | ((rex & 1) << 3));
    uint64_t val;

    if (!to_dr) {
        if (!pv_get_debugreg(v, dr, &val))
            return PV_DR_UD;
        *gpr = val;
        return PV_DR_DONE;
    }
    /* As Xen's x86emul_write_dr(): -ENODEV is #UD, every other refusal #GP(0). */
    switch (pv_set_debugreg(v, dr, *gpr)) {
    case 0:
        return PV_DR_DONE;
    case -XEN_ENODEV:
        return PV_DR_UD;
    default:
        return PV_DR_GP;
    }
}

/*
 * A #DB raised in guest context: as Xen's do_debug() and x86_merge_dr6(),
 * the breakpoint bits (B0-3) the hardware reports replace the guest's, the
 * other status bits (BD, BS, BT) accumulate until the guest clears them.
 * The hardware's DR6 goes back to its reset value.
 */
static void merge_dr6(struct vcpu *v, uint64_t pending)
{
    uint64_t dr6 = v->arch.dr[6];

    dr6 ^= DR6_DEFAULT;                 /* positive polarity */
    dr6 &= ~DR6_BP_MASK;
    dr6 |= pending & DR6_KNOWN;
    dr6 ^= DR6_DEFAULT;
    v->arch.dr[6] = (dr6 | DR6_ONES) & ~DR6_ZEROS;
}

void pv_debug_trap(struct vcpu *v)
{
    uint64_t hw;

    __asm__ __volatile__("mov %%dr6, %0" : "=r"(hw));
    __asm__ __volatile__("mov %0, %%dr6" :: "r"(DR6_DEFAULT));
    merge_dr6(v, hw ^ DR6_DEFAULT);
}

/*
 * An instruction the hypervisor emulated (rip now past it) with the guest's
 * TF set: the CPU never single-stepped it (it faulted instead), so the
 * single-step trap is the hypervisor's to deliver, as Xen's emulators do
 * (BS in DR6, #DB at the next instruction).
 */
void pv_emulated_single_step(struct vcpu *v, struct cpu_user_regs *regs)
{
    if (!(regs->rflags & X86_EFLAGS_TF))
        return;
    merge_dr6(v, DR6_BS);
    pv_inject_exception(v, regs, TRAP_debug, false, 0);
}
