/*
 * Shadow paging for HVM domains without nested paging (docs/hvm.md
 * "Shadow paging"): the hardware walks shadow tables (guest-virtual ->
 * machine) that the hypervisor builds from the guest's own tables, filled
 * on #PF, kept in sync by write-protecting the guest's page tables (or
 * resynchronised at CR3 loads and INVLPG for the tables left writable). shadow.c holds the
 * tables; shadow_cr.c the intercepts (MOV CR, CLTS, LMSW, SMSW, INVLPG,
 * EFER) and the guest's view of CR0/CR3/CR4/EFER.
 *
 * The invariant that keeps it safe: a shadow leaf only ever maps
 * p2m[gfn] for a gfn below nr_pages, computed at fill time from a checked
 * walk; the shadow tables themselves are hypervisor heap pages the guest
 * cannot map or reach. Whatever order the guest edits its tables in, the
 * worst it gets is a stale (but still own-memory) translation, as on a
 * real TLB.
 */
#ifndef TANDEM_HVM_SHADOW_H
#define TANDEM_HVM_SHADOW_H

#include "types.h"
#include "regs.h"

struct vcpu;
struct domain;
struct vmcb;
struct hvm_paging;

/* One shadow page: a shadow of guest table gfn at level (SH_TABLE), or a
 * piece of a guest large page / the paging-off identity (SH_SPLIT). */
struct shadow_page {
    uint64_t gfn;               /* SH_TABLE: the guest table; SH_SPLIT: first guest frame covered */
    uint8_t level;              /* 1..4: the level of the entries it holds */
    uint8_t kind;               /* SH_TABLE or SH_SPLIT */
    uint8_t rights;             /* SH_SPLIT: SH_R_* of its leaves */
    uint32_t seen;              /* resync generation that last visited it */
    int32_t next;               /* hash chain (index into the pool), -1 ends */
    uint64_t *t;                /* the table the hardware walks */
    uint64_t *snap;             /* SH_TABLE: the guest entry each present shadow entry came from */
};
#define SH_TABLE 0
#define SH_SPLIT 1
#define SH_R_WRITE 1            /* writable (the guest's RW and D both set) */
#define SH_R_USER  2
#define SH_R_NX    4
#define SH_HASH 512

/*
 * What the shadow code knows of one guest frame. A frame with a shadow of
 * it as a table (tables > 0) is write-protected: every shadow leaf that
 * maps it is read-only, so a guest write to it faults and is emulated
 * (or the frame is left writable, out of sync: oos, and resynchronised
 * at CR3 loads). While the guest's CR0.WP is clear none of this holds
 * (supervisor writes ignore RW) and every shadow is treated as out of sync.
 */
struct sh_frame {
    uint32_t writable;          /* present writable shadow leaves that map it */
    uint32_t hint;              /* (pool index << 9 | slot) + 1 of the last writable leaf made; 0 none */
    uint8_t tables;             /* SH_TABLE shadows of it (one per level at most) */
    uint8_t oos;                /* left writable: in sd->oos[], resynchronised at CR3 loads */
    uint8_t emul;               /* writes emulated since it was last write-protected */
    uint8_t clean;              /* oos: CR3 loads in a row that found its shadows unchanged */
};

struct shadow_domain {
    struct shadow_page *pool;   /* max entries, the first nr in use */
    unsigned int nr, max;
    int32_t hash[SH_HASH];
    uint32_t gen;               /* resync generation */
    struct sh_frame *fr;        /* one per guest frame (nr_pages) */
    uint32_t *oos;              /* the out-of-sync frames (at most max: each has a shadow) */
    unsigned int nr_oos;
};

/* The guest's own control registers (what it wrote, what it reads back), per vCPU. */
struct shadow_vcpu {
    uint64_t cr0, cr3, cr4, efer;   /* efer: SCE, LME, NXE as written; LMA derived */
    int32_t root;               /* the pool index of the shadow the VMCB's CR3 points at */
    uint64_t wd_rip, wd_va;     /* the no-progress watchdog: the last #PF and how often in a row */
    uint32_t wd_ec, wd_count;
};

/* Domain build: the pool (0 or -XEN_ENOMEM). Destroy: print the counters, free every page. */
int shadow_domain_init(struct domain *d);
void shadow_domain_destroy(struct domain *d);
/* The vCPU's VMCB for shadow paging: no NPT, the intercepts, paging-off identity shadow. */
int shadow_vcpu_init(struct vcpu *v, struct vmcb *vm);
void shadow_vcpu_destroy(struct vcpu *v);

/* Exits (svm.c calls these in shadow mode). */
void shadow_page_fault(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs);
void shadow_cr_access(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs);
void shadow_invlpg_exit(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs);
/* EFER as the guest sees it; a guest WRMSR EFER: false means #GP. */
uint64_t shadow_efer_read(struct vcpu *v);
bool shadow_efer_write(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, uint64_t val);
void shadow_get_paging(struct vcpu *v, struct hvm_paging *p);
void shadow_dump(struct vcpu *v);

/* shadow.c, for shadow_cr.c: point the VMCB at the shadow for the guest's current mode
 * (0, or -1 if the domain was killed); resync the whole current shadow or one address;
 * drop every shadow. */
int shadow_update_root(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, bool cr3_load);
void shadow_resync_all(struct vcpu *v);
void shadow_invlpg(struct vcpu *v, uint64_t va);
void shadow_flush(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs);
/* The hypervisor wrote len bytes of the domain's memory at gpa (hvm_copy_to_guest): drop the shadow
 * entries made from what was there, if it is a write-protected page table. Like all of the shadow
 * code it runs on the domain's own (single) vCPU: every hvm_copy_to_guest caller is one of its exits. */
void shadow_guest_wrote(struct domain *d, uint64_t gpa, size_t len);

/* The instruction emulator's MMIO entry (hvm/emulate.c); a weak stub refuses until it exists. */
bool hvm_emulate_mmio(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa, uint32_t pfec);

#endif
