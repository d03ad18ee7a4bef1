/*
 * PV exception, event and system-call delivery (Xen's x86_64 PV model):
 * guest exceptions become bounce frames on the guest kernel stack, events
 * become upcalls, SYSCALL from guest kernel mode is a hypercall and from
 * guest user mode is bounced to the syscall callback.
 */
#include "lib.h"
#include "trace.h"
#include "pv.h"
#include "traps.h"
#include "hypercall.h"
#include "guest_access.h"
#include "evtchn.h"
#include "processor.h"
#include "mm.h"
#include "sched.h"
#include "cpu.h"
#include "cpuid_faulting.h"
#include "gdbstub.h"
#include <tandem/xen.h>
#include <tandem/callback.h>

static bool has_error_code(unsigned int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/*
 * FSGSBASE (the guest's CR4 view has it, so the hardware CR4 too): the guest
 * writes FS_BASE and its active GS_BASE without trapping, so the hardware
 * holds the truth; read them back into the vCPU's copies before those are
 * used or the active GS base changes (Xen's save_segments and
 * toggle_guest_mode). Without it every change traps and the copies are exact.
 */
static uint64_t canonical_or_0(uint64_t base)
{
    /* The CPU's wrfsbase/wrgsbase refuse these (#GP); QEMU's TCG does not, and wrmsr would fault. */
    return is_canonical(base) ? base : 0;
}

__pv_fast void pv_sync_segment_bases(struct vcpu *v)
{
    if (!(v->arch.pv.cr4 & X86_CR4_FSGSBASE))
        return;
    v->arch.pv.fs_base = canonical_or_0(rdmsr(MSR_FS_BASE));
    if (v->arch.pv.in_kernel)
        v->arch.pv.gs_base_kernel = canonical_or_0(rdmsr(MSR_GS_BASE));
    else
        v->arch.pv.gs_base_user = canonical_or_0(rdmsr(MSR_GS_BASE));
}

/* The hardware CR4.FSGSBASE follows the running vCPU's view (Xen's pv_make_cr4). */
void pv_apply_guest_cr4(const struct vcpu *v)
{
    uint64_t cr4 = read_cr4(), want = (cr4 & ~X86_CR4_FSGSBASE) | (v->arch.pv.cr4 & X86_CR4_FSGSBASE);

    if (want != cr4)
        write_cr4(want);
}

__pv_fast void pv_toggle_guest_mode(struct vcpu *v)
{
    pv_sync_segment_bases(v);
    v->arch.pv.in_kernel = !v->arch.pv.in_kernel;
    write_cr3((v->arch.pv.in_kernel ? v->arch.pv.kernel_l4 : v->arch.pv.user_l4) << PAGE_SHIFT);
    wrmsr(MSR_GS_BASE, v->arch.pv.in_kernel ? v->arch.pv.gs_base_kernel : v->arch.pv.gs_base_user);
    v->domain->ctr.cr3_switches++;
}

/* Data selectors and debug registers follow the vCPU (bases are reloaded after). */
void pv_save_vcpu_context(struct vcpu *v)
{
    pv_sync_segment_bases(v);
    __asm__ __volatile__("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                         : "=r"(v->arch.pv.sel_ds), "=r"(v->arch.pv.sel_es), "=r"(v->arch.pv.sel_fs), "=r"(v->arch.pv.sel_gs));
}

/*
 * Load one data selector; a selector the guest made invalid meanwhile (e.g.
 * by changing its GDT) faults: the exception-table fixup loads NUL instead.
 * Returns false when that happened.
 */
#define LOAD_SEG(seg)                                                       \
static bool load_##seg(uint16_t sel)                                        \
{                                                                           \
    uint32_t ok = 1;                                                        \
    __asm__ __volatile__("1: mov %k1, %%" #seg "\n"                        \
                         "2:\n"                                             \
                         ".pushsection .text.fixup, \"ax\"\n"               \
                         "3: xor %k0, %k0\n"                                \
                         "   mov %k0, %%" #seg "\n"                          \
                         "   jmp 2b\n"                                      \
                         ".popsection\n"                                    \
                         ".pushsection .ex_table, \"a\"\n"                  \
                         "   .quad 1b, 3b\n"                                \
                         ".popsection"                                      \
                         : "+r"(ok) : "r"((uint32_t)sel));                  \
    return ok;                                                              \
}
LOAD_SEG(ds)
LOAD_SEG(es)
LOAD_SEG(fs)
LOAD_SEG(gs)

/* Xen's failsafe callback: segments could not be reloaded; the guest sees their old values. */
static void deliver_failsafe(struct vcpu *v)
{
    struct cpu_user_regs *regs = guest_cpu_regs();
    uint64_t frame[11], sp;

    if (!v->arch.pv.failsafe_callback) {
        domain_crash(v->domain, "segment reload failed and no failsafe callback", regs);
        return;
    }
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    uint64_t cs = regs->cs;

    /* As pv_bounce: user mode switches to the stack_switch stack, kernel mode shows RPL 0. */
    if (!v->arch.pv.in_kernel) {
        pv_toggle_guest_mode(v);
        sp = v->arch.pv.kernel_sp;
    } else {
        sp = regs->rsp;
        cs &= ~3UL;
    }
    if (in_hv_range(sp) || !is_canonical(sp)) {
        domain_crash(v->domain, "guest kernel stack in the hypervisor range", regs);
        return;
    }
    sp &= ~15UL;
    frame[0] = regs->rcx; frame[1] = regs->r11;
    frame[2] = v->arch.pv.sel_ds; frame[3] = v->arch.pv.sel_es; frame[4] = v->arch.pv.sel_fs; frame[5] = v->arch.pv.sel_gs;
    frame[6] = regs->rip; frame[7] = cs | ((uint64_t)saved_mask << 32);
    frame[8] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) | (saved_mask ? 0 : X86_EFLAGS_IF) |
               pv_frame_iopl(v);
    frame[9] = regs->rsp; frame[10] = regs->ss;
    sp -= sizeof(frame);
    if (copy_to_guest(sp, frame, sizeof(frame))) {
        domain_crash(v->domain, "cannot write the failsafe frame", regs);
        return;
    }
    regs->rsp = sp;
    regs->rip = v->arch.pv.failsafe_callback;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    v->vcpu_info->evtchn_upcall_mask = 1;
    v->arch.pv.sel_ds = v->arch.pv.sel_es = v->arch.pv.sel_fs = v->arch.pv.sel_gs = 0;
}

/* After the GDT, before the FS/GS bases (loading a selector resets its base). */
static bool load_selectors(const struct vcpu *v)
{
    bool ok = load_ds(v->arch.pv.sel_ds);

    /* Every register is loaded even after a failure (no short-circuit). */
    ok = load_es(v->arch.pv.sel_es) && ok;
    ok = load_fs(v->arch.pv.sel_fs) && ok;
    ok = load_gs(v->arch.pv.sel_gs) && ok;
    return ok;
}

static void load_debug_regs(const struct vcpu *v)
{
    __asm__ __volatile__("mov %0, %%dr0; mov %1, %%dr1; mov %2, %%dr2; mov %3, %%dr3"
                         :: "r"(v->arch.dr[0]), "r"(v->arch.dr[1]), "r"(v->arch.dr[2]), "r"(v->arch.dr[3]));
    __asm__ __volatile__("mov %0, %%dr7" :: "r"(v->arch.dr[7] ? v->arch.dr[7] : 0x400UL));
}

void pv_load_debug_regs_now(const struct vcpu *v)
{
    load_debug_regs(v);
}

void pv_load_vcpu_context(struct vcpu *v)
{
    bool segs_ok;

    pv_load_gdt(v);
    pv_load_ldt(v);
    pv_apply_guest_cr4(v);
    write_cr3((v->arch.pv.in_kernel ? v->arch.pv.kernel_l4 : v->arch.pv.user_l4) << PAGE_SHIFT);
    v->domain->ctr.cr3_switches++;
    segs_ok = load_selectors(v);
    wrmsr(MSR_FS_BASE, v->arch.pv.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.pv.in_kernel ? v->arch.pv.gs_base_kernel : v->arch.pv.gs_base_user);
    pv_set_fpu_ts(v, v->arch.pv.fpu_ts);
    load_debug_regs(v);
    cpuid_faulting_set(v->arch.pv.cpuid_faulting);
    if (!segs_ok)
        deliver_failsafe(v);
}

void pv_set_fpu_ts(struct vcpu *v, bool ts)
{
    v->arch.pv.fpu_ts = ts;
    if (ts)
        write_cr0(read_cr0() | X86_CR0_TS);
    else
        __asm__ __volatile__("clts");
}

__pv_fast bool pv_bounce(struct vcpu *v, struct cpu_user_regs *regs, uint64_t handler,
               bool has_err, uint32_t err, bool mask_events, const char *what)
{
    struct domain *d = v->domain;
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    uint64_t frame[8], sp, cs = regs->cs;
    unsigned int n = 0;

    if (!handler) {
        char why[96];
        snprintf(why, sizeof(why), "%s with no handler registered", what);
        domain_crash(d, why, regs);
        return false;
    }
    if (!v->arch.pv.in_kernel) {
        pv_toggle_guest_mode(v);
        sp = v->arch.pv.kernel_sp;
    } else {
        sp = regs->rsp;
        cs &= ~3UL;             /* RPL 0 tells the guest "kernel context" */
    }
    if (in_hv_range(sp) || !is_canonical(sp)) {
        domain_crash(d, "guest kernel stack in the hypervisor range", regs);
        return false;
    }
    sp &= ~15UL;
    /* Lowest address first: rcx, r11, [error], rip, cs|mask, rflags, rsp, ss. */
    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (has_err)
        frame[n++] = err;
    frame[n++] = regs->rip;
    frame[n++] = cs | ((uint64_t)saved_mask << 32);
    frame[n++] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF) | pv_frame_iopl(v);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    sp -= n * 8;
    if (copy_to_guest(sp, frame, n * 8)) {
        domain_crash(d, "cannot write the bounce frame to the guest kernel stack", regs);
        return false;
    }
    regs->rsp = sp;
    regs->rip = handler;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rflags = (regs->rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF |
                    X86_EFLAGS_VM | X86_EFLAGS_AC | X86_EFLAGS_IOPL)) | X86_EFLAGS_IF;
    if (mask_events)
        v->vcpu_info->evtchn_upcall_mask = 1;
    d->ctr.bounces++;
    return true;
}

__pv_fast void pv_inject_exception(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                         bool has_err, uint32_t err)
{
    const struct trap_info *ti = &v->arch.pv.trap_ctxt[vector];
    char what[48];

    if (vector == TRAP_page_fault) {
        /* The guest reads CR2 from vcpu_info; the U bit reflects guest user mode. */
        v->vcpu_info->arch.cr2 = read_cr2();
        err = (err & ~4U) | (v->arch.pv.in_kernel ? 0 : 4U);
    }
    TRACE(TRAP, TRAP_EXC, vector, err, vector == TRAP_page_fault ? v->vcpu_info->arch.cr2 : 0, 0);
    if (unlikely(!ti->address)) {
        /* The name is built for the crash message only, not on every fault. */
        snprintf(what, sizeof(what), "%s (vector %u)",
                 vector < 32 ? exception_names[vector] : "software interrupt", vector);
        pv_bounce(v, regs, 0, has_err, err, TI_GET_IF(ti), what);
        return;
    }
    pv_bounce(v, regs, ti->address, has_err, err, TI_GET_IF(ti), "exception");
}

/* `int n` refused by the real IDT (#GP with error (n<<3)|2): check the virtual DPL. */
static void pv_soft_interrupt(struct vcpu *v, struct cpu_user_regs *regs, unsigned int n)
{
    const struct trap_info *ti = &v->arch.pv.trap_ctxt[n];
    unsigned int dpl = TI_GET_DPL(ti);

    if (ti->address && (v->arch.pv.in_kernel ? dpl >= 1 : dpl >= 3)) {
        regs->rip += 2;
        pv_inject_exception(v, regs, n, false, 0);
        return;
    }
    pv_inject_exception(v, regs, TRAP_gp_fault, true, (n << 3) | 2);
}

__pv_fast void pv_guest_exception(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    unsigned int vec = regs->entry_vector;

    if (unlikely(vec == TRAP_int3 || vec == TRAP_debug) && gdbstub_trap(v, regs, vec))
        return;                         /* the debugger's breakpoint or step: the domain stops */
    switch (vec) {
    case TRAP_page_fault:
        /* A present, write, guest-kernel fault may be a direct page-table write. */
        if ((regs->error_code & 3) == 3 && pv_ptwr_emulate(v, regs, read_cr2()))
            return;
        break;
    case TRAP_debug:
        pv_debug_trap(v);
        break;
    case TRAP_invalid_op:
        if (pv_emulate_forced_cpuid(v, regs))
            return;
        break;
    case TRAP_no_device:
        /* Virtual CR0.TS: deliver #NM once and clear it, as Xen does. */
        __asm__ __volatile__("clts");
        if (v->arch.pv.fpu_ts) {
            v->arch.pv.fpu_ts = false;
            break;
        }
        return;
    case TRAP_gp_fault:
        if ((regs->error_code & 7) == 2) {
            /* The vector is the imm8 of `int n` (CD nn). Not error_code >> 3 alone:
             * QEMU's TCG reports (n << 4) | 2 for 64-bit IDT faults. */
            uint8_t insn[2];
            unsigned int n = (regs->error_code >> 3) & 0xff;
            bool long_mode;
            if (pv_insn_fetch(v, regs, insn, 2, &long_mode) == 2 && insn[0] == 0xcd)     /* through cs */
                n = insn[1];
            pv_soft_interrupt(v, regs, n);
            return;
        }
        if (regs->error_code == 0 && pv_emulate_privileged(v, regs))
            return;
        break;
    case 0x80:
        if (!v->arch.pv.trap_ctxt[0x80].address) {
            /* No handler: Xen turns it into #GP(0x402) at the int instruction. */
            regs->rip -= 2;
            pv_inject_exception(v, regs, TRAP_gp_fault, true, (0x80 << 3) | 2);
            return;
        }
        break;
    }
    pv_inject_exception(v, regs, vec, has_error_code(vec), regs->error_code);
}

/*
 * A virtual NMI (VCPUOP_send_nmi), as Xen's process_nmi: taken once per
 * send, not while the guest is still in its NMI callback (until its next
 * iret); with no callback registered it is lost.
 */
static __pv_fast void deliver_nmi(struct vcpu *v, struct cpu_user_regs *regs)
{
    const struct trap_info *ti = &v->arch.pv.trap_ctxt[TRAP_nmi];

    if (!READ_ONCE(v->arch.pv.nmi_pending) || v->arch.pv.nmi_masked)
        return;
    __atomic_store_n(&v->arch.pv.nmi_pending, false, __ATOMIC_SEQ_CST);
    if (!ti->address)
        return;
    if (pv_bounce(v, regs, ti->address, false, 0, TI_GET_IF(ti), "NMI"))
        v->arch.pv.nmi_masked = true;
}

bool pv_raise_nmi(struct vcpu *v)
{
    return !__atomic_exchange_n(&v->arch.pv.nmi_pending, true, __ATOMIC_SEQ_CST);
}

__pv_fast void pv_deliver_events(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    deliver_nmi(v, regs);
    if (!vcpu_runnable(v))
        return;                 /* the NMI frame could not be written: the domain is dead */
    if (!v->arch.pv.event_callback || !local_events_need_delivery(v))
        return;
    if (pv_bounce(v, regs, v->arch.pv.event_callback, false, 0, true, "event upcall")) {
        v->domain->ctr.upcalls++;
        TRACE(EVTCHN, EV_UPCALL, v->vcpu_id, 0, 0, 0);
    }
}

__pv_fast void do_syscall(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (v->arch.pv.in_kernel) {
        pv_hypercall(regs);
        return;
    }
    /* A guest user-mode system call: to the guest kernel's syscall callback. */
    regs->rflags &= ~X86_EFLAGS_DF;
    if (!v->arch.pv.syscall_callback) {
        regs->rip -= 2;
        pv_inject_exception(v, regs, TRAP_invalid_op, false, 0);
        return;
    }
    TRACE(TRAP, TRAP_SYSCALL, 0, 0, 0, 0);
    pv_bounce(v, regs, v->arch.pv.syscall_callback, false, 0,
              v->arch.pv.callback_flags & (1U << CALLBACKTYPE_syscall), "system call");
}

/*
 * SYSCALL from a 32-bit code segment, in either guest mode: a 64-bit PV
 * guest makes no hypercalls from there. As Xen's switch_to_kernel: the
 * syscall32 callback, or #UD at the SYSCALL when none is registered.
 */
void do_syscall32(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    regs->rflags &= ~X86_EFLAGS_DF;
    if (!v->arch.pv.syscall32_callback) {
        regs->rip -= 2;
        pv_inject_exception(v, regs, TRAP_invalid_op, false, 0);
        return;
    }
    pv_bounce(v, regs, v->arch.pv.syscall32_callback, false, 0,
              v->arch.pv.callback_flags & (1U << CALLBACKTYPE_syscall32), "32-bit system call");
}

/*
 * SYSENTER: the frame has Xen's null rip and rsp (the CPU saves neither), so
 * only a bounce that switches to the guest kernel stack (from guest user
 * mode) can succeed; from guest kernel mode it kills the domain, as in Xen.
 * As Xen's sysenter_entry: the sysenter callback, else #GP(0).
 */
void do_sysenter(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (!v->arch.pv.sysenter_callback) {
        pv_inject_exception(v, regs, TRAP_gp_fault, true, 0);
        return;
    }
    pv_bounce(v, regs, v->arch.pv.sysenter_callback, false, 0,
              v->arch.pv.callback_flags & (1U << CALLBACKTYPE_sysenter), "sysenter");
}
