/*
 * The x87/SSE/AVX state of vCPUs (fpu.c), switched eagerly at every context
 * switch, as Xen's i387.c and xstate.c: an XSAVE area per vCPU (standard
 * format, sized from CPUID leaf 0xD) saved with XSAVEOPT (XSAVE without
 * it) and loaded with XRSTOR, or the 512-byte FXSAVE image where the CPU
 * has no XSAVE (or `xsave=off`). Each vCPU has its own XCR0 (set by the
 * guest kernel's emulated xsetbv), in the hardware while the vCPU runs.
 */
#ifndef TANDEM_FPU_H
#define TANDEM_FPU_H

#include "types.h"

struct vcpu;

/* XCR0 state components (SDM vol. 1, 13.1). */
#define XSTATE_X87      (1ULL << 0)
#define XSTATE_SSE      (1ULL << 1)
#define XSTATE_YMM      (1ULL << 2)
#define XSTATE_BNDREGS  (1ULL << 3)
#define XSTATE_BNDCSR   (1ULL << 4)
#define XSTATE_OPMASK   (1ULL << 5)
#define XSTATE_ZMM      (1ULL << 6)
#define XSTATE_HI_ZMM   (1ULL << 7)
#define XSTATE_PKRU     (1ULL << 9)
#define XSTATE_FP_SSE   (XSTATE_X87 | XSTATE_SSE)
#define XSTATE_AVX512   (XSTATE_OPMASK | XSTATE_ZMM | XSTATE_HI_ZMM)
/* What a PV vCPU may have: x87, SSE, AVX, AVX-512 (no MPX, PKRU, AMX: as Xen's PV policy). */
#define XSTATE_PV_MAX   (XSTATE_FP_SSE | XSTATE_YMM | XSTATE_AVX512)
/* The standard-format area of XSTATE_PV_MAX: Hi16_ZMM ends at 1664 + 1024. */
#define FPU_AREA_SIZE   2688
#define XSAVE_HDR       512             /* the XSAVE header: XSTATE_BV, XCOMP_BV, reserved */

extern bool opt_xsave;                  /* `xsave=off`: FXSAVE only, no XSAVE for guests */

/* Boot: XSAVE (CR4.OSXSAVE, the components, the area's size) or FXSAVE; the restore fix-up checked. */
void fpu_init(void);

/* True if fxrstor/xrstor accept this MXCSR (no bit outside the CPU's MXCSR_MASK). */
bool fpu_mxcsr_valid(uint32_t mxcsr);

/* XSAVE in use: the XCR0 components guests may enable (0 without XSAVE); the area's size for all of them. */
uint64_t fpu_xstate_mask(void);
uint32_t fpu_xstate_size(void);

/* True if the XCR0 value is one a PV guest may set (Xen's valid_xcr0 and the supported components). */
bool fpu_xcr0_valid(uint64_t xcr0);
/* The guest's xsetbv: 0 done, -1 refused (#GP, the hardware's checks). XCR0 only. */
int fpu_guest_xsetbv(struct vcpu *v, uint32_t index, uint64_t value);

/* A clean area: FCW 0x37f, MXCSR 0x1f80, everything else zero (XSTATE_BV = x87|SSE). */
void fpu_reset_image(uint8_t image[FPU_AREA_SIZE]);
/* A guest's 512-byte FXSAVE image (VCPUOP_initialise, MXCSR checked): x87/SSE from it, the rest init. */
void fpu_load_legacy_image(struct vcpu *v, const uint8_t image[512]);

/* Save the running vCPU v's state into v->arch.fpu_area (CR0.TS is cleared first). */
void arch_fpu_save(struct vcpu *v);
/*
 * Load v->arch.fpu_area and v's XCR0. Never faults the hypervisor: an image
 * the CPU refuses is replaced by a clean one and v's domain is crashed. On
 * CPUs that keep the x87 FIP/FDP/FOP of the previous vCPU (AMD without
 * RstrFpErrPtrs), those are reset first.
 */
void arch_fpu_restore(struct vcpu *v);

#endif
