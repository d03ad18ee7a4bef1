/*
 * HVM domains: what is not SVM-specific (docs/hvm.md). An HVM domain's
 * guest-physical memory 0..nr_pages is a set of its own frames mapped by
 * nested page tables (svm/npt.c); its vCPUs run with VMRUN (svm/svm.c).
 */
#ifndef TANDEM_HVM_H
#define TANDEM_HVM_H

#include "types.h"
#include "regs.h"

struct vcpu;
struct domain;
struct dom_build_args;

/* VM exit reasons counted per domain and printed when it ends (hvm_exit_name). */
enum hvm_exit_reason {
    HVM_EXIT_CPUID, HVM_EXIT_HLT, HVM_EXIT_IO, HVM_EXIT_MSR, HVM_EXIT_NPF, HVM_EXIT_INTR,
    HVM_EXIT_NMI, HVM_EXIT_SMI, HVM_EXIT_SHUTDOWN, HVM_EXIT_VMMCALL, HVM_EXIT_INVALID,
    HVM_EXIT_UD, HVM_EXIT_OTHER, HVM_EXIT_NR
};
const char *hvm_exit_name(unsigned int reason);

struct hvm_domain {
    uint64_t nr_pages;              /* guest-physical size in pages */
    mfn_t *p2m;                     /* guest frame -> machine frame, nr_pages entries */
    uint64_t *npt_l4;               /* nested page tables (hypervisor heap pages) */
    uint32_t asid;                  /* 1.. (ASID 0 is the host's; TCG refuses it) */
    uint64_t exits[HVM_EXIT_NR];    /* by reason */
    uint64_t exits_total;
};

struct hvm_vcpu {
    void *vmcb;                     /* one page (svm/vmcb.h) */
    uint64_t timer_deadline;        /* VMMCALL set_timer: system time, 0 = none */
    uint8_t timer_vector;
    bool timer_pending;             /* deadline passed, interrupt not yet injected */
};

/* An HVM domain (needs domain.h). */
#define is_hvm_domain(d) ((d)->arch.hvm != NULL)

/* The hvm64 hypercalls an HVM guest makes with VMMCALL (rax = op; docs/hvm.md). */
#define HVMCALL_console_write   0   /* rdi = guest-physical address, rsi = bytes (<= 4096) */
#define HVMCALL_poweroff        1   /* rdi = 0 poweroff, 1 reboot, 2 crash */
#define HVMCALL_set_timer       2   /* rdi = ns from now (0 = cancel), rsi = vector 32..255 */

/* Guest-physical [gpa, gpa+len) as hypervisor pointers, page by page: false if not all in the domain. */
bool hvm_copy_from_guest(struct domain *d, void *dst, uint64_t gpa, size_t len);

/* Build d (type=hvm): memory, NPT, the image, vCPU 0 in 32-bit flat protected mode at its entry. */
int hvm_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen);
/* Free what hvm_build_domain and the vCPUs took beyond the domain's frames; print the exit counts. */
void hvm_domain_destroy(struct domain *d);

/* Hardware support (svm/svm.c): true if this CPU can run HVM guests (why: NULL or the reason). */
bool hvm_available(const char **why);

#endif
