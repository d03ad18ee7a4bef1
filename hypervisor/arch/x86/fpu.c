/*
 * vCPU x87/SSE state: fxsave/fxrstor of each vCPU's 512-byte image, the
 * MXCSR_MASK VCPUOP_initialise checks guest images against, and the two
 * hazards of Xen's fpu_fxrstor: a restore that faults (XSA-165/190 class)
 * and x87 pointers one vCPU leaves for the next (XSA-52 class).
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

static uint32_t mxcsr_mask = 0x0000ffbf;    /* the architectural default (a 0 mask field means it) */
static bool reset_x87_ptrs;                 /* AMD without RstrFpErrPtrs */
static const int32_t x87_dummy;             /* what the pointer reset loads */

bool fpu_mxcsr_valid(uint32_t mxcsr)
{
    return !(mxcsr & ~mxcsr_mask);
}

void fpu_reset_image(uint8_t image[512])
{
    uint16_t fcw = FCW_DEFAULT;
    uint32_t mxcsr = MXCSR_DEFAULT;

    memset(image, 0, 512);
    memcpy(image + FXSR_FCW, &fcw, sizeof(fcw));
    memcpy(image + FXSR_MXCSR, &mxcsr, sizeof(mxcsr));
}

/*
 * fxrstor64 of the image at `image`; false if it faulted (#GP: reserved
 * MXCSR bits, a misaligned image), caught by the exception table. #XM/#MF
 * fix-ups come with the trap code's own exception-table work.
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

void arch_fpu_save(struct vcpu *v)
{
    __asm__ __volatile__("clts; fxsave64 %0" : "=m"(v->arch.fpu_area));
}

void arch_fpu_restore(struct vcpu *v)
{
    static const uint8_t clean[512] __aligned(16) = {
        [FXSR_FCW] = FCW_DEFAULT & 0xff, [FXSR_FCW + 1] = FCW_DEFAULT >> 8,
        [FXSR_MXCSR] = MXCSR_DEFAULT & 0xff, [FXSR_MXCSR + 1] = MXCSR_DEFAULT >> 8,
    };
    uint16_t fcw, fsw;

    __asm__ __volatile__("clts");
    memcpy(&fcw, v->arch.fpu_area + FXSR_FCW, sizeof(fcw));
    memcpy(&fsw, v->arch.fpu_area + FXSR_FSW, sizeof(fsw));
    /*
     * As Xen's fpu_fxrstor: where fxrstor leaves FIP/FDP/FOP alone (no
     * unmasked exception pending in the image), give them the values of a
     * dummy load, so the previous vCPU's do not show. The load is from a
     * constant in the image, not (as Xen) from the vCPU's area: what the
     * guest can then read is this instruction's and that constant's
     * address, fixed, never the address of a heap block.
     */
    if (reset_x87_ptrs && !(fsw & ~fcw & 0x3f))
        __asm__ __volatile__("fnclex\n\tffree %%st(7)\n\tfildl %0" :: "m"(x87_dummy));
    if (fxrstor_checked(v->arch.fpu_area))
        return;
    fpu_reset_image(v->arch.fpu_area);
    (void)fxrstor_checked(clean);
    domain_crash(v->domain, "FPU state could not be restored (fxrstor refused the image)",
                 guest_cpu_regs());
}

void fpu_init(void)
{
    static uint8_t probe[512 + 16] __aligned(16);
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

    /* The restore's fix-up, checked once: a misaligned image always raises #GP. */
    fpu_reset_image(probe + 8);
    checked = !fxrstor_checked(probe + 8);
    fpu_reset_image(probe);
    (void)fxrstor_checked(probe);
    printk("FPU: fxsave/fxrstor, MXCSR_MASK %#x, x87 pointers %s, restore fix-up %s\n", mxcsr_mask,
           reset_x87_ptrs ? "reset at each restore (AMD without RstrFpErrPtrs)" : "kept by the CPU",
           checked ? "checked (#GP caught)" : "NOT checked (no fault)");
}
