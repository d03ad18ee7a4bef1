/*
 * HVM domains: what is not SVM-specific (docs/hvm.md). An HVM domain's
 * guest-physical memory 0..nr_pages is a set of its own frames mapped by
 * nested page tables (svm/npt.c); its vCPUs run with VMRUN (svm/svm.c).
 */
#ifndef TANDEM_HVM_H
#define TANDEM_HVM_H

#include "types.h"
#include "regs.h"
#include "spinlock.h"
#include "irq.h"

struct vcpu;
struct domain;
struct dom_build_args;

/* VM exit reasons counted per domain and printed when it ends (hvm_exit_name). */
enum hvm_exit_reason {
    HVM_EXIT_CPUID, HVM_EXIT_HLT, HVM_EXIT_IO, HVM_EXIT_MSR, HVM_EXIT_NPF, HVM_EXIT_INTR,
    HVM_EXIT_NMI, HVM_EXIT_SMI, HVM_EXIT_SHUTDOWN, HVM_EXIT_VMMCALL, HVM_EXIT_INVALID,
    HVM_EXIT_UD, HVM_EXIT_OTHER, HVM_EXIT_VINTR, HVM_EXIT_CR, HVM_EXIT_PF, HVM_EXIT_INVLPG, HVM_EXIT_NR
};
const char *hvm_exit_name(unsigned int reason);

struct hvm_ioreq_server;
#define HVM_IOREQ_MAX_SERVERS 8     /* per target domain (Xen's MAX_NR_IOREQ_SERVERS) */
/* The 16550 UART at 0x3f8 (hvm/vuart.c): registers as the guest last set them. */
struct hvm_vuart {
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    int rx;                         /* a received byte not yet read from RBR, or -1 */
};

/* The CMOS clock at 0x70/0x71 (hvm/vrtc.c): the index written last, CMOS RAM (status B at 0x0b). */
struct hvm_vrtc {
    uint8_t index;
    uint8_t ram[128];
    uint64_t writes_ignored;        /* writes to the clock registers (the guest cannot set it) */
};

/* Shadow paging events (hvm/shadow.c), per domain: printed when it ends; plain counters a
 * benchmark VMMCALL may copy out as they are. */
struct hvm_shadow_counters {
    uint64_t faults;                /* #PF exits */
    uint64_t fault_fill;            /* fixed by filling shadow entries (the guest never sees them) */
    uint64_t fault_guest;           /* the guest's own #PF (its tables say so): reflected */
    uint64_t fault_spurious;        /* the shadow already said what the guest's tables say: reflected */
    uint64_t fault_mmio;            /* a guest PTE to a gpa outside RAM: the MMIO emulator */
    uint64_t fills;                 /* shadow entries written */
    uint64_t wp_faults;             /* first write to a page mapped read-only until the guest's D */
    uint64_t resyncs;               /* resynchronisation passes (CR3 loads of a cached shadow, CR4) */
    uint64_t unshadows;             /* shadow entries dropped because the guest's entry changed */
    uint64_t cr3_switches;          /* CR3 loads with paging on */
    uint64_t cr3_hits;              /* ... that found the shadow of that CR3 cached */
    uint64_t invlpgs;
    uint64_t full_flushes;          /* every shadow dropped (pool full, EFER.NXE changed, ...) */
    uint64_t pages;                 /* shadow pages in use now */
    uint64_t pt_wp_faults;          /* guest writes to a write-protected (shadowed) page table */
    uint64_t pt_emulated;           /* ... emulated (the write done, the entries it changed dropped) */
    uint64_t pt_unshadows;          /* page tables left writable (out of sync) instead */
    uint64_t pt_reprotects;         /* out-of-sync page tables write-protected again */
};

struct shadow_domain;
struct shadow_vcpu;

struct hvm_domain {
    /* ioreq servers (hvm/ioreq.c): slots by id, under ioreq_lock. */
    struct hvm_ioreq_server *ioreq_server[HVM_IOREQ_MAX_SERVERS];
    spinlock_t ioreq_lock;
    uint32_t ioreq_gen;             /* bumped per server created: a waiter knows its server */
    uint64_t ioreq_sent;            /* requests forwarded to device models */
    uint32_t ioreq_spurious;        /* notifications with no request pending (logged up to 5) */
    uint32_t pci_cf8;               /* the guest's last 4-byte write to port 0xcf8 (PCI config address) */
    uint64_t nr_pages;              /* guest-physical size in pages */
    struct hvm_vuart uart;
    struct hvm_vrtc rtc;
    struct hvm_irq irq;             /* PIC, IOAPIC, ISA and PCI INTx lines (hvm/irq.h) */
    uint64_t mmio_emulated;         /* MMIO accesses emulated (each one NPF exit) */
    mfn_t *p2m;                     /* guest frame -> machine frame, nr_pages entries */
    uint64_t *npt_l4;               /* nested page tables (hypervisor heap pages) */
    bool shadow;                    /* paging=shadow: no NPT, hvm/shadow.c */
    struct shadow_domain *sh;
    struct hvm_shadow_counters shc;
    uint32_t asid;                  /* 1.. (ASID 0 is the host's; TCG refuses it) */
    uint64_t exits[HVM_EXIT_NR];    /* by reason */
    uint64_t exits_total;
};

/*
 * An INS/OUTS forwarded to a device model (hvm/emulate.c): what completing
 * it does to the registers (hvm_string_io_done). ptr: the device model moved
 * `count` elements itself between the port and the guest-physical buffer
 * (Xen's data_is_ptr); else one element whose value comes back in the
 * answer (IN: written to gva through the guest's page tables).
 */
struct hvm_string_wait {
    bool active, in, ptr, rep, df;
    uint8_t size;
    uint32_t count;
    uint64_t amask;                 /* the address size's mask (RCX, RSI/RDI) */
    uint64_t gva;                   /* !ptr && in: the element's address */
    uint64_t next;                  /* RIP past the instruction */
};

/* A vCPU's request to a device model in flight (hvm/ioreq.c). */
struct hvm_ioreq_wait {
    bool pending;                   /* sent, not yet completed: the vCPU does not enter the guest */
    uint8_t server;                 /* slot of the server it went to */
    uint8_t last_state;             /* the slot's last state seen (must not go backwards) */
    bool read;
    uint8_t size, dest_gpr, dest_size;
    uint32_t gen;                   /* that server's generation */
    struct hvm_string_wait str;     /* INS/OUTS: completed by hvm_string_io_done */
};

/* The virtual local APIC (hvm/vlapic.c, xAPIC mode at HVM_LAPIC_BASE). */
struct hvm_vlapic {
    uint32_t id, tpr, ldr, dfr, svr, esr, icr_lo, icr_hi;
    uint32_t lvt[6];                /* timer, thermal, perf, LINT0, LINT1, error (0x320..0x370) */
    uint32_t tmict, tdcr;
    uint64_t timer_start;           /* system time the count was loaded */
    uint64_t timer_deadline;        /* system time of the next expiry, 0 = stopped */
    uint32_t irr[8], isr[8], tmr[8];
};

struct hvm_vcpu {
    struct hvm_ioreq_wait ioreq;
    void *vmcb;                     /* one page (svm/vmcb.h) */
    struct hvm_vlapic lapic;
    uint64_t timer_deadline;        /* VMMCALL set_timer: system time, 0 = none */
    uint8_t timer_vector;
    bool timer_pending;             /* deadline passed, interrupt not yet injected */
    struct shadow_vcpu *sh;         /* paging=shadow: the guest's own CR0/CR3/CR4/EFER */
};

/* An HVM domain (needs domain.h). */
#define is_hvm_domain(d) ((d)->arch.hvm != NULL)

/* The hvm64 hypercalls an HVM guest makes with VMMCALL (rax = op; docs/hvm.md). */
#define HVMCALL_console_write   0   /* rdi = guest-physical address, rsi = bytes (<= 4096) */
#define HVMCALL_poweroff        1   /* rdi = 0 poweroff, 1 reboot, 2 crash */
#define HVMCALL_set_timer       2   /* rdi = ns from now (0 = cancel), rsi = vector 32..255 */
/* HVMCALL_counters 3: rdi = gpa of a struct hvm_counters, rsi = bytes (tandem/hvmcall.h): exits
 * by reason, full TLB flushes and, with shadow paging, struct hvm_shadow_counters (svm.c). */

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

/* ---- the virtual platform (docs/hvm.md "The virtual platform") ---- */
#define HVM_LAPIC_BASE  0xfee00000ULL   /* the local APIC's page (xAPIC), fixed */
#define HVM_LAPIC_KHZ   1000000u        /* its timer's input clock: 1 GHz, 1 ns a tick */
#define HVM_UART_BASE   0x3f8           /* COM1: 8 ports */
#define HVM_EXIT_PORT   0xf4            /* isa-debug-exit: 0 power off, else crash */

/* An intercepted instruction whose length is decoded (no NRIP under TCG). */
enum hvm_insn { HVM_INSN_CPUID, HVM_INSN_RDMSR, HVM_INSN_WRMSR, HVM_INSN_HLT, HVM_INSN_VMMCALL };
/* hvm/emulate.c: step over the intercepted `which` at RIP, prefixes included; false: it is not
 * there (logged with the bytes; the caller kills the domain). */
bool hvm_step_over(struct vcpu *v, struct cpu_user_regs *regs, enum hvm_insn which);
/*
 * hvm/emulate.c: emulate the access at RIP that faulted at guest-physical gpa (pfec: the
 * HVM_PFEC_* kind of access). True if gpa is an emulated MMIO range and the access was
 * emulated (RIP advanced); false otherwise (the caller kills the domain; an instruction the
 * decoder refuses is logged with its bytes first). For the NPT fault path and the shadow code.
 */
bool hvm_emulate_mmio(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa, uint32_t pfec);
/* svm/svm.c: the guest's code size now (16, 32, 64); step RIP over len bytes. */
unsigned int hvm_code_bits(struct vcpu *v);
void hvm_step(struct vcpu *v, struct cpu_user_regs *regs, unsigned int len);
/* svm/svm.c: the guest's CR8 (V_TPR) after an MMIO write of the APIC's TPR (class 0..15). */
void hvm_set_vtpr(struct vcpu *v, unsigned int class);

/* hvm/vlapic.c */
void vlapic_init(struct vcpu *v);
bool vlapic_mmio_read(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val);
bool vlapic_mmio_write(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val);
#define HVM_MSR_OK    0
#define HVM_MSR_GP    1     /* inject #GP */
#define HVM_MSR_KILL  2     /* not emulated: kill the domain (logged) */
int vlapic_apic_base_write(struct vcpu *v, uint64_t val);
uint64_t vlapic_apic_base(struct vcpu *v);
/* Timer expiries up to now into IRR; the next deadline (system time, 0 = none). */
uint64_t vlapic_update(struct vcpu *v, uint64_t now);
/* The highest vector IRR holds above PPR (-1: none); accept it (IRR -> ISR). */
int vlapic_pending(struct vcpu *v);
void vlapic_accept(struct vcpu *v, int vec);
/* The guest's CR8 (V_TPR, 0..15) as the APIC's TPR class. */
void vlapic_set_cr8(struct vcpu *v, unsigned int cr8);
/* An external interrupt (IOAPIC message) for v, any CPU: IRR (and TMR for level) set atomically;
 * false if refused (a vector below 16: ESR's receive-illegal bit, as hardware). */
bool vlapic_set_irq(struct vcpu *v, uint8_t vec, bool level);
/* Whether an IOAPIC destination (physical APIC ID or 0xff; logical: flat or cluster LDR) names v. */
bool vlapic_match_dest(struct vcpu *v, uint8_t dest, bool logical);
/* Whether the PIC's output reaches v: LINT0 unmasked in ExtINT mode, or the APIC software-disabled
 * (Xen's vlapic_accept_pic_intr; vCPU 0 only). */
bool vlapic_accept_pic_intr(struct vcpu *v);

/* hvm/vuart.c: IN (in) or OUT of size bytes at port: the UART, the exit port, the debug console
 * 0xe9; every other port reads all ones and drops writes. */
void hvm_port_io(struct vcpu *v, struct cpu_user_regs *regs, uint16_t port, unsigned int size,
                 bool in, uint32_t *val);
/* hvm/vuart.c: true if hvm_port_io answers an access starting at port itself (the UART, the
 * exit port, 0xe9): those never go to a device model (svm_io asks hvm_ioreq_send first for
 * the others). */
bool hvm_port_io_has_device(uint16_t port);
#define HVM_RTC_INDEX   0x70
#define HVM_RTC_DATA    0x71
bool vrtc_is_port(uint16_t port);
void vrtc_init(struct hvm_vrtc *r);
void vrtc_port_io(struct domain *d, uint16_t port, unsigned int size, bool in, uint32_t *val);

/* hvm/emulate.c: INS/OUTS (IOIO with STR; info = EXITINFO1) at RIP. */
#define HVM_IO_DONE  0      /* finished: RIP to the next instruction */
#define HVM_IO_AGAIN 1      /* a REP with elements left: RIP stays, the guest runs it again */
#define HVM_IO_KILL  2      /* not emulated (logged): kill the domain */
#define HVM_IO_SENT  3      /* forwarded to a device model: RIP stays; its answer completes it */
/*
 * next: RIP past the instruction (EXITINFO2). On a port a device model
 * claims, the elements go to it as Xen's do: a run of them inside one page
 * of the guest's buffer as ONE request (data_is_ptr, count, df: the device
 * model moves them), an element straddling two pages as a single-value
 * request; the answer (hvm_string_io_done) advances RSI/RDI and RCX, and
 * RIP once the REP count is spent.
 */
int hvm_string_io(struct vcpu *v, struct cpu_user_regs *regs, uint16_t port, unsigned int size,
                  uint32_t info, uint64_t next);
/* hvm/emulate.c: a forwarded INS/OUTS answered (hvm_ioreq_resume): val is the answer's data. */
void hvm_string_io_done(struct vcpu *v, struct cpu_user_regs *regs, const struct hvm_string_wait *s,
                        uint64_t val);
/* svm/svm.c: the base of segment register seg (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS). */
uint64_t hvm_seg_base(struct vcpu *v, unsigned int seg);
/*
 * ---- Device models (hvm/ioreq.c; docs/hvm.md "Device models: the ioreq channel") ----
 *
 * Forwarding an access to a device model, for the exit handlers (port I/O
 * in svm.c, MMIO from the emulator): call on the current vCPU v, once the
 * instruction is done except for its destination register (RIP already
 * past it, any interrupt shadow ended), with
 *   type   IOREQ_TYPE_PIO (addr = port) or IOREQ_TYPE_COPY (addr = gpa);
 *          size 1, 2, 4 (or 8 for MMIO). Port I/O to 0xcf8 and 0xcfc-0xcff
 *          is passed as it is: the 0xcf8 latch is kept here and a config
 *          cycle to a claimed function goes out as IOREQ_TYPE_PCI_CONFIG;
 *   read   true for a read; data: the value written (ignored for a read);
 *   dest_gpr, dest_size  for a read, where the value goes: register 0-15
 *          in x86 encoding order (rax rcx rdx rbx rsp rbp rsi rdi r8-r15)
 *          or HVM_IOREQ_GPR_AH + 0..3 (AH CH DH BH), written as a
 *          dest_size-byte operand (x86's rules: 4 zero-extends to 64 bits,
 *          1 and 2 merge, 8 replaces); the value read is first cut to size
 *          bytes (so MOVZX passes the access size and the operand size).
 * Returns false if no enabled server claims [addr, addr + size - 1]
 * entirely (the caller does its own default, e.g. all ones). True: the
 * request is on the server's page and v is blocked; the caller just
 * returns. v does not enter the guest again until the device model has
 * answered (hvm_ioreq_resume completes it then) or its domain is killed.
 */
#define HVM_IOREQ_GPR_AH    16
#define HVM_IOREQ_NO_GPR    0xff
bool hvm_ioreq_send(struct vcpu *v, uint8_t type, uint64_t addr, unsigned int size, bool read,
                    uint64_t data, unsigned int dest_gpr, unsigned int dest_size);
/*
 * The same for INS/OUTS (hvm/emulate.c): port I/O of `count` elements of
 * `size` bytes; with s->ptr, data is the guest-physical address of the
 * first element (data_is_ptr; df: the next ones below it), else the value
 * written (OUT) or 0 (IN) and count is 1. Completed by hvm_string_io_done.
 */
bool hvm_ioreq_send_string(struct vcpu *v, uint16_t port, uint64_t data, const struct hvm_string_wait *s);
/* Whether an enabled server of d claims [addr, addr + size - 1] now (the MMIO path asks first). */
bool hvm_ioreq_claims(struct domain *d, uint8_t type, uint64_t addr, unsigned int size);
/*
 * Before every VM entry of v (svm_enter, before the registers go to the
 * VMCB): false if v must not run yet (its request is unanswered: v is
 * blocked again; or the answer was garbage: its domain is killed); true
 * otherwise, with an answered read written to its destination register.
 */
bool hvm_ioreq_resume(struct vcpu *v, struct cpu_user_regs *regs);
/* The x86 register-write rule above (exported for the unit test). */
void hvm_ioreq_write_gpr(struct cpu_user_regs *regs, unsigned int gpr, unsigned int size, uint64_t val);
/* do_dm_op's work and XENMEM_acquire_resource's (through arch hooks, arch/x86/domain.c). */
int hvm_ioreq_resource_frames(struct domain *d, unsigned int id, uint64_t frame, unsigned int nr,
                              uint64_t *mfns);
unsigned int hvm_ioreq_resource_max_frames(struct domain *d);
/* Every ioreq page of d, each holding one hypervisor reference (the frame audit). */
void hvm_ioreq_frames(struct domain *d, void (*fn)(void *ctx, mfn_t m), void *ctx);
/* d is being torn down: destroy its servers (pages back, ports closed). */
void hvm_ioreq_domain_destroy(struct domain *d);
/* dm, any domain, has died: destroy the servers it ran; kill each HVM domain a vCPU of which waited on one. */
void hvm_ioreq_emulator_gone(struct domain *dm);

/* Build d (type=hvm): memory, NPT, the image, vCPU 0 in 32-bit flat protected mode at its entry. */
int hvm_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen);
/* Free what hvm_build_domain and the vCPUs took beyond the domain's frames; print the exit counts. */
void hvm_domain_destroy(struct domain *d);

/* Hardware support (svm/svm.c): true if this CPU can run HVM guests (why: NULL or the reason). */
bool hvm_available(const char **why);

#endif
