/*
 * The PV platform's inline half of the seam in include/platform.h: what the
 * common code needs as constants or one-instruction helpers. The native build
 * has its own (arch/x86/native/include/arch/platform.h); each build puts one
 * of the two directories on its include path. Included at the end of guest.h.
 */
#ifndef GUEST_ARCH_PLATFORM_H
#define GUEST_ARCH_PLATFORM_H

/* Machine frames: the P2M (start_info->mfn_list) and the read-only M2P at MACH2PHYS_VIRT_START. */
static inline uint64_t mfn_to_pfn(uint64_t mfn) { return ((const uint64_t *)MACH2PHYS_VIRT_START)[mfn]; }
static inline uint64_t pfn_to_mfn(uint64_t pfn) { return ((const uint64_t *)start_info->mfn_list)[pfn]; }

/* The guest's interrupt flag is the event upcall mask (one vCPU). */
static inline void events_disable(void) { shared_info->vcpu_info[0].evtchn_upcall_mask = 1; barrier(); }

/* User-mode selectors of an entry frame: Xen's flat ring-3 segments. */
#define ARCH_USER_CS    FLAT_USER_CS
#define ARCH_USER_SS    FLAT_USER_SS
/* The no-execute bit of a page-table entry (Xen's 64-bit PV guests always have NX). */
#define ARCH_PAGE_NX    (1UL << 63)
#define ARCH_NAME       "pv"
/* A second L4 for user mode (Xen's NEW_USER_BASEPTR): the user half only, without the kernel. */
#define ARCH_USER_L4    1

#endif
