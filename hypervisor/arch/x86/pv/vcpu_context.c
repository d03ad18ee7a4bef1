/*
 * VCPUOP_initialise: the first register state of a secondary vCPU, as Xen's
 * arch_set_info_guest for a 64-bit PV guest. Everything is checked before
 * anything changes; references (L4s, GDT frames) are taken last and undone
 * on failure.
 */
#include "lib.h"
#include "pv.h"
#include "mm.h"
#include "guest_access.h"
#include "fpu.h"
#include <tandem/vcpu.h>
#include <tandem/callback.h>
#include <tandem/errno.h>

static bool addr_ok(uint64_t va)
{
    return is_canonical(va) && !in_hv_range(va);
}

/* Xen's __fixup_guest_selector: a ring-0..2 selector gets RPL 3. */
static uint16_t fixup_sel(uint16_t sel)
{
    return sel ? sel | 3 : sel;
}

static int decode(const struct vcpu_guest_context *c)
{
    uint32_t mxcsr;

    if (!(c->flags & VGCF_in_kernel))
        return -XEN_EINVAL;
    /* fxrstor raises #GP (in ring 0, at the vCPU's first switch-in) for MXCSR bits outside MXCSR_MASK. */
    memcpy(&mxcsr, c->fpu_ctxt + 24, sizeof(mxcsr));
    if ((c->flags & VGCF_i387_valid) && !fpu_mxcsr_valid(mxcsr))
        return -XEN_EINVAL;
    if (!addr_ok(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
        !addr_ok(c->event_callback_eip) || !addr_ok(c->failsafe_callback_eip) ||
        !addr_ok(c->syscall_callback_eip) || !is_canonical(c->fs_base) ||
        !is_canonical(c->gs_base_kernel) || !is_canonical(c->gs_base_user))
        return -XEN_EINVAL;
    /* As Xen's arch_set_info_guest: the LDT as MMUEXT_SET_LDT checks it. */
    if ((c->ldt_base & ~PAGE_MASK) || c->ldt_ents > 8192 || (c->ldt_ents && !addr_ok(c->ldt_base)) ||
        c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < 256; i++)
        if (c->trap_ctxt[i].address && !addr_ok(c->trap_ctxt[i].address))
            return -XEN_EINVAL;
    return 0;
}

long pv_vcpu_initialise(struct vcpu *v, uint64_t arg)
{
    struct vcpu_guest_context *c = xzalloc_bytes(sizeof(*c));
    mfn_t l4, ul4;
    int rc;

    if (!c)
        return -XEN_ENOMEM;
    rc = copy_from_guest(c, arg, sizeof(*c)) ? -XEN_EFAULT : 0;
    if (!rc && v->arch.pv.kernel_l4)
        rc = -XEN_EEXIST;               /* already initialised */
    if (!rc)
        rc = decode(c);
    l4 = c->ctrlreg[3] >> PAGE_SHIFT;
    ul4 = c->ctrlreg[1] >> PAGE_SHIFT;
    if (!rc && (rc = get_page_and_type(l4, v->domain, PGT_l4_page_table)))
        rc = -XEN_EINVAL;
    if (!rc && ul4 && get_page_and_type(ul4, v->domain, PGT_l4_page_table)) {
        put_page_and_type(l4);
        rc = -XEN_EINVAL;
    }
    if (!rc && (rc = pv_set_gdt_frames(v, c->gdt_frames, c->gdt_ents))) {
        put_page_and_type(l4);
        if (ul4)
            put_page_and_type(ul4);
    }
    if (rc) {
        xfree(c);
        return rc;
    }

    memset(&v->regs, 0, sizeof(v->regs));
    memcpy(&v->regs, &c->user_regs, offsetof(struct vcpu_user_regs, error_code));
    v->regs.rip = c->user_regs.rip;
    v->regs.rsp = c->user_regs.rsp;
    v->regs.cs = fixup_sel(c->user_regs.cs) ? fixup_sel(c->user_regs.cs) : FLAT_KERNEL_CS;
    v->regs.ss = fixup_sel(c->user_regs.ss) ? fixup_sel(c->user_regs.ss) : FLAT_KERNEL_SS;
    v->regs.rflags = (c->user_regs.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM | X86_EFLAGS_NT)) |
                     X86_EFLAGS_IF | X86_EFLAGS_MBS;
    /* As Xen: the IOPL field of the initial flags is the vCPU's virtual IOPL. */
    v->arch.pv.iopl = (c->user_regs.rflags & X86_EFLAGS_IOPL) >> 12;
    v->arch.pv.sel_ds = fixup_sel(c->user_regs.ds);
    v->arch.pv.sel_es = fixup_sel(c->user_regs.es);
    v->arch.pv.sel_fs = fixup_sel(c->user_regs.fs);
    v->arch.pv.sel_gs = fixup_sel(c->user_regs.gs);
    if (c->flags & VGCF_i387_valid)
        memcpy(v->arch.fpu_area, c->fpu_ctxt, sizeof(v->arch.fpu_area));
    memcpy(v->arch.pv.trap_ctxt, c->trap_ctxt, sizeof(v->arch.pv.trap_ctxt));
    for (unsigned int i = 0; i < 256; i++)
        v->arch.pv.trap_ctxt[i].cs = FLAT_KERNEL_CS;
    v->arch.pv.kernel_ss = FLAT_KERNEL_SS;
    v->arch.pv.kernel_sp = c->kernel_sp;
    v->arch.pv.event_callback = c->event_callback_eip;
    v->arch.pv.failsafe_callback = c->failsafe_callback_eip;
    v->arch.pv.syscall_callback = c->syscall_callback_eip;
    v->arch.pv.callback_flags = (c->flags & VGCF_failsafe_disables_events ? 1U << CALLBACKTYPE_failsafe : 0) |
                        (c->flags & VGCF_syscall_disables_events ? 1U << CALLBACKTYPE_syscall : 0);
    v->arch.pv.fs_base = c->fs_base;
    v->arch.pv.gs_base_kernel = c->gs_base_kernel;
    v->arch.pv.gs_base_user = c->gs_base_user;
    v->arch.pv.kernel_l4 = l4;
    v->arch.pv.user_l4 = ul4;
    pv_set_ldt(v, c->ldt_ents ? c->ldt_base : 0, c->ldt_ents);     /* mapped when first used */
    v->arch.pv.in_kernel = true;
    if (c->flags & VGCF_online)
        v->pause_flags &= ~VPF_down;
    xfree(c);
    return 0;
}
