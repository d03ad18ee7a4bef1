/*
 * AMD SVM: HVM vCPUs (docs/hvm.md). Each HVM vCPU has a VMCB; its GPRs the
 * VMCB does not hold live in the ordinary guest frame at the top of the
 * CPU's stack, so the scheduler switches HVM and PV vCPUs alike. The way
 * back to an HVM guest (arch_return_to_guest -> svm_enter) does VMRUN,
 * handles the exit, and re-enters the common return path (resume_guest),
 * where the scheduler may pick another vCPU; it never returns.
 *
 * QEMU TCG's SVM (DESIGN.md section 6): no NRIP save (the length of each
 * intercepted instruction is decoded, hvm/emulate.c; IOIO gives the next RIP
 * in EXITINFO2), no clean bits (always 0), no flush-by-ASID (TLB_CONTROL
 * flushes everything on every VMRUN), ASID 0 refused (ASIDs from 1), NPT
 * entries need the U bit (npt.c).
 */
#include "lib.h"
#include "trace.h"
#include "domain.h"
#include "mm.h"
#include "processor.h"
#include "sched.h"
#include "time.h"
#include "console.h"
#include "traps.h"
#include "cpu.h"
#include "../hvm/hvm.h"
#include "../hvm/shadow.h"
#include "svm.h"
#include "vmcb.h"
#include <tandem/sched.h>
#include <tandem/errno.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/hvmcall.h>

static bool svm_ok;
static const char *svm_why = "SVM was not probed";
static uint32_t svm_nr_asids;
static void *hsave[NR_CPUS], *host_area[NR_CPUS];
static uint8_t *iopm, *msrpm;           /* shared by every HVM vCPU: what is intercepted */

#define PAT_DEFAULT 0x0007040600070406ULL

static const char *const exit_names[HVM_EXIT_NR] = {
    "cpuid", "hlt", "io", "msr", "npf", "intr", "nmi", "smi", "shutdown", "vmmcall", "invalid",
    "ud", "other", "vintr", "cr", "pf", "invlpg",
};

const char *hvm_exit_name(unsigned int reason)
{
    return reason < HVM_EXIT_NR ? exit_names[reason] : "?";
}

bool hvm_available(const char **why)
{
    if (why)
        *why = svm_ok ? NULL : svm_why;
    return svm_ok;
}

/* MSRs that stay in the VMCB (VMLOAD/VMSAVE state): the guest reads and writes them directly. */
static void msrpm_pass(uint32_t msr)
{
    uint32_t bit;

    if (msr < 0x2000)
        bit = msr * 2;
    else if (msr >= 0xc0000000 && msr < 0xc0002000)
        bit = 0x800 * 8 + (msr - 0xc0000000) * 2;
    else
        return;
    msrpm[bit / 8] &= (uint8_t)~(3u << (bit % 8));
}

void svm_init(void)
{
    uint32_t a, b, c, d, max_ext;
    unsigned int cpu = this_cpu()->cpu_id;
    uint64_t vmcr;

    BUILD_BUG_ON(sizeof(struct vmcb) != PAGE_SIZE);
    BUILD_BUG_ON(offsetof(struct vmcb, exitcode) != 0x70);
    BUILD_BUG_ON(offsetof(struct vmcb, n_cr3) != 0xb0);
    BUILD_BUG_ON(offsetof(struct vmcb, es) != 0x400);
    BUILD_BUG_ON(offsetof(struct vmcb, cpl) != 0x4cb);
    BUILD_BUG_ON(offsetof(struct vmcb, efer) != 0x4d0);
    BUILD_BUG_ON(offsetof(struct vmcb, rflags) != 0x570);
    BUILD_BUG_ON(offsetof(struct vmcb, rsp) != 0x5d8);
    BUILD_BUG_ON(offsetof(struct vmcb, rax) != 0x5f8);
    BUILD_BUG_ON(offsetof(struct vmcb, g_pat) != 0x668);

    cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
    c = 0;
    if (max_ext >= 0x80000001)
        cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    if (!(c & (1u << 2))) {
        svm_why = "the CPU has no AMD SVM (CPUID 0x80000001 ECX bit 2)";
        goto out;
    }
    if (max_ext < 0x8000000a) {
        svm_why = "the CPU has no SVM feature leaf (CPUID 0x8000000a)";
        goto out;
    }
    if (rdmsr_safe(MSR_VM_CR, &vmcr) && (vmcr & (1u << 4))) {
        svm_why = "SVM is disabled by the firmware (VM_CR.SVMDIS)";
        goto out;
    }
    cpuid_count(0x8000000a, 0, &a, &b, &c, &d);
    if (!(d & 1)) {
        svm_why = "the CPU's SVM has no nested paging (CPUID 0x8000000a EDX bit 0)";
        goto out;
    }
    svm_nr_asids = b;
    if (svm_nr_asids < 2) {
        svm_why = "the CPU's SVM offers no guest ASID";
        goto out;
    }
    hsave[cpu] = xzalloc_bytes(PAGE_SIZE);
    host_area[cpu] = xzalloc_bytes(PAGE_SIZE);
    iopm = xzalloc_bytes(3 * PAGE_SIZE);
    msrpm = xzalloc_bytes(2 * PAGE_SIZE);
    if (!hsave[cpu] || !host_area[cpu] || !iopm || !msrpm) {
        svm_why = "out of memory for the SVM save areas";
        goto out;
    }
    memset(iopm, 0xff, 3 * PAGE_SIZE);      /* every port intercepted */
    memset(msrpm, 0xff, 2 * PAGE_SIZE);     /* every MSR intercepted but these */
    msrpm_pass(0xc0000100);                 /* FS_BASE */
    msrpm_pass(0xc0000101);                 /* GS_BASE */
    msrpm_pass(0xc0000102);                 /* KERNEL_GS_BASE */
    for (uint32_t m = 0xc0000081; m <= 0xc0000084; m++)
        msrpm_pass(m);                      /* STAR, LSTAR, CSTAR, SFMASK */
    for (uint32_t m = 0x174; m <= 0x176; m++)
        msrpm_pass(m);                      /* SYSENTER_CS/ESP/EIP */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, __pa(hsave[cpu]));
    svm_ok = true;
    printk("SVM: enabled with nested paging, %u ASIDs: HVM domains can run\n", svm_nr_asids);
    return;
out:
    printk("SVM: not available (%s): HVM domains will be refused, PV domains run\n", svm_why);
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attr, uint32_t limit)
{
    s->sel = sel;
    s->attr = attr;
    s->limit = limit;
    s->base = 0;
}

int svm_vcpu_create(struct vcpu *v, uint64_t entry)
{
    struct hvm_domain *hd = v->domain->arch.hvm;
    struct hvm_vcpu *hv = xzalloc(struct hvm_vcpu);
    struct vmcb *vmcb;

    if (!hv)
        return -XEN_ENOMEM;
    if (!(hv->vmcb = xzalloc_bytes(PAGE_SIZE))) {
        xfree(hv);
        return -XEN_ENOMEM;
    }
    vmcb = hv->vmcb;
    vmcb->intercepts1 = INTERCEPT1_INTR | INTERCEPT1_VINTR | INTERCEPT1_NMI | INTERCEPT1_SMI |
                        INTERCEPT1_INIT | INTERCEPT1_CPUID | INTERCEPT1_INVD | INTERCEPT1_HLT | INTERCEPT1_INVLPGA |
                        INTERCEPT1_IOIO | INTERCEPT1_MSR | INTERCEPT1_TASKSWITCH | INTERCEPT1_SHUTDOWN;
    vmcb->intercepts2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD | INTERCEPT2_VMSAVE |
                        INTERCEPT2_STGI | INTERCEPT2_CLGI | INTERCEPT2_SKINIT | INTERCEPT2_MONITOR |
                        INTERCEPT2_MWAIT | INTERCEPT2_XSETBV;
    vmcb->iopm_base_pa = __pa(iopm);
    vmcb->msrpm_base_pa = __pa(msrpm);
    vmcb->asid = hd->asid;
    vmcb->tlb_control = TLB_CONTROL_FLUSH_ALL;
    vmcb->vintr = VINTR_MASKING;            /* the guest's IF never masks host interrupts */
    vmcb->np_enable = 1;
    vmcb->n_cr3 = __pa(hd->npt_l4);
    vmcb->g_pat = PAT_DEFAULT;
    vmcb->tsc_offset = -rdtsc();            /* the guest's TSC starts at 0 now (docs/hvm.md) */
    /* 32-bit flat protected mode, paging off (docs/hvm.md "Boot protocol"). */
    seg(&vmcb->cs, 0x08, 0xc9b, 0xffffffff);
    seg(&vmcb->ds, 0x10, 0xc93, 0xffffffff);
    vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
    seg(&vmcb->tr, 0, 0x8b, 0xffff);
    seg(&vmcb->gdtr, 0, 0, 0);
    seg(&vmcb->idtr, 0, 0, 0x3ff);
    vmcb->cpl = 0;
    vmcb->efer = EFER_SVME;                 /* required by VMRUN; hidden from the guest */
    vmcb->cr0 = 0x11;                       /* PE, ET */
    vmcb->dr6 = 0xffff0ff0;
    vmcb->dr7 = 0x400;
    vmcb->rflags = X86_EFLAGS_MBS;
    vmcb->rip = entry;
    v->arch.hvm = hv;
    vlapic_init(v);
    if (hd->shadow && shadow_vcpu_init(v, vmcb)) {     /* paging=shadow: no NPT (hvm/shadow_cr.c) */
        svm_vcpu_destroy(v);
        return -XEN_ENOMEM;
    }
    return 0;
}

void svm_vcpu_destroy(struct vcpu *v)
{
    if (!v->arch.hvm)
        return;
    if (v->arch.hvm->sh)
        shadow_vcpu_destroy(v);
    xfree(v->arch.hvm->vmcb);
    xfree(v->arch.hvm);
    v->arch.hvm = NULL;
}

bool svm_vcpu_cpl0(const struct vcpu *v)
{
    return !v->arch.hvm || ((struct vmcb *)v->arch.hvm->vmcb)->cpl == 0;
}

static void dump_seg(const char *n, const struct vmcb_seg *s)
{
    printk(XENLOG_ERR "  %-4s sel %04x attr %03x limit %08x base %016lx\n", n, s->sel, s->attr,
           s->limit, (unsigned long)s->base);
}

/* The VMCB state an HVM crash report shows (the GPRs follow, from domain_crash). */
static void svm_dump(struct vcpu *v)
{
    struct vmcb *vm = v->arch.hvm->vmcb;

    printk(XENLOG_ERR "d%uv%u VMCB: exitcode %#lx exitinfo1 %#lx exitinfo2 %#lx exitintinfo %#lx\n",
           v->domain->domain_id, v->vcpu_id, (unsigned long)vm->exitcode, (unsigned long)vm->exitinfo1,
           (unsigned long)vm->exitinfo2, (unsigned long)vm->exitintinfo);
    printk(XENLOG_ERR "  rip %016lx rsp %016lx rflags %08lx cpl %u efer %#lx (SVME ours)\n",
           (unsigned long)vm->rip, (unsigned long)vm->rsp, (unsigned long)vm->rflags, vm->cpl,
           (unsigned long)vm->efer);
    printk(XENLOG_ERR "  cr0 %#lx cr2 %#lx cr3 %#lx cr4 %#lx asid %u n_cr3 %#lx\n",
           (unsigned long)vm->cr0, (unsigned long)vm->cr2, (unsigned long)vm->cr3,
           (unsigned long)vm->cr4, vm->asid, (unsigned long)vm->n_cr3);
    dump_seg("cs", &vm->cs);
    dump_seg("ss", &vm->ss);
    dump_seg("ds", &vm->ds);
    dump_seg("gdtr", &vm->gdtr);
    dump_seg("idtr", &vm->idtr);
    dump_seg("tr", &vm->tr);
    if (v->arch.hvm->sh)
        shadow_dump(v);
}

void svm_crash(struct vcpu *v, struct cpu_user_regs *regs, const char *why)
{
    svm_dump(v);
    domain_crash(v->domain, why, regs);
}

static void inject_exc(struct vmcb *vm, unsigned int vec, bool has_ec, uint32_t ec)
{
    vm->eventinj = vec | EVENTINJ_TYPE_EXC | EVENTINJ_VALID |
                   (has_ec ? EVENTINJ_EV | ((uint64_t)ec << 32) : 0);
}

/* Step over an instruction of `len` bytes (no NRIP under TCG: hvm_step_over decodes it). */
static void advance(struct vmcb *vm, struct cpu_user_regs *regs, unsigned int len)
{
    regs->rip += len;
    if (!(vm->efer & EFER_LMA) || !(vm->cs.attr & 0x200))
        regs->rip &= 0xffffffff;            /* outside 64-bit code, EIP wraps */
    vm->int_state &= ~1ULL;                 /* an STI/MOV SS shadow ends with the instruction */
}

void hvm_step(struct vcpu *v, struct cpu_user_regs *regs, unsigned int len)
{
    advance(v->arch.hvm->vmcb, regs, len);
}

unsigned int hvm_code_bits(struct vcpu *v)
{
    const struct vmcb *vm = v->arch.hvm->vmcb;

    if ((vm->efer & EFER_LMA) && (vm->cs.attr & 0x200))
        return 64;
    return (vm->cs.attr & 0x400) ? 32 : 16;
}

void hvm_set_vtpr(struct vcpu *v, unsigned int class)
{
    struct vmcb *vm = v->arch.hvm->vmcb;

    vm->vintr = (vm->vintr & ~VINTR_TPR_MASK) | (class & VINTR_TPR_MASK);
}

static void set32(uint64_t *r, uint32_t v)
{
    *r = v;
}

/* The guest's CPUID: the host's, minus what we do not virtualise (docs/hvm.md). */
static void svm_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint32_t leaf = (uint32_t)regs->rax, sub = (uint32_t)regs->rcx, a = 0, b = 0, c = 0, d = 0;
    uint32_t max_basic, max_ext, t;

    cpuid_count(0, 0, &max_basic, &t, &t, &t);
    cpuid_count(0x80000000, 0, &max_ext, &t, &t, &t);
    max_basic = MIN(max_basic, 0xdu);
    if (leaf <= max_basic)
        cpuid_count(leaf, sub, &a, &b, &c, &d);
    else if (leaf >= 0x80000000 && leaf <= max_ext)
        cpuid_count(leaf, sub, &a, &b, &c, &d);
    switch (leaf) {
    case 0:
        a = max_basic;
        break;
    case 1:
        b = (b & 0x00ffffff) | (v->vcpu_id << 24);
        /* MONITOR VMX x2APIC TSC-deadline XSAVE OSXSAVE */
        c &= ~((1u << 3) | (1u << 5) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27));
        c |= 1u << 31;                      /* running under a hypervisor */
        d |= 1u << 9;                       /* the local APIC (hvm/vlapic.c, xAPIC only) */
        if (v->domain->arch.hvm->shadow)
            c &= ~(1u << 17);               /* no PCID with shadow paging */
        break;
    case 7:
        if (sub)
            a = b = c = d = 0;
        if (v->domain->arch.hvm->shadow)
            b &= ~(1u << 10);               /* no INVPCID with shadow paging */
        break;
    case 0xd:
        a = b = c = d = 0;                  /* XSAVE hidden */
        break;
    case 0x40000000:
        a = 0x40000010;                     /* the timing leaf is there (as VMware's, KVM's) */
        memcpy(&b, "Tand", 4);
        memcpy(&c, "emHV", 4);
        memcpy(&d, "Msvm", 4);
        break;
    case 0x40000010:
        a = (uint32_t)tsc_khz;              /* the guest's TSC runs at the host's rate */
        b = HVM_LAPIC_KHZ;
        break;
    case 0x80000001:
        c &= ~(1u << 2);                    /* no nested SVM */
        break;
    case 0x8000000a:
        a = b = c = d = 0;
        break;
    default:
        if (leaf >= 0x40000000 && leaf < 0x80000000)
            a = b = c = d = 0;
        break;
    }
    set32(&regs->rax, a);
    set32(&regs->rbx, b);
    set32(&regs->rcx, c);
    set32(&regs->rdx, d);
}

static bool pat_valid(uint64_t pat)
{
    for (unsigned int i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(pat >> (i * 8));
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/* RDMSR/WRMSR of an intercepted MSR: EFER and PAT live in the VMCB, the TSC reads; #GP for the rest. */
static void svm_msr(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    uint32_t msr = (uint32_t)regs->rcx;
    uint64_t val = ((regs->rdx & 0xffffffff) << 32) | (regs->rax & 0xffffffff);
    bool write = vm->exitinfo1 & 1;

    if (!write) {
        switch (msr) {
        case MSR_EFER: val = v->arch.hvm->sh ? shadow_efer_read(v) : vm->efer & ~EFER_SVME; break;
        case 0x277: val = vm->g_pat; break;
        case 0x10: val = rdtsc() + vm->tsc_offset; break;
        case 0x1b: val = vlapic_apic_base(v); break;
        default:
            printk(XENLOG_DEBUG "d%u: rdmsr %#x refused (#GP)\n", v->domain->domain_id, msr);
            inject_exc(vm, 13, true, 0);
            return;
        }
        set32(&regs->rax, (uint32_t)val);
        set32(&regs->rdx, (uint32_t)(val >> 32));
    } else {
        switch (msr) {
        case MSR_EFER:
            if (v->arch.hvm->sh) {          /* the guest's own EFER (hvm/shadow_cr.c) */
                if (!shadow_efer_write(v, vm, regs, val)) {
                    inject_exc(vm, 13, true, 0);
                    return;
                }
                break;
            }
            /* SCE, LME, NXE are the guest's; LMA is the CPU's; LME may not change with paging on. */
            if ((val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
                ((vm->cr0 & (1UL << 31)) && ((val ^ vm->efer) & EFER_LME))) {
                inject_exc(vm, 13, true, 0);
                return;
            }
            vm->efer = (val & (EFER_SCE | EFER_LME | EFER_NXE)) | (vm->efer & EFER_LMA) | EFER_SVME;
            break;
        case 0x277:
            if (!pat_valid(val)) {
                inject_exc(vm, 13, true, 0);
                return;
            }
            vm->g_pat = val;
            break;
        case 0x10:
            vm->tsc_offset = val - rdtsc();     /* the guest sets its TSC: RDTSC follows */
            break;
        case 0x1b:
            switch (vlapic_apic_base_write(v, val)) {
            case HVM_MSR_OK:
                break;
            case HVM_MSR_GP:
                inject_exc(vm, 13, true, 0);
                return;
            default:
                svm_crash(v, regs, "the guest moved or disabled its local APIC (IA32_APIC_BASE)");
                return;
            }
            break;
        default:
            printk(XENLOG_DEBUG "d%u: wrmsr %#x refused (#GP)\n", v->domain->domain_id, msr);
            inject_exc(vm, 13, true, 0);
            return;
        }
    }
    if (!hvm_step_over(v, regs, write ? HVM_INSN_WRMSR : HVM_INSN_RDMSR))
        svm_crash(v, regs, "RDMSR/WRMSR exit, but no RDMSR/WRMSR at RIP");
}

/* IN/OUT: the ports are hvm/vuart.c's (UART, exit port, debug console), INS/OUTS hvm/emulate.c's. */
static void svm_io(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    uint32_t info = (uint32_t)vm->exitinfo1;
    uint16_t port = info >> 16;
    unsigned int size = (info >> IOIO_SZ_SHIFT) & 7;      /* 1, 2 or 4 (one-hot) */
    uint64_t next = vm->exitinfo2;
    uint64_t mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
    uint32_t val = (uint32_t)regs->rax;

    if (next <= regs->rip || next - regs->rip > 15 || (size != 1 && size != 2 && size != 4)) {
        svm_crash(v, regs, "IOIO exit with an impossible next RIP or size");
        return;
    }
    if (info & IOIO_STR) {
        switch (hvm_string_io(v, regs, port, size, info, next)) {
        case HVM_IO_AGAIN:
            return;
        case HVM_IO_SENT:
            vm->int_state &= ~1ULL;     /* the device model's answer moves RIP (hvm_string_io_done) */
            return;
        case HVM_IO_KILL:
            svm_crash(v, regs, "INS/OUTS not emulated (see above)");
            return;
        }
    } else {
        regs->rip = next;           /* done but for the destination: a device model may answer (ioreq.c) */
        vm->int_state &= ~1ULL;
        if (!hvm_port_io_has_device(port) &&
            hvm_ioreq_send(v, IOREQ_TYPE_PIO, port, size, info & IOIO_IN, regs->rax, 0, size))
            return;
        hvm_port_io(v, regs, port, size, info & IOIO_IN, &val);
        if ((info & IOIO_IN) && size == 4)
            regs->rax = val;
        else if (info & IOIO_IN)
            regs->rax = (regs->rax & ~mask) | (val & mask);
    }
    regs->rip = next;
    vm->int_state &= ~1ULL;
}

uint64_t hvm_seg_base(struct vcpu *v, unsigned int seg)
{
    const struct vmcb *vm = v->arch.hvm->vmcb;
    const struct vmcb_seg *s[] = { &vm->es, &vm->cs, &vm->ss, &vm->ds, &vm->fs, &vm->gs };

    return seg < ARRAY_SIZE(s) ? s[seg]->base : 0;
}

void hvm_get_paging(struct vcpu *v, struct hvm_paging *p)
{
    const struct vmcb *vm = v->arch.hvm->vmcb;

    if (v->arch.hvm->sh) {
        shadow_get_paging(v, p);            /* the guest's view, not the shadow's */
        return;
    }
    p->cr0 = vm->cr0;
    p->cr3 = vm->cr3;
    p->cr4 = vm->cr4;
    p->efer = vm->efer & ~EFER_SVME;
    p->cpl = vm->cpl;
}

/* Shadow paging's counters (struct hvm_shadow_counters, kept by hvm/shadow.c) as named entries
 * "shadow.NAME", at most max; how many (none for an NPT domain). */
static unsigned int shadow_counters(struct domain *d, struct hvm_counter *out, unsigned int max)
{
    const struct hvm_shadow_counters *c = &d->arch.hvm->shc;
    const struct { const char *name; uint64_t value; } t[] = {
        { "faults", c->faults }, { "fault_fill", c->fault_fill }, { "fault_guest", c->fault_guest },
        { "fault_spurious", c->fault_spurious }, { "fault_mmio", c->fault_mmio }, { "fills", c->fills },
        { "wp_faults", c->wp_faults }, { "resyncs", c->resyncs }, { "unshadows", c->unshadows },
        { "cr3_switches", c->cr3_switches }, { "cr3_hits", c->cr3_hits }, { "invlpgs", c->invlpgs },
        { "full_flushes", c->full_flushes }, { "pages", c->pages }, { "pt_wp_faults", c->pt_wp_faults },
        { "pt_emulated", c->pt_emulated }, { "pt_unshadows", c->pt_unshadows },
        { "pt_reprotects", c->pt_reprotects },
    };
    unsigned int n = 0;

    if (!d->arch.hvm->shadow)
        return 0;
    for (; n < ARRAY_SIZE(t) && n < max; n++) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].name, sizeof(out[n].name), "shadow.%s", t[n].name);
        out[n].value = t[n].value;
    }
    return n;
}

/* Counter i of d for HVMCALL_counters (tandem/hvmcall.h), sh[nsh] the shadow ones: false past the last. */
static bool counter_entry(struct domain *d, unsigned int i, const struct hvm_counter *sh, unsigned int nsh,
                          struct hvm_counter *c)
{
    struct hvm_domain *hd = d->arch.hvm;

    memset(c, 0, sizeof(*c));
    if (i == 0) {
        snprintf(c->name, sizeof(c->name), "exits");
        c->value = hd->exits_total;
    } else if (i <= HVM_EXIT_NR) {
        snprintf(c->name, sizeof(c->name), "exit.%s", exit_names[i - 1]);
        c->value = hd->exits[i - 1];
    } else if (i == HVM_EXIT_NR + 1) {
        snprintf(c->name, sizeof(c->name), "tlb_flush");
        c->value = hd->exits_total;     /* every VMRUN flushes all (svm_enter): one per exit */
    } else if (i == HVM_EXIT_NR + 2) {
        snprintf(c->name, sizeof(c->name), "ioreq");
        c->value = hd->ioreq_sent;      /* requests sent to a device model (hvm_ioreq_send) */
    } else if (i - HVM_EXIT_NR - 3 < nsh) {
        *c = sh[i - HVM_EXIT_NR - 3];
        c->name[sizeof(c->name) - 1] = 0;
    } else {
        return false;
    }
    return true;
}

/* HVMCALL_counters: the domain's counters into the guest's buffer at gpa (len bytes). */
static int64_t hvmcall_counters(struct domain *d, uint64_t gpa, uint64_t len)
{
    struct hvm_counters h = { .version = HVM_COUNTERS_VERSION };
    struct hvm_counter c, sh[32];
    unsigned int nsh;
    uint64_t room;

    if ((gpa & 7) || len < sizeof(h) || len > HVM_COUNTERS_MAX_BYTES)
        return -XEN_EINVAL;
    if (gpa + len < gpa)
        return -XEN_EFAULT;
    for (uint64_t p = gpa >> PAGE_SHIFT; p <= (gpa + len - 1) >> PAGE_SHIFT; p++)
        if (!hvm_gfn_map(d, p))
            return -XEN_EFAULT;         /* checked whole first: nothing written on a refusal */
    nsh = shadow_counters(d, sh, ARRAY_SIZE(sh));
    h.paging = nsh ? HVM_COUNTERS_SHADOW : HVM_COUNTERS_NPT;
    room = (len - sizeof(h)) / sizeof(c);
    while (counter_entry(d, h.available, sh, nsh, &c)) {
        if (h.available < room) {
            if (!hvm_copy_to_guest(d, gpa + sizeof(h) + h.available * sizeof(c), &c, sizeof(c)))
                return -XEN_EFAULT;
            h.count++;
        }
        h.available++;
    }
    return hvm_copy_to_guest(d, gpa, &h, sizeof(h)) ? 0 : -XEN_EFAULT;
}

/* VMMCALL from guest ring 0: rax = op (HVMCALL_*), rdi, rsi; result in rax. */
static void svm_vmmcall(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct domain *d = v->domain;
    struct hvm_vcpu *hv = v->arch.hvm;
    int64_t rc = 0;

    if (vm->cpl != 0) {
        inject_exc(vm, 6, false, 0);        /* #UD: hypercalls are the guest kernel's */
        return;
    }
    if (!hvm_step_over(v, regs, HVM_INSN_VMMCALL)) {
        svm_crash(v, regs, "VMMCALL exit, but no VMMCALL at RIP");
        return;
    }
    switch (regs->rax) {
    case HVMCALL_console_write: {
        char buf[128];
        uint64_t gpa = regs->rdi, len = regs->rsi;
        if (len > 4096) {
            rc = -XEN_EINVAL;
            break;
        }
        if (gpa + len < gpa) {
            rc = -XEN_EFAULT;
            break;
        }
        while (len) {
            size_t n = MIN(len, sizeof(buf));
            if (!hvm_copy_from_guest(d, buf, gpa, n)) {
                rc = -XEN_EFAULT;
                break;
            }
            console_guest_write(d, CONSOLE_SRC_IO, buf, n);
            gpa += n;
            len -= n;
        }
        break;
    }
    case HVMCALL_poweroff:
        if (regs->rdi == 0 || regs->rdi == 1) {
            domain_shutdown(d, regs->rdi ? SHUTDOWN_reboot : SHUTDOWN_poweroff);
            return;
        }
        if (regs->rdi == 2) {
            domain_crash(d, "the guest asked to crash (VMMCALL poweroff 2)", regs);
            return;
        }
        rc = -XEN_EINVAL;
        break;
    case HVMCALL_set_timer:
        if (regs->rdi && (regs->rsi < 32 || regs->rsi > 255)) {
            rc = -XEN_EINVAL;
            break;
        }
        hv->timer_pending = false;
        hv->timer_vector = (uint8_t)regs->rsi;
        hv->timer_deadline = regs->rdi ? now_ns() + MIN(regs->rdi, 1ULL << 40) : 0;
        break;                      /* svm_inject makes it the poll_deadline */
    case HVMCALL_counters:
        rc = hvmcall_counters(d, regs->rdi, regs->rsi);
        break;
    default:
        rc = -XEN_ENOSYS;
        break;
    }
    regs->rax = (uint64_t)rc;
}

/* The earliest virtual timer deadline (VMMCALL timer, APIC timer) with due ones raised; 0: none. */
static uint64_t timers_update(struct vcpu *v)
{
    struct hvm_vcpu *hv = v->arch.hvm;
    uint64_t now = now_ns(), apic;

    if (hv->timer_deadline && now >= hv->timer_deadline) {
        hv->timer_deadline = 0;
        hv->timer_pending = true;
    }
    apic = vlapic_update(v, now);
    if (!hv->timer_deadline)
        return apic;
    return apic ? MIN(apic, hv->timer_deadline) : hv->timer_deadline;
}

static void svm_hlt(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct hvm_vcpu *hv = v->arch.hvm;
    uint64_t deadline;

    if (!hvm_step_over(v, regs, HVM_INSN_HLT)) {
        svm_crash(v, regs, "HLT exit, but no HLT at RIP");
        return;
    }
    if (!(regs->rflags & X86_EFLAGS_IF)) {
        /* As Xen's hvm_hlt: HLT with interrupts off takes the vCPU down; with one vCPU, the domain. */
        printk("d%uv%u: HLT with interrupts off: vCPU down, domain powered off\n",
               v->domain->domain_id, v->vcpu_id);
        domain_shutdown(v->domain, SHUTDOWN_poweroff);
        return;
    }
    deadline = timers_update(v);
    if (hv->timer_pending || hvm_irq_pic_vector(v, false) >= 0 || vlapic_pending(v) >= 0)
        return;             /* an interrupt is due: HLT ends at once */
    if (!deadline && !hvm_irq_may_wake(v)) {
        svm_crash(v, regs, "HLT with no timer armed and every interrupt line masked: nothing can ever wake it");
        return;
    }
    v->poll_deadline = deadline;
    vcpu_block(v);          /* woken by the scheduler's timer at poll_deadline (sched.c) */
}

/*
 * Before VMRUN: a due virtual interrupt (the VMMCALL timer's, then the PIC's, then the local
 * APIC's by priority) if the guest can take it now; if it cannot (IF clear, an interrupt shadow, an
 * event already going in), a virtual interrupt request (V_IRQ) with the VINTR intercept asks
 * for an exit the moment it can. The next timer deadline is the scheduler's poll_deadline.
 */
static void svm_inject(struct vcpu *v, struct vmcb *vm)
{
    struct hvm_vcpu *hv = v->arch.hvm;
    bool can = (vm->rflags & X86_EFLAGS_IF) && !(vm->int_state & 1) &&
               !(vm->eventinj & EVENTINJ_VALID);
    int vec;

    v->poll_deadline = timers_update(v);    /* the scheduler's timer fires then (sched.c) */
    vm->vintr &= ~(VINTR_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT) |
                   (0xffULL << VINTR_VECTOR_SHIFT));
    if (hv->timer_pending) {
        vec = hv->timer_vector;
        if (can)
            hv->timer_pending = false;
    } else if ((vec = hvm_irq_pic_vector(v, can)) >= 0) {
        /* The PIC on LINT0 (ExtINT): its vector goes in directly, INTA done when it can (Xen's order). */
    } else if ((vec = vlapic_pending(v)) < 0) {
        return;
    } else if (can) {
        vlapic_accept(v, vec);
    }
    if (can)
        vm->eventinj = (uint64_t)vec | EVENTINJ_TYPE_INTR | EVENTINJ_VALID;
    else
        vm->vintr |= VINTR_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT) |
                     ((uint64_t)vec << VINTR_VECTOR_SHIFT);
}

static void count(struct domain *d, unsigned int reason)
{
    d->arch.hvm->exits[reason]++;
    d->arch.hvm->exits_total++;
}

static void svm_exit(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct domain *d = v->domain;
    char why[160];
    /* VMEXIT_INVALID is -1; TCG writes it as a 32-bit -1 (0xffffffff). */
    uint64_t code = (uint32_t)vm->exitcode == 0xffffffffu ? VMEXIT_INVALID : vm->exitcode;

    TRACE(VMEXIT, VM_EXIT, code, vm->rip, vm->exitinfo1, vm->exitinfo2);
    switch (code) {
    case VMEXIT_INTR:
        count(d, HVM_EXIT_INTR);        /* taken at STGI in svm_vmrun */
        break;
    case VMEXIT_NMI:
        count(d, HVM_EXIT_NMI);
        break;
    case VMEXIT_SMI:
        count(d, HVM_EXIT_SMI);
        break;
    case VMEXIT_VINTR:
        count(d, HVM_EXIT_VINTR);       /* it can take the interrupt now: svm_inject does */
        break;
    case VMEXIT_CPUID:
        count(d, HVM_EXIT_CPUID);
        svm_cpuid(v, regs);
        if (!hvm_step_over(v, regs, HVM_INSN_CPUID))
            svm_crash(v, regs, "CPUID exit, but no CPUID at RIP");
        break;
    case VMEXIT_HLT:
        count(d, HVM_EXIT_HLT);
        svm_hlt(v, vm, regs);
        break;
    case VMEXIT_IOIO:
        count(d, HVM_EXIT_IO);
        svm_io(v, vm, regs);
        break;
    case VMEXIT_MSR:
        count(d, HVM_EXIT_MSR);
        svm_msr(v, vm, regs);
        break;
    case VMEXIT_VMMCALL:
        count(d, HVM_EXIT_VMMCALL);
        svm_vmmcall(v, vm, regs);
        break;
    case VMEXIT_NPF:
        count(d, HVM_EXIT_NPF);
        /* EXITINFO1 bit 33: the fault was on the guest's own page-table walk (never MMIO). */
        if (!(vm->exitinfo1 & (1ULL << 33)) &&
            hvm_emulate_mmio(v, regs, vm->exitinfo2, (uint32_t)vm->exitinfo1 & 0x1f))
            break;
        snprintf(why, sizeof(why), "nested page fault at guest-physical %#lx (error %#lx): "
                 "outside its %lu KiB and no emulated device's", (unsigned long)vm->exitinfo2,
                 (unsigned long)vm->exitinfo1, (unsigned long)(d->arch.hvm->nr_pages * 4));
        svm_crash(v, regs, why);
        break;
    case VMEXIT_EXCP_PF:                /* paging=shadow only (hvm/shadow.c) */
        count(d, HVM_EXIT_PF);
        shadow_page_fault(v, vm, regs);
        break;
    case VMEXIT_INVLPG:
        count(d, HVM_EXIT_INVLPG);
        shadow_invlpg_exit(v, vm, regs);
        break;
    case VMEXIT_CR0_READ ... VMEXIT_CR15_WRITE:
        count(d, HVM_EXIT_CR);
        shadow_cr_access(v, vm, regs);
        break;
    case VMEXIT_SHUTDOWN:
        count(d, HVM_EXIT_SHUTDOWN);
        svm_crash(v, regs, "triple fault (SVM shutdown intercept)");
        break;
    case VMEXIT_INVALID:
        count(d, HVM_EXIT_INVALID);
        svm_crash(v, regs, "VMRUN refused the guest state (VMEXIT_INVALID)");
        break;
    case VMEXIT_VMRUN: case VMEXIT_VMLOAD: case VMEXIT_VMSAVE: case VMEXIT_STGI: case VMEXIT_CLGI:
    case VMEXIT_SKINIT: case VMEXIT_INVLPGA: case VMEXIT_MONITOR: case VMEXIT_MWAIT:
    case VMEXIT_XSETBV: case VMEXIT_INVD:
        count(d, HVM_EXIT_UD);
        inject_exc(vm, 6, false, 0);    /* not offered (CPUID says so): #UD */
        break;
    default:
        count(d, HVM_EXIT_OTHER);
        snprintf(why, sizeof(why), "unexpected VM exit %#lx", (unsigned long)vm->exitcode);
        svm_crash(v, regs, why);
        break;
    }
}

__noreturn void svm_enter(struct vcpu *v, struct cpu_user_regs *regs)
{
    struct vmcb *vm = v->arch.hvm->vmcb;
    unsigned int cpu = this_cpu()->cpu_id;

    if (!hvm_ioreq_resume(v, regs))
        resume_guest(regs);     /* a device model's answer still owed: not runnable (ioreq.c) */
    vm->rip = regs->rip;
    vm->rsp = regs->rsp;
    vm->rflags = regs->rflags | X86_EFLAGS_MBS;
    vm->rax = regs->rax;
    svm_inject(v, vm);
    vm->tlb_control = TLB_CONTROL_FLUSH_ALL;    /* no flush-by-ASID under TCG */
    vm->clean = 0;
    TRACE(VMEXIT, VM_RESUME, vm->exitcode, 0, 0, 0);
    svm_vmrun(regs, __pa(vm), __pa(host_area[cpu]));
    regs->rip = vm->rip;
    regs->rsp = vm->rsp;
    regs->rflags = vm->rflags;
    regs->rax = vm->rax;
    regs->cs = vm->cs.sel;
    regs->ss = vm->ss.sel;
    vlapic_set_cr8(v, (unsigned int)(vm->vintr & VINTR_TPR_MASK));     /* the guest's MOV CR8 */
    vm->eventinj = 0;
    if (vm->exitintinfo & EVENTINJ_VALID) {
        unsigned int type = (vm->exitintinfo >> 8) & 7, vec = vm->exitintinfo & 0xff;
        /*
         * An event cut short by the exit is delivered again, except one an instruction raised
         * (INT n: type 4; INT3/INTO: exceptions 3 and 4). Re-injected, it would return to the
         * instruction (no NRIP under TCG to push the next RIP); dropped, the instruction simply
         * runs again, as Xen does without NRIP.
         */
        if (type != 4 && !(type == 3 && (vec == 3 || vec == 4)))
            vm->eventinj = vm->exitintinfo;
    }
    svm_exit(v, vm, regs);
    resume_guest(regs);     /* the common way back: scheduling, then here again */
}

void svm_domain_report(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;
    char line[400];
    size_t n;

    n = (size_t)snprintf(line, sizeof(line), "d%u (%s): HVM exits %lu:", d->domain_id, d->name,
                         (unsigned long)hd->exits_total);
    for (unsigned int r = 0; r < HVM_EXIT_NR && n < sizeof(line); r++)
        if (hd->exits[r])
            n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %lu", exit_names[r],
                                  (unsigned long)hd->exits[r]);
    if (hd->mmio_emulated && n < sizeof(line))
        snprintf(line + n, sizeof(line) - n, "; MMIO accesses emulated %lu",
                 (unsigned long)hd->mmio_emulated);
    printk("%s\n", line);
}

uint32_t svm_pick_asid(uint16_t domid)
{
    return 1 + domid % (svm_nr_asids - 1);      /* every VMRUN flushes: sharing one is harmless */
}
