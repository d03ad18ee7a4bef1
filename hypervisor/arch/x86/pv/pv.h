/* PV CPU internals shared by traps.c, callbacks.c and emul.c. */
#ifndef TANDEM_PV_H
#define TANDEM_PV_H

#include "domain.h"
#include "regs.h"
#include "mm.h"

#define TRAP_divide_error   0
#define TRAP_debug          1
#define TRAP_nmi            2
#define TRAP_int3           3
#define TRAP_invalid_op     6
#define TRAP_no_device      7
#define TRAP_stack_error   12
#define TRAP_gp_fault      13
#define TRAP_page_fault    14

/*
 * Push Xen's bounce frame for `handler` on the guest kernel stack (switching
 * to guest kernel mode and the stack_switch stack if the vCPU was in user
 * mode) and point the frame at the handler. Returns false after crashing the
 * domain if the frame cannot be written.
 */
bool pv_bounce(struct vcpu *v, struct cpu_user_regs *regs, uint64_t handler,
               bool has_err, uint32_t err, bool mask_events, const char *what);
/* Deliver exception `vector` through the guest's virtual IDT (crash if no handler). */
void pv_inject_exception(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                         bool has_err, uint32_t err);
void pv_toggle_guest_mode(struct vcpu *v);
/* Emulate a privileged instruction at regs->rip; true if handled (rip advanced). */
/* The general register numbered as in ModRM/REX encodings (0 = rax ... 15 = r15). */
static inline uint64_t *pv_gpr(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
                          &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
    return map[n & 15];
}
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs);
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
/* The virtual machine-check MSRs (pv/vmce.c): false = not one of them, or refused (#GP). */
bool pv_vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool pv_vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* FS/GS bases back from the hardware when the guest may write them itself (FSGSBASE). */
void pv_sync_segment_bases(struct vcpu *v);
/* The hardware CR4 bits that follow the vCPU's view (FSGSBASE). */
void pv_apply_guest_cr4(const struct vcpu *v);
/* The CR4 bits a PV guest controls in its view (Xen's PV_CR4_GUEST_MASK within the policy). */
uint64_t pv_guest_cr4_mask(void);
void pv_set_fpu_ts(struct vcpu *v, bool ts);
/* Load the vCPU's DR0-3 and DR7 into the hardware (guest breakpoints). */
void pv_load_debug_regs_now(const struct vcpu *v);
/* Debug registers (debugreg.c): set_debugreg's checks and errors; DR0-7 readable (false: no such register). */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value);
bool pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *val);
/* mov to/from a debug register by the guest kernel: done (caller advances rip), #GP(0) or #UD. */
enum pv_dr_result { PV_DR_DONE, PV_DR_GP, PV_DR_UD };
enum pv_dr_result pv_emulate_mov_dr(struct vcpu *v, struct cpu_user_regs *regs, bool to_dr,
                                    unsigned int modrm, unsigned int rex);
/* A guest #DB: merge the hardware's DR6 into the guest's view and reset it (before the bounce). */
void pv_debug_trap(struct vcpu *v);
/* After an emulated instruction (rip advanced): with the guest's TF set, deliver its single-step #DB. */
void pv_emulated_single_step(struct vcpu *v, struct cpu_user_regs *regs);



/* PV MMU (mm.c). */
uint64_t pv_adjust_entry(uint64_t e, unsigned int level);
/* Drop what L1 entry e holds (grant mappings). */
void pv_put_entry_refs(uint64_t e, unsigned int level);
int pv_mod_entry(struct domain *d, struct domain *fd, mfn_t table_mfn, unsigned int idx,
                 uint64_t val, bool preserve_ad);
int pv_find_l1(struct domain *d, mfn_t l4, uint64_t va, mfn_t *l1_mfn, unsigned int *idx);
/* The table (any level, through linear links) holding the entry that maps va last, as the processor walks. */
int pv_walk_pte(struct domain *d, mfn_t l4, uint64_t va, mfn_t *table, unsigned int *idx);
bool pv_descriptor_fixup(uint64_t *desc);
int pv_set_gdt_frames(struct vcpu *v, const uint64_t *frames, unsigned int entries);
/* Guest LDTs and descriptor reads (ldt.c). */
void pv_set_ldt(struct vcpu *v, uint64_t base, unsigned int ents);     /* MMUEXT_SET_LDT, checked */
bool pv_destroy_ldt(struct vcpu *v);    /* drop the mapped LDT pages; true if there were any */
void pv_load_ldt(struct vcpu *v);       /* v's LDT into this CPU (area and LDTR) */
void pv_ldt_mapping_gone(struct domain *d);
/* Deliver the fault of an LDT page that cannot be mapped (offset off in the LDT) to the guest at regs. */
void pv_ldt_fault_to_guest(struct vcpu *v, struct cpu_user_regs *regs, uint64_t off);
bool pv_read_descriptor(struct vcpu *v, uint16_t sel, uint64_t *desc);
enum pv_seg_access { PV_SEG_READ, PV_SEG_WRITE, PV_SEG_STACK, PV_SEG_EXEC };
int pv_seg_linear(struct vcpu *v, uint16_t sel, bool long_mode, bool fsgs, uint64_t base64, uint64_t off,
                  unsigned int len, enum pv_seg_access acc, uint64_t *linear);
unsigned int pv_insn_fetch(struct vcpu *v, const struct cpu_user_regs *regs, uint8_t *buf, unsigned int n,
                           bool *long_mode);
/* VCPUOP_initialise: first state of a down vCPU from a vcpu_guest_context. */
long pv_vcpu_initialise(struct vcpu *v, uint64_t arg);
/* PHYSDEVOP_set_iopl / set_iobitmap for the calling PV vCPU (pv/callbacks.c). */
long pv_physdev_io_op(uint64_t cmd, guest_va_t arg);
/* Port I/O (emul_io.c): in/out at regs (false: #GP); the virtual IOPL allows cli/sti and I/O. */
bool pv_emulate_io(struct vcpu *v, struct cpu_user_regs *r, uint8_t op, uint8_t imm, bool opsz16);
bool pv_io_privileged(const struct vcpu *v);
/* The legacy prefixes of an emulated instruction (emul.c decodes them). */
struct pv_insn_prefix {
    bool opsz16;                /* 0x66 */
    bool adsz;                  /* 0x67 */
    bool rep;                   /* 0xf3 or 0xf2 */
    uint8_t seg;                /* the last segment override (0x26 0x2e 0x36 0x3e 0x64 0x65), 0 = none */
};
/* ins/outs (6c-6f) at regs, rip at the instruction (emul_io.c). */
enum pv_string_result {
    PV_STRING_DONE,             /* finished: the caller advances rip */
    PV_STRING_AGAIN,            /* elements left (preempted, or single step): rip stays */
    PV_STRING_FAULT,            /* an exception was delivered to the guest */
    PV_STRING_GP,               /* the port is not the guest's: the #GP(0) stands */
};
enum pv_string_result pv_emulate_string_io(struct vcpu *v, struct cpu_user_regs *r, const struct pv_insn_prefix *p,
                                           uint8_t op, bool long_mode);
/* VMASST_TYPE_architectural_iopl: the guest kernel counts as CPL 0, iret sets the virtual IOPL. */
static inline bool pv_architectural_iopl(const struct domain *d)
{
    return d->vm_assist & (1UL << VMASST_TYPE_architectural_iopl);
}
/* The IOPL bits of the rflags a bounce or failsafe frame shows (Xen: only with the assist). */
static inline uint64_t pv_frame_iopl(const struct vcpu *v)
{
    return pv_architectural_iopl(v->domain) ? (uint64_t)v->arch.pv.iopl << 12 : 0;
}
long pv_set_iobitmap(struct vcpu *v, guest_va_t arg);
int pv_set_baseptr(struct vcpu *v, mfn_t mfn, bool user);

/* The arch seam's PV side (arch/x86/domain.c calls these; contracts in arch_hooks.h). */
static inline void pv_vcpu_reset(struct vcpu *v) { v->arch.pv.in_kernel = true; }
static inline bool pv_vcpu_is_initialised(const struct vcpu *v) { return v->arch.pv.kernel_l4 != 0; }
static inline bool pv_vcpu_in_kernel(const struct vcpu *v) { return v->arch.pv.in_kernel; }
/* Data selectors into v (traps.c); v's state is in the CPU. */
void pv_save_vcpu_context(struct vcpu *v);
/* Page tables, GDT, selectors, segment bases, CR0.TS and debug registers of v into the CPU. */
void pv_load_vcpu_context(struct vcpu *v);
/* Point this CPU's GDT area at v's guest GDT frames (descriptor.c). */
void pv_load_gdt(struct vcpu *v);
/* VCPUOP_send_nmi: make an NMI pending for v; false if one already was (traps.c). */
bool pv_raise_nmi(struct vcpu *v);
/* Deliver a pending NMI, then pending events (upcall), to the current vCPU, whose frame is regs. */
void pv_deliver_events(struct cpu_user_regs *regs);
/* A hypercall from the guest kernel's SYSCALL (hypercall.c): dispatch it, result in rax. */
void pv_hypercall(struct cpu_user_regs *regs);
/* Rewind regs onto the SYSCALL with nr and these arguments (hypercall.c). */
void pv_hypercall_continuation(struct cpu_user_regs *regs, unsigned long nr,
                               uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
/* Write-protected page-table write by the guest kernel (ptwr.c): true if emulated. */
bool pv_ptwr_emulate(struct vcpu *v, struct cpu_user_regs *regs, uint64_t cr2);
/* Grant host mappings (grant_table.c): arch_gnttab_map_host / arch_gnttab_unmap_host. */
int pv_gnttab_map_host(struct domain *d, struct domain *granter, uint64_t va, bool pte, mfn_t mfn,
                       bool readonly);
int pv_gnttab_unmap_host(struct domain *d, uint64_t va, bool pte, mfn_t mfn);
int pv_gnttab_replace_host(struct domain *d, uint64_t va, mfn_t mfn, uint64_t new_va);
#endif
