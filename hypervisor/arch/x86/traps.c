/*
 * Trap dispatch. Hypervisor faults are fatal (with a full dump) unless an
 * exception-table fixup covers them (checked guest copies, selector and FPU
 * state loads: whatever a guest value can make fault); guest faults go to
 * the PV layer, which bounces or kills the domain, never the hypervisor.
 * NMIs are counted (and, with nmi=dom0, reported to the hardware domain
 * from the next timer tick); #DB in hypervisor context is survived.
 */
#include "lib.h"
#include "traps.h"
#include "cpu.h"
#include "processor.h"
#include "time.h"
#include "domain.h"
#include "sched.h"
#include "console.h"
#include "irq.h"
#include "pci.h"
#include "arch_hooks.h"

const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
    "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV", "#VC", "#SX", "reserved 31",
};

BUILD_BUG_ON(sizeof(struct cpu_user_regs) != REGS_SIZE);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, error_code) != 120);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, rip) != 128);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, cs) != 136);

struct ex_entry { uint64_t insn, fixup; };
extern const struct ex_entry __ex_table_start[], __ex_table_end[];
extern char iret_to_guest[], sysenter_entry[], sysenter_eflags_saved[];

/*
 * Vectors an instruction the hypervisor runs on a guest-controlled value can
 * raise, and so the exception table is consulted for: a selector load of a
 * descriptor the guest made not present (#NP) or bad (#GP), a stack-segment
 * load (#SS), a guest access (#PF), an FPU/SSE state restore or the next
 * x87/SSE instruction after one (#MF, #XM).
 */
static bool fixup_vector(unsigned int v)
{
    return v == 11 || v == 12 || v == 13 || v == 14 || v == 16 || v == 19;
}

/* Platform NMIs since boot, and how many the timer has reported (NMI context never prints). */
static volatile unsigned long nmi_count, nmi_in_guest;
/* _XEN_NMIREASON_* bits of NMIs not yet forwarded to the hardware domain (nmi=dom0). */
static uint64_t nmi_reasons_pending;
static bool nmi_to_hwdom = true;
#define NMIREASON_IO_ERROR  (1UL << 0)      /* Xen's _XEN_NMIREASON_io_error */
#define NMIREASON_PCI_SERR  (1UL << 1)
#define NMIREASON_UNKNOWN   (1UL << 2)
static unsigned long nmi_reported;
/* #DB in hypervisor context (guest breakpoints), reported the same way. */
static volatile unsigned long db_in_hv;
static unsigned long db_reported;

/* A count worth a line: changed, and at the final report or doubled (bounds the log). */
static bool count_due(unsigned long n, unsigned long reported, bool final)
{
    return n != reported && (final || n >= 2 * reported);
}

/* From the timer interrupt and the final report: what the IST handlers counted. */
void traps_report_counts(bool final)
{
    unsigned long n = nmi_count;

    if (count_due(n, nmi_reported, final)) {
        nmi_reported = n;
        printk(XENLOG_WARNING "NMI received: %lu since boot, %lu in guest mode (platform NMI, %s)\n",
               n, nmi_in_guest, nmi_to_hwdom ? "nmi=dom0: to the driver domain if any" : "ignored");
    }
    n = db_in_hv;
    if (count_due(n, db_reported, final)) {
        db_reported = n;
        printk(XENLOG_INFO "#DB in hypervisor context: %lu since boot (guest breakpoints or single steps, ignored)\n",
               n);
    }
}

void traps_set_nmi_mode(const char *mode)
{
    if (strcmp(mode, "dom0") && strcmp(mode, "ignore"))
        printk(XENLOG_WARNING "nmi=%s: not dom0 or ignore; using dom0\n", mode);
    nmi_to_hwdom = strcmp(mode, "ignore") != 0;
}

/*
 * From the timer interrupt: as Xen's nmi_hwdom_report, the reasons go to
 * the hardware domain's shared_info and its vCPU 0 gets one virtual NMI
 * (delivered through its NMI callback, if it registered one).
 */
void traps_forward_nmis(void)
{
    uint64_t reasons = __atomic_exchange_n(&nmi_reasons_pending, 0, __ATOMIC_SEQ_CST);
    struct domain *d = pci_driver_domain();

    if (!reasons || !d || d->state != DOM_RUNNING || !d->vcpu[0])
        return;
    __atomic_fetch_or(&d->shared_info->arch.nmi_reason, reasons, __ATOMIC_SEQ_CST);
    if (arch_vcpu_raise_nmi(d->vcpu[0]))
        vcpu_wake(d->vcpu[0]);
}

static uint64_t search_ex_table(uint64_t rip)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}

static void dump_regs_common(const struct cpu_user_regs *r)
{
    /* A frame saved by SYSCALL (a hypercall, or a guest user's system call) has no vector. */
    if (r->entry_vector == ENTRY_SYSCALL)
        printk(XENLOG_ERR "RIP: %04lx:%016lx  RFLAGS: %016lx  entry: syscall (from kernel mode: hypercall rax %lu)\n",
               (unsigned long)r->cs, (unsigned long)r->rip, (unsigned long)r->rflags, r->rax);
    else
        printk(XENLOG_ERR "RIP: %04lx:%016lx  RFLAGS: %016lx  vector %u error %08x\n",
               (unsigned long)r->cs, (unsigned long)r->rip, (unsigned long)r->rflags,
               r->entry_vector, r->error_code);
    printk(XENLOG_ERR "RSP: %04lx:%016lx\n", (unsigned long)r->ss, (unsigned long)r->rsp);
    printk(XENLOG_ERR "rax: %016lx  rbx: %016lx  rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    printk(XENLOG_ERR "rdx: %016lx  rsi: %016lx  rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk(XENLOG_ERR "rbp: %016lx  r8:  %016lx  r9:  %016lx\n", r->rbp, r->r8, r->r9);
    printk(XENLOG_ERR "r10: %016lx  r11: %016lx  r12: %016lx\n", r->r10, r->r11, r->r12);
    printk(XENLOG_ERR "r13: %016lx  r14: %016lx  r15: %016lx\n", r->r13, r->r14, r->r15);
    printk(XENLOG_ERR "cr0: %016lx  cr2: %016lx  cr3: %016lx  cr4: %016lx\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void show_registers(const struct cpu_user_regs *r)
{
    uint64_t stack_lo, stack_hi, fp;

    dump_regs_common(r);
    printk(XENLOG_ERR "Backtrace:\n");
    printk(XENLOG_ERR "  [<%016lx>]\n", (unsigned long)r->rip);
    stack_lo = r->rsp & ~(uint64_t)(STACK_SIZE - 1);
    stack_hi = stack_lo + STACK_SIZE;
    fp = r->rbp;
    for (int i = 0; i < 16 && fp >= stack_lo && fp + 16 <= stack_hi && !(fp & 7); i++) {
        uint64_t *frame = (uint64_t *)fp;
        printk(XENLOG_ERR "  [<%016lx>]\n", (unsigned long)frame[1]);
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
}

void show_guest_registers(const struct cpu_user_regs *r)
{
    dump_regs_common(r);
}

static __noreturn void fatal_trap(struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;

    printk(XENLOG_ERR "****************************************\n");
    printk(XENLOG_ERR "FATAL TRAP in hypervisor: vector %u (%s), error code %#x\n",
           v, v < 32 ? exception_names[v] : "interrupt", regs->error_code);
    if (v == 14)
        printk(XENLOG_ERR "Page fault at %016lx (%s %s %s)\n", read_cr2(),
               regs->error_code & 1 ? "protection" : "not-present",
               regs->error_code & 2 ? "write" : "read",
               regs->error_code & 16 ? "ifetch" : "");
    show_registers(regs);
    panic("fatal trap %u in hypervisor", v);
}

static void do_irq(struct cpu_user_regs *regs)
{
    switch (regs->entry_vector) {
    case TIMER_VECTOR:
        apic_eoi();
        traps_report_counts(false);
        traps_forward_nmis();
        timer_interrupt();
        break;
    case SPURIOUS_VECTOR:
        break;
    default:
        irq_handle_vector(regs->entry_vector);     /* device vectors (irq.c), acked there */
    }
}

/*
 * #DB in hypervisor context, always on its IST stack: the guest's debug
 * registers are live, so a guest data breakpoint fires while the hypervisor
 * copies guest memory, or right at syscall_entry/sysenter_entry when the
 * guest deferred it with `mov ss` (XSA-260). Nothing to do but carry on, as
 * Xen does. The guest's TF survives SYSENTER: let sysenter_entry step until
 * it has saved the guest's flags, then clear TF in the frame we return to.
 */
static void debug_in_hypervisor(struct cpu_user_regs *regs)
{
    uint64_t dr6, dr7;

    db_in_hv++;
    __asm__ __volatile__("mov %%dr6, %0; mov %%dr7, %1" : "=r"(dr6), "=r"(dr7));
    if ((regs->rflags & X86_EFLAGS_TF) &&
        (regs->rip < (uint64_t)sysenter_entry || regs->rip >= (uint64_t)sysenter_eflags_saved))
        regs->rflags &= ~X86_EFLAGS_TF;
    /* An instruction breakpoint on hypervisor code would fire forever: drop them all. */
    for (unsigned int bp = 0; bp < 4; bp++)
        if ((dr6 & (1U << bp)) && (dr7 & (3U << (bp * 2))) && !((dr7 >> (16 + bp * 4)) & 3))
            __asm__ __volatile__("mov %0, %%dr7" :: "r"(0x400UL));
    __asm__ __volatile__("mov %0, %%dr6" :: "r"(0xffff0ff0UL));
}

__pv_fast void do_trap(struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;
    uint64_t fix;

    /* int $0x80 (a DPL-3 gate) from a guest is the guest's, not an IRQ. */
    if (v >= 32 && !(v == 0x80 && guest_mode(regs))) {
        do_irq(regs);
        return;
    }
    /*
     * NMI, #MC and #DF belong to the hypervisor, whichever mode they hit. An
     * NMI can interrupt anything, printk's lock included: it only counts
     * (and reads the NMI status port, as the platform expects).
     */
    if (v == 2) {
        uint8_t reason = inb(0x61);

        nmi_count++;
        if (nmi_to_hwdom)
            __atomic_fetch_or(&nmi_reasons_pending,
                              (reason & 0x80) ? NMIREASON_PCI_SERR :
                              (reason & 0x40) ? NMIREASON_IO_ERROR : NMIREASON_UNKNOWN, __ATOMIC_SEQ_CST);
        if (guest_mode(regs))
            nmi_in_guest++;
        return;
    }
    if (v == 8 || v == 18)
        fatal_trap(regs);
    /* A PV vCPU's LDT page not mapped yet (in either mode): pv/ldt.c. */
    if (v == 14 && pv_ldt_fault(regs, read_cr2()))
        return;
    if (guest_mode(regs)) {
        pv_guest_exception(regs);
        return;
    }
    if (v == 1) {
        debug_in_hypervisor(regs);
        return;
    }
    /* A fault on the iretq back to a guest is the guest's frame's fault: delivered to it. */
    if (regs->rip == (uint64_t)iret_to_guest && current)
        pv_iret_fault(regs);
    if (fixup_vector(v) && (fix = search_ex_table(regs->rip))) {
        regs->rip = fix;
        return;
    }
    fatal_trap(regs);
}
