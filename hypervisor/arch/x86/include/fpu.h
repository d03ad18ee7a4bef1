/*
 * The x87/SSE state of vCPUs (fpu.c): a 512-byte FXSAVE image per vCPU,
 * switched eagerly at every context switch. As Xen's i387.c.
 */
#ifndef TANDEM_FPU_H
#define TANDEM_FPU_H

#include "types.h"

struct vcpu;

/* Boot: the CPU's MXCSR_MASK, whether x87 pointers need a reset, the restore fix-up checked. */
void fpu_init(void);

/* True if fxrstor accepts this MXCSR (no bit outside the CPU's MXCSR_MASK). */
bool fpu_mxcsr_valid(uint32_t mxcsr);

/* A clean image: FCW 0x37f, MXCSR 0x1f80, everything else zero. */
void fpu_reset_image(uint8_t image[512]);

/* Save the running vCPU v's state into v->arch.fpu_area (CR0.TS is cleared first). */
void arch_fpu_save(struct vcpu *v);
/*
 * Load v->arch.fpu_area. Never faults the hypervisor: an image fxrstor refuses
 * is replaced by a clean one and v's domain is crashed. On CPUs that keep
 * the x87 FIP/FDP/FOP of the previous vCPU (AMD without RstrFpErrPtrs),
 * those are reset first.
 */
void arch_fpu_restore(struct vcpu *v);

#endif
