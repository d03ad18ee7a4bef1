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
/* HVMCALL_counters 3: rdi = gpa of a struct hvm_counters, rsi = bytes (tandem/hvmcall.h). */

/* Shadow paging's counters for HVMCALL_counters: up to max entries named "shadow.NAME" into out;
 * how many (the same set every call). svm.c has a weak one giving none (NPT domains). */
struct hvm_counter;
unsigned int hvm_shadow_counters(struct domain *d, struct hvm_counter *out, unsigned int max);

/* ---- guest memory (hvm/guest_walk.c; docs/hvm.md "Guest walks") ---- */
/* The hypervisor's pointer to guest frame gfn, or NULL if it is not one of the domain's. */
void *hvm_gfn_map(struct domain *d, uint64_t gfn);
/* Guest-physical [gpa, gpa+len), page by page: false if not all in the domain's memory. */
bool hvm_copy_from_guest(struct domain *d, void *dst, uint64_t gpa, size_t len);
bool hvm_copy_to_guest(struct domain *d, uint64_t gpa, const void *src, size_t len);

/* The guest's own paging state: in NPT mode the VMCB's, with shadow paging the guest's view. */
struct hvm_paging {
    uint64_t cr0, cr3, cr4, efer;   /* efer: as the guest sees it (no SVME) */
    unsigned int cpl;
};
void hvm_get_paging(struct vcpu *v, struct hvm_paging *p);     /* svm/svm.c */

/* Page-fault error code bits (the #PF error code, also a walk's access type). */
#define HVM_PFEC_PRESENT 0x01
#define HVM_PFEC_WRITE   0x02
#define HVM_PFEC_USER    0x04
#define HVM_PFEC_RSVD    0x08
#define HVM_PFEC_FETCH   0x10

/* A walk of the guest's page tables for one guest-virtual address. */
struct hvm_walk {
    uint64_t gpa;                   /* the guest-physical address (HVM_WALK_OK) */
    unsigned int levels;            /* 4 in long mode, 0 with paging off */
    unsigned int page_level;        /* 1: 4 KiB page, 2: 2 MiB, 3: 1 GiB */
    uint64_t table_gfn[4];          /* the guest frame of each table walked, L4 first */
    uint64_t *entry[4];             /* the hypervisor's pointer to each entry read, L4 first */
    uint64_t pte[4];                /* the entries as read (and as updated by HVM_WALK_SET_AD) */
    bool perm_write, perm_user, perm_exec;  /* the combined rights of the walk */
    uint32_t pfec;                  /* HVM_WALK_FAULT: the #PF error code to give the guest */
};
#define HVM_WALK_OK          0
#define HVM_WALK_FAULT       1      /* the guest's own #PF (w->pfec) */
#define HVM_WALK_BAD_TABLE   2      /* a table the guest points at is outside its memory */
#define HVM_WALK_UNSUPPORTED 3      /* 32-bit or PAE legacy paging (only long mode is offered) */
#define HVM_WALK_SET_AD      1u     /* flags: set accessed (and dirty, on a write) as the CPU does */
/* Walk gva for an access of kind `access` (HVM_PFEC_WRITE|USER|FETCH). */
int hvm_walk(struct vcpu *v, uint64_t gva, uint32_t access, unsigned int flags, struct hvm_walk *w);
/* Up to len instruction bytes at guest-virtual rip (at the guest's CPL): how many could be read. */
unsigned int hvm_fetch_insn(struct vcpu *v, uint64_t rip, uint8_t *buf, unsigned int len);

/* Build d (type=hvm): memory, NPT, the image, vCPU 0 in 32-bit flat protected mode at its entry. */
int hvm_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen);
/* Free what hvm_build_domain and the vCPUs took beyond the domain's frames; print the exit counts. */
void hvm_domain_destroy(struct domain *d);

/* Hardware support (svm/svm.c): true if this CPU can run HVM guests (why: NULL or the reason). */
bool hvm_available(const char **why);

#endif
