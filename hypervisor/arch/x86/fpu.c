/*
 * vCPU x87/SSE/AVX state, as Xen's i387.c and xstate.c: each vCPU's area
 * (XSAVE standard format, or the 512-byte FXSAVE image without XSAVE),
 * saved and loaded eagerly at every switch; each vCPU's XCR0 (the guest
 * kernel's xsetbv, checked as Xen's handle_xsetbv/valid_xcr0); the
 * MXCSR_MASK VCPUOP_initialise checks guest images against; and the two
 * hazards of Xen's fpu_fxrstor/xrstor: a restore that faults (XSA-165/190
 * class) and x87 pointers one vCPU leaves for the next (XSA-52 class).
 *
 * XCR0 while the hypervisor saves and loads areas is every component guests
 * may have (xstate_mask), so one XSAVEOPT/XRSTOR with that mask covers any
 * vCPU whatever it enabled; a guest's own XCR0 is put back before it runs
 * (xgetbv is unprivileged: the guest reads the hardware's). XCR0 is written
 * only when it changes (hw_xcr0), so vCPUs that all enabled everything
 * switch with no xsetbv at all.
 */
#include "lib.h"
#include "fpu.h"
#include "domain.h"
#include "processor.h"
#include "cpu.h"

#define FCW_DEFAULT     0x037f
#define MXCSR_DEFAULT   0x1f80
#define FXSR_FCW        0
#define FXSR_FSW        2
#define FXSR_MXCSR      24
#define FXSR_MXCSR_MASK 28
/* CPUID 0x80000008 EBX bit 2: fxsave/fxrstor always save/restore FIP, FDP, FOP. */
#define CPUID_RSTR_FP_ERR_PTRS (1U << 2)
#define CPUID1_ECX_XSAVE       (1U << 26)
#define CPUIDD1_EAX_XSAVEOPT   (1U << 0)

_Static_assert(sizeof(((struct vcpu *)0)->arch.fpu_area) == FPU_AREA_SIZE, "fpu_area is FPU_AREA_SIZE");

bool opt_xsave = true;
static uint32_t mxcsr_mask = 0x0000ffbf;    /* the architectural default (a 0 mask field means it) */
static bool reset_x87_ptrs;                 /* AMD without RstrFpErrPtrs */
static const int32_t x87_dummy;             /* what the pointer reset loads */
static uint64_t xstate_mask;                /* XSAVE in use: what guests may enable; 0 = FXSAVE */
static uint32_t xstate_size;                /* the standard-format area for all of xstate_mask */
static bool use_xsaveopt;
static uint64_t hw_xcr0;                    /* what XCR0 holds now (one CPU) */

static const uint8_t clean_area[FPU_AREA_SIZE] __aligned(64) = {
    [FXSR_FCW] = FCW_DEFAULT & 0xff, [FXSR_FCW + 1] = FCW_DEFAULT >> 8,
    [FXSR_MXCSR] = MXCSR_DEFAULT & 0xff, [FXSR_MXCSR + 1] = MXCSR_DEFAULT >> 8,
};

static inline void xsetbv(uint32_t index, uint64_t val)
{
    __asm__ __volatile__("xsetbv" :: "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static inline void set_xcr0(uint64_t val)
{
    if (hw_xcr0 != val) {
        xsetbv(0, val);
        hw_xcr0 = val;
    }
}

bool fpu_mxcsr_valid(uint32_t mxcsr)
{
    return !(mxcsr & ~mxcsr_mask);
}

uint64_t fpu_xstate_mask(void)
{
    return xstate_mask;
}

uint32_t fpu_xstate_size(void)
{
    return xstate_size;
}

/* The architectural rules (Xen's valid_xcr0) within what this CPU and the hypervisor support. */
bool fpu_xcr0_valid(uint64_t xcr0)
{
    if (!xstate_mask || (xcr0 & ~xstate_mask))
        return false;
    if (!(xcr0 & XSTATE_X87))
        return false;                       /* x87 always */
    if ((xcr0 & XSTATE_YMM) && !(xcr0 & XSTATE_SSE))
        return false;                       /* AVX only with SSE */
    if (xcr0 & XSTATE_AVX512) {
        if (!(xcr0 & XSTATE_YMM))
            return false;                   /* AVX-512 only with AVX */
        if ((xcr0 & XSTATE_AVX512) != XSTATE_AVX512)
            return false;                   /* opmask, ZMM_Hi256, Hi16_ZMM together */
    }
    return true;
}

int fpu_guest_xsetbv(struct vcpu *v, uint32_t index, uint64_t value)
{
    if (index != 0 || !fpu_xcr0_valid(value))
        return -1;
    v->arch.xcr0 = value;
    set_xcr0(value);
    return 0;
}

static void set_xstate_bv(uint8_t *image, uint64_t bv)
{
    memcpy(image + XSAVE_HDR, &bv, sizeof(bv));
}

static uint64_t xstate_bv(const uint8_t *image)
{
    uint64_t bv;

    memcpy(&bv, image + XSAVE_HDR, sizeof(bv));
    return bv;
}

void fpu_reset_image(uint8_t image[FPU_AREA_SIZE])
{
    memcpy(image, clean_area, FPU_AREA_SIZE);
    set_xstate_bv(image, XSTATE_FP_SSE);
}

void fpu_load_legacy_image(struct vcpu *v, const uint8_t image[512])
{
    /* As Xen's arch_set_info_guest: the legacy region, XSTATE_BV = x87|SSE, the rest init. */
    fpu_reset_image(v->arch.fpu_area);
    memcpy(v->arch.fpu_area, image, 512);
    v->arch.xcr0 = XSTATE_FP_SSE;
}

/*
 * fxrstor64 / xrstor64 (with xstate_mask) of the image at `image`; false if
 * it faulted (#GP: reserved MXCSR bits, a misaligned image, a bad XSAVE
 * header), caught by the exception table.
 */
static __attribute__((noinline)) bool fxrstor_checked(const uint8_t *image)
{
    uint32_t ok = 1;

    __asm__ __volatile__("1: fxrstor64 (%1)\n"
                         "2:\n"
                         ".pushsection .text.fixup, \"ax\"\n"
                         "3: xor %k0, %k0\n"
                         "   jmp 2b\n"
                         ".popsection\n"
                         ".pushsection .ex_table, \"a\"\n"
                         "   .quad 1b, 3b\n"
                         ".popsection"
                         : "+r"(ok) : "r"(image), "m"(*(const uint8_t (*)[512])image));
    return ok;
}

static __attribute__((noinline)) bool xrstor_checked(const uint8_t *image)
{
    uint32_t ok = 1;

    __asm__ __volatile__("1: xrstor64 (%1)\n"
                         "2:\n"
                         ".pushsection .text.fixup, \"ax\"\n"
                         "3: xor %k0, %k0\n"
                         "   jmp 2b\n"
                         ".popsection\n"
                         ".pushsection .ex_table, \"a\"\n"
                         "   .quad 1b, 3b\n"
                         ".popsection"
                         : "+r"(ok) : "r"(image), "a"((uint32_t)xstate_mask),
                           "d"((uint32_t)(xstate_mask >> 32)),
                           "m"(*(const uint8_t (*)[FPU_AREA_SIZE])image));
    return ok;
}

static bool restore_checked(const uint8_t *image)
{
    return xstate_mask ? xrstor_checked(image) : fxrstor_checked(image);
}

void arch_fpu_save(struct vcpu *v)
{
    uint32_t lo = (uint32_t)xstate_mask, hi = (uint32_t)(xstate_mask >> 32);

    __asm__ __volatile__("clts");
    if (!xstate_mask) {
        __asm__ __volatile__("fxsave64 %0" : "=m"(*(uint8_t (*)[512])v->arch.fpu_area));
        return;
    }
    set_xcr0(xstate_mask);
    /*
     * XSAVEOPT may skip components unchanged since the XRSTOR from this same
     * area (this vCPU's last switch-in): the area still holds them, as
     * nothing but this vCPU's save writes a running vCPU's area.
     */
    if (use_xsaveopt)
        __asm__ __volatile__("xsaveopt64 %0" : "+m"(v->arch.fpu_area) : "a"(lo), "d"(hi));
    else
        __asm__ __volatile__("xsave64 %0" : "+m"(v->arch.fpu_area) : "a"(lo), "d"(hi));
}

void arch_fpu_restore(struct vcpu *v)
{
    uint16_t fcw, fsw;

    __asm__ __volatile__("clts");
    if (xstate_mask)
        set_xcr0(xstate_mask);
    memcpy(&fcw, v->arch.fpu_area + FXSR_FCW, sizeof(fcw));
    memcpy(&fsw, v->arch.fpu_area + FXSR_FSW, sizeof(fsw));
    /*
     * As Xen's fpu_fxrstor/xrstor: where the restore leaves FIP/FDP/FOP
     * alone (no unmasked exception pending in the image), give them the
     * values of a dummy load, so the previous vCPU's do not show. The load
     * is from a constant in the image, not (as Xen) from the vCPU's area:
     * what the guest can then read is this instruction's and that
     * constant's address, fixed, never the address of a heap block. With
     * XSAVE, only when the image holds x87 state (else XRSTOR puts x87 in
     * its init state, pointers zero).
     */
    if (reset_x87_ptrs && !(fsw & ~fcw & 0x3f) &&
        (!xstate_mask || (xstate_bv(v->arch.fpu_area) & XSTATE_X87)))
        __asm__ __volatile__("fnclex\n\tffree %%st(7)\n\tfildl %0" :: "m"(x87_dummy));
    if (restore_checked(v->arch.fpu_area)) {
        if (xstate_mask)
            set_xcr0(v->arch.xcr0);
        return;
    }
    fpu_reset_image(v->arch.fpu_area);
    (void)restore_checked(clean_area);
    if (xstate_mask) {
        v->arch.xcr0 = XSTATE_FP_SSE;
        set_xcr0(v->arch.xcr0);
    }
    domain_crash(v->domain, xstate_mask ? "FPU state could not be restored (xrstor refused the image)"
                                        : "FPU state could not be restored (fxrstor refused the image)",
                 guest_cpu_regs());
}

/*
 * XSAVE where the CPU has it: CR4.OSXSAVE, the components of XSTATE_PV_MAX
 * the CPU supports (AVX-512 only as the whole group), the area's size from
 * CPUID 0xD with all of them on in XCR0 (components that would not fit
 * FPU_AREA_SIZE left out), XSAVEOPT if offered.
 */
static void xstate_init(void)
{
    uint32_t a, b, c, d;
    uint64_t mask;

    cpuid_count(0, 0, &a, &b, &c, &d);
    if (a < 0xd)
        return;
    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(c & CPUID1_ECX_XSAVE))
        return;
    write_cr4(read_cr4() | X86_CR4_OSXSAVE);
    cpuid_count(0xd, 0, &a, &b, &c, &d);
    mask = (a | ((uint64_t)d << 32)) & XSTATE_PV_MAX;
    if ((mask & XSTATE_FP_SSE) != XSTATE_FP_SSE) {
        write_cr4(read_cr4() & ~X86_CR4_OSXSAVE);
        return;
    }
    if (!(mask & XSTATE_YMM) || (mask & XSTATE_AVX512) != XSTATE_AVX512)
        mask &= ~XSTATE_AVX512;
    for (;;) {
        xsetbv(0, mask);
        cpuid_count(0xd, 0, &a, &b, &c, &d);
        if (b <= FPU_AREA_SIZE || mask == XSTATE_FP_SSE)
            break;
        mask &= (mask & XSTATE_AVX512) ? ~XSTATE_AVX512 : XSTATE_FP_SSE;
    }
    if (b > FPU_AREA_SIZE || b < XSAVE_HDR + 64) {
        xsetbv(0, XSTATE_FP_SSE);
        write_cr4(read_cr4() & ~X86_CR4_OSXSAVE);
        return;
    }
    hw_xcr0 = mask;
    xstate_mask = mask;
    xstate_size = b;
    cpuid_count(0xd, 1, &a, &b, &c, &d);
    use_xsaveopt = a & CPUIDD1_EAX_XSAVEOPT;
}

void fpu_init(void)
{
    static uint8_t probe[FPU_AREA_SIZE + 64] __aligned(64);
    uint32_t a, b, c, d, mask, vendor[3];
    bool checked;

    memset(probe, 0, sizeof(probe));
    __asm__ __volatile__("fxsave64 %0" : "=m"(*(uint8_t (*)[512])probe));
    memcpy(&mask, probe + FXSR_MXCSR_MASK, sizeof(mask));
    if (mask)
        mxcsr_mask = mask;

    cpuid_count(0, 0, &a, &vendor[0], &vendor[2], &vendor[1]);
    cpuid_count(0x80000000, 0, &a, &b, &c, &d);
    if (!memcmp(vendor, "AuthenticAMD", 12) || !memcmp(vendor, "HygonGenuine", 12)) {
        b = 0;
        if (a >= 0x80000008)
            cpuid_count(0x80000008, 0, &a, &b, &c, &d);
        reset_x87_ptrs = !(b & CPUID_RSTR_FP_ERR_PTRS);
    }
    if (opt_xsave)
        xstate_init();

    /*
     * The restore's fix-up, checked once: a misaligned image (8 bytes off:
     * fxrstor wants 16, xrstor 64) always raises #GP; with XSAVE, so does a
     * header whose XSTATE_BV names a component XCR0 does not enable (bit 8,
     * a supervisor one).
     */
    fpu_reset_image(probe + 8);
    checked = !restore_checked(probe + 8);
    if (xstate_mask) {
        fpu_reset_image(probe);
        set_xstate_bv(probe, XSTATE_FP_SSE | (1ULL << 8));
        checked = checked && !restore_checked(probe);
    }
    fpu_reset_image(probe);
    (void)restore_checked(probe);
    if (xstate_mask)
        printk("FPU: xsave/%s, XCR0 components %#lx, area %u bytes, MXCSR_MASK %#x\n",
               use_xsaveopt ? "xsaveopt/xrstor" : "xrstor", (unsigned long)xstate_mask, xstate_size,
               mxcsr_mask);
    else
        printk("FPU: fxsave/fxrstor (%s), MXCSR_MASK %#x\n",
               opt_xsave ? "the CPU has no usable XSAVE" : "xsave=off", mxcsr_mask);
    printk("FPU: x87 pointers %s, restore fix-up %s\n",
           reset_x87_ptrs ? "reset at each restore (AMD without RstrFpErrPtrs)" : "kept by the CPU",
           checked ? "checked (#GP caught)" : "NOT checked (no fault)");
}
