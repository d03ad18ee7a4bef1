/*
 * The x86 part of struct vcpu and struct domain (Xen's asm/domain.h):
 * state every x86 guest has (FPU image, debug registers), then a union
 * with one member per guest type (PV), and a pointer to the HVM state for
 * an HVM (SVM) guest (docs/hvm.md). Common code never reads these fields:
 * it goes through arch_hooks.h. domain.h includes this header.
 */
#ifndef TANDEM_ARCH_DOMAIN_H
#define TANDEM_ARCH_DOMAIN_H

#include "types.h"
#include <tandem/xen.h>

/*
 * A 64-bit PV vCPU's virtual CPU state (Xen's struct pv_vcpu). The fields
 * the SYSCALL bounce, the iret hypercall, the page-fault bounce and event
 * delivery read come first, then the trap table (trap_ctxt[14], [0x80]), so
 * that with the common head of struct vcpu they share one page: under TCG
 * each distinct page touched after a CR3 write costs a software-TLB refill
 * (docs/architecture.md, "The PV fast paths"). Colder state follows.
 */
struct pv_vcpu {
    /* Hot: every bounce and every iret. */
    bool in_kernel;                 /* guest kernel mode vs guest user mode */
    bool nmi_pending;               /* VCPUOP_send_nmi, not yet delivered (set by any vCPU) */
    bool nmi_masked;                /* in the NMI callback: until the next iret (Xen's async_exception_mask) */
    bool fpu_ts;                    /* virtual CR0.TS */
    unsigned int callback_flags;    /* bit per CALLBACKTYPE: mask events */
    mfn_t kernel_l4;                /* NEW_BASEPTR, 0 = not initialised */
    mfn_t user_l4;                  /* NEW_USER_BASEPTR, 0 = none */
    uint64_t kernel_ss, kernel_sp;  /* stack_switch */
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint64_t cr4;                   /* the guest-controlled CR4 bits (OSXSAVE, FSGSBASE: pv/emul.c) */
    uint64_t event_callback, failsafe_callback, syscall_callback;   /* the NMI callback is trap_ctxt[2] */
    uint64_t sysenter_callback, syscall32_callback;
    unsigned int iopl;              /* virtual IOPL (PHYSDEVOP_set_iopl) */
    struct trap_info trap_ctxt[256];
    /* Colder: descriptor tables, I/O, context switch. */
    mfn_t mm_pending;               /* a dying table whose teardown this vCPU owes (pv/mm.c), 0 = none */
    uint16_t gs_sel_user;
    uint16_t sel_ds, sel_es, sel_fs, sel_gs;   /* data selectors, saved while descheduled */
    mfn_t gdt_frames[14];           /* set_gdt: guest descriptor pages (seg_desc type) */
    unsigned int gdt_nr_frames, gdt_entries;
    uint64_t ldt_base;              /* MMUEXT_SET_LDT: guest linear address, page aligned */
    unsigned int ldt_ents;          /* its entries (0-8192), 0 = no LDT */
    mfn_t ldt_frames[16];           /* LDT pages mapped so far (seg_desc type + reference), 0 = not yet */
    uint64_t iobmp;                 /* guest VA of the I/O bitmap (PHYSDEVOP_set_iobitmap) */
    unsigned int iobmp_limit;       /* ports it covers, 0 = none */
    bool cpuid_faulting;            /* MSR_MISC_FEATURES_ENABLES bit 0 (pv/emul.c) */
    uint64_t mcg_status;            /* virtual MCG_STATUS (pv/vmce.c) */
};

/* The PV state first (its hot part shares struct vcpu's first page), the FPU image after. */
struct arch_vcpu {
    /*
     * HVM (SVM) vCPU state, NULL for a PV vCPU (hvm/hvm.h). A pointer beside
     * the PV state rather than a union member: PV walkers (the audit, the
     * teardown) read v->arch.pv of every vCPU, which stays zero for HVM.
     */
    struct hvm_vcpu *hvm;
    union {
        struct pv_vcpu pv;
    };
    uint64_t dr[8];                 /* guest debug registers */
    uint64_t xcr0;                  /* the guest's XCR0 (fpu.c), x87|SSE until its xsetbv */
    bool fpu_dirty;
    uint8_t fpu_area[2688] __aligned(64);   /* XSAVE area (standard format) or FXSAVE image (fpu.c) */
};

/* A PV domain's memory layout as built (pv/domain_build.c). */
struct pv_domain {
    uint64_t nr_pfns;               /* guest pseudo-physical size */
    uint64_t p2m_va;                /* start_info.mfn_list */
    uint32_t pci_cf8;               /* the domain's own 0xcf8 address latch (Xen's arch.pci_cf8) */
};

struct domain_irq;
struct hvm_domain;

struct arch_domain {
    struct domain_irq *irq;         /* pirqs (arch/x86/irq_desc.h), NULL until first used */
    struct hvm_domain *hvm;         /* an HVM domain's state (hvm/hvm.h), NULL for PV */
    union {
        struct pv_domain pv;
    };
};

#endif
