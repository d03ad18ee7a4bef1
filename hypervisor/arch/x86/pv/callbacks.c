/*
 * PV CPU-state hypercalls: virtual IDT, callbacks, kernel stack, iret,
 * segment bases, FPU task switch, I/O privilege (debug registers:
 * debugreg.c).
 * Each handler: copy in, validate all, then change state.
 */
#include "lib.h"
#include "pv.h"
#include "hypercall.h"
#include "guest_access.h"
#include "processor.h"
#include "page.h"
#include "mm.h"
#include "cpu.h"
#include <tandem/xen.h>
#include <tandem/callback.h>
#include <tandem/physdev.h>
#include <tandem/errno.h>

#define MAX_TRAP_TABLE_ENTRIES 4096

static bool guest_code_addr_ok(uint64_t va)
{
    return is_canonical(va) && !in_hv_range(va);
}

long do_set_trap_table(guest_va_t uptr)
{
    struct vcpu *v = current;
    struct trap_info ti;

    if (!uptr) {
        memset(v->arch.pv.trap_ctxt, 0, sizeof(v->arch.pv.trap_ctxt));
        return 0;
    }
    for (unsigned int i = 0; i < MAX_TRAP_TABLE_ENTRIES; i++) {
        if (copy_from_guest(&ti, uptr + i * sizeof(ti), sizeof(ti)))
            return -XEN_EFAULT;
        if (!ti.address)
            return 0;
        if (!guest_code_addr_ok(ti.address))
            return -XEN_EINVAL;
        v->arch.pv.trap_ctxt[ti.vector] = ti;
        v->arch.pv.trap_ctxt[ti.vector].cs = FLAT_KERNEL_CS;
    }
    return -XEN_E2BIG;
}

/*
 * As Xen's register_guest_nmi_callback: the NMI callback is the trap-table
 * entry for vector 2 (set_trap_table can set it too), events always masked
 * on entry whatever CALLBACKF_mask_events says.
 */
static void set_nmi_callback(struct vcpu *v, uint64_t address)
{
    struct trap_info *t = &v->arch.pv.trap_ctxt[TRAP_nmi];

    *t = (struct trap_info){ .vector = TRAP_nmi, .cs = FLAT_KERNEL_CS, .address = address };
    TI_SET_IF(t, address != 0);
}

static long register_callback(struct vcpu *v, const struct callback_register *cb)
{
    uint64_t *slot;

    if (!guest_code_addr_ok(cb->address))
        return -XEN_EINVAL;
    if (cb->type == CALLBACKTYPE_nmi) {
        set_nmi_callback(v, cb->address);
        return 0;
    }
    switch (cb->type) {
    case CALLBACKTYPE_event:     slot = &v->arch.pv.event_callback; break;
    case CALLBACKTYPE_failsafe:  slot = &v->arch.pv.failsafe_callback; break;
    case CALLBACKTYPE_syscall:   slot = &v->arch.pv.syscall_callback; break;
    case CALLBACKTYPE_syscall32: slot = &v->arch.pv.syscall32_callback; break;
    case CALLBACKTYPE_sysenter:  slot = &v->arch.pv.sysenter_callback; break;
    default:                     return -XEN_ENOSYS;     /* as Xen */
    }
    *slot = cb->address;
    if (cb->flags & CALLBACKF_mask_events)
        v->arch.pv.callback_flags |= 1U << cb->type;
    else
        v->arch.pv.callback_flags &= ~(1U << cb->type);
    return 0;
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    struct vcpu *v = current;
    struct callback_register ev = { .type = CALLBACKTYPE_event, .address = event };
    struct callback_register fs = { .type = CALLBACKTYPE_failsafe, .address = failsafe };
    struct callback_register sc = { .type = CALLBACKTYPE_syscall, .address = syscall,
                                    .flags = CALLBACKF_mask_events };

    /* As Xen: each is registered on its own; failures are ignored. */
    register_callback(v, &ev);
    register_callback(v, &fs);
    register_callback(v, &sc);
    return 0;
}

long do_callback_op(uint64_t cmd, guest_va_t arg)
{
    struct vcpu *v = current;
    struct callback_register reg;
    struct callback_unregister unreg;

    switch (cmd) {
    case CALLBACKOP_register:
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -XEN_EFAULT;
        return register_callback(v, &reg);
    case CALLBACKOP_unregister:
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -XEN_EFAULT;
        /* As Xen: only the NMI callback can be unregistered; unknown types -ENOSYS. */
        switch (unreg.type) {
        case CALLBACKTYPE_nmi:
            set_nmi_callback(v, 0);
            return 0;
        case CALLBACKTYPE_event: case CALLBACKTYPE_failsafe: case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32: case CALLBACKTYPE_sysenter:
            return -XEN_EINVAL;
        default:
            return -XEN_ENOSYS;
        }
    default:
        return -XEN_ENOSYS;
    }
}

__pv_fast long do_stack_switch(uint64_t ss, uint64_t sp)
{
    struct vcpu *v = current;

    /* As Xen (64-bit): ss is not checked; bounces always use FLAT_KERNEL_SS. */
    (void)ss;
    v->arch.pv.kernel_ss = FLAT_KERNEL_SS;
    v->arch.pv.kernel_sp = sp;
    return 0;
}

long do_fpu_taskswitch(uint64_t set)
{
    pv_set_fpu_ts(current, set != 0);
    return 0;
}

/* A refused iret: the dump shows the caller's registers, then the frame it asked to load. */
static void iret_crash(struct vcpu *v, const char *why, const struct cpu_user_regs *regs,
                       const struct iret_context *c)
{
    char frame[200];

    if (c)
        snprintf(frame, sizeof(frame), "iret frame at rsp %#lx: rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx "
                 "flags %#lx rax %#lx", (unsigned long)regs->rsp, (unsigned long)c->rip, (unsigned long)c->cs,
                 (unsigned long)c->rflags, (unsigned long)c->rsp, (unsigned long)c->ss,
                 (unsigned long)c->flags, (unsigned long)c->rax);
    else
        snprintf(frame, sizeof(frame), "iret frame at rsp %#lx: its %zu bytes are not readable",
                 (unsigned long)regs->rsp, sizeof(struct iret_context));
    domain_crash_detail(v->domain, why, regs, frame);
}

__pv_fast long do_iret(void)
{
    struct vcpu *v = current;
    struct cpu_user_regs *regs = guest_cpu_regs();
    struct iret_context c;
    bool to_user;

    if (copy_from_guest(&c, regs->rsp, sizeof(c))) {
        iret_crash(v, "iret: cannot read the iret frame", regs, NULL);
        return 0;
    }
    c.cs &= 0xffff;             /* bits 32-39 hold the bounce frame's saved upcall mask */
    to_user = (c.cs & 3) == 3;
    if (to_user && !v->arch.pv.user_l4) {
        iret_crash(v, "iret to user mode without a user page table (NEW_USER_BASEPTR)", regs, &c);
        return 0;
    }
    if (!is_canonical(c.rip) || in_hv_range(c.rip) || !is_canonical(c.rsp)) {
        iret_crash(v, "iret: non-canonical or hypervisor-range RIP/RSP", regs, &c);
        return 0;
    }
    /* Any ring-3 selectors: flat, or from the guest's own (validated) GDT or LDT. A
     * bad one faults on the way out and that fault goes to the guest (pv_iret_fault). */
    if (to_user)
        pv_toggle_guest_mode(v);
    /* As Xen: with architectural_iopl the flags given to iret set the virtual IOPL. */
    if (pv_architectural_iopl(v->domain))
        v->arch.pv.iopl = (c.rflags & X86_EFLAGS_IOPL) >> 12;
    regs->rip = c.rip;
    regs->cs = c.cs | 3;
    regs->rsp = c.rsp;
    regs->ss = c.ss | 3;           /* as Xen: the frame's SS with RPL 3; the return checks it (GDT or LDT) */
    regs->rflags = (c.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF;
    v->vcpu_info->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
    v->arch.pv.nmi_masked = false;      /* Xen's async_exception_cleanup: any iret ends the NMI */
    if (c.flags & VGCF_in_syscall) {
        /* Xen returns with SYSRET: rcx and r11 end up as the new rip and rflags. */
        regs->rcx = regs->rip;
        regs->r11 = regs->rflags;
    } else {
        regs->r11 = c.r11;
        regs->rcx = c.rcx;
    }
    regs->rax = c.rax;
    return regs->rax;
}

__pv_fast long do_set_segment_base(uint64_t which, uint64_t base)
{
    struct vcpu *v = current;

    switch (which) {
    case SEGBASE_FS:
        if (!is_canonical(base))
            return -XEN_EINVAL;
        v->arch.pv.fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!is_canonical(base))
            return -XEN_EINVAL;
        v->arch.pv.gs_base_user = base;
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!is_canonical(base))
            return -XEN_EINVAL;
        v->arch.pv.gs_base_kernel = base;
        wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        /* As Xen, never an error: a selector that cannot be loaded becomes NUL. */
        if ((base & 0xffff) > 3 && ((base & 0xffff) | 3) != FLAT_RING3_DS32)
            base = 0;
        v->arch.pv.gs_sel_user = base & 0xffff;
        v->arch.pv.gs_base_user = 0;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

/* PHYSDEVOP_set_iopl / set_iobitmap (do_physdev_op in arch/x86/physdev.c routes them here). */
long pv_physdev_io_op(uint64_t cmd, guest_va_t arg)
{
    struct physdev_set_iopl iopl;

    switch (cmd) {
    case PHYSDEVOP_set_iopl:
        if (copy_from_guest(&iopl, arg, sizeof(iopl)))
            return -XEN_EFAULT;
        if (iopl.iopl > 3)
            return -XEN_EINVAL;
        current->arch.pv.iopl = iopl.iopl;
        return 0;
    case PHYSDEVOP_set_iobitmap:
        return pv_set_iobitmap(current, arg);
    default:
        return -XEN_ENOSYS;
    }
}

long do_vm_assist(uint64_t cmd64, uint64_t type64)
{
    struct domain *d = current->domain;
    /* Xen's do_vm_assist takes unsigned ints: only the low 32 bits of each argument count. */
    uint32_t cmd = cmd64, type = type64;
    /* Xen 4.19's PV64_VM_ASSIST_MASK; writable_pagetables is always on (ptwr emulation). */
    const uint64_t known = (1UL << VMASST_TYPE_4gb_segments) | (1UL << VMASST_TYPE_4gb_segments_notify) |
                           (1UL << VMASST_TYPE_writable_pagetables) | (1UL << VMASST_TYPE_pae_extended_cr3) |
                           (1UL << VMASST_TYPE_architectural_iopl) | (1UL << VMASST_TYPE_runstate_update_flag) |
                           (1UL << VMASST_TYPE_m2p_strict);

    /* As Xen: type against the valid mask first, then the command. */
    if (type >= 64 || !(known & (1UL << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        d->vm_assist |= 1UL << type;
        return 0;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1UL << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
