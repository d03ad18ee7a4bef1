/*
 * The PV platform's side of include/platform.h that is not events.c's
 * (interrupt flag, system time): trap table and callbacks, the syscall
 * callback, the address-space switch, idle, and what the shell reports.
 */
#include "proc.h"
#include <tandem/callback.h>
#include <tandem/version.h>

extern char exc_0[], exc_1[], exc_3[], exc_4[], exc_5[], exc_6[], exc_7[], exc_8[], exc_10[],
            exc_11[], exc_12[], exc_13[], exc_14[], exc_16[], exc_17[], exc_19[];
extern char hypervisor_callback[], failsafe_callback[], syscall_callback[];

static const struct { uint8_t vec; void *fn; } handlers[] = {
    { 0, exc_0 }, { 1, exc_1 }, { 3, exc_3 }, { 4, exc_4 }, { 5, exc_5 }, { 6, exc_6 },
    { 7, exc_7 }, { 8, exc_8 }, { 10, exc_10 }, { 11, exc_11 }, { 12, exc_12 },
    { 13, exc_13 }, { 14, exc_14 }, { 16, exc_16 }, { 17, exc_17 }, { 19, exc_19 },
};

void do_failsafe(void);

void do_failsafe(void)
{
    printk("kernel: failsafe callback\n");
    shutdown(SHUTDOWN_crash);
}

void traps_init(void)
{
    struct trap_info table[ARRAY_SIZE(handlers) + 1];
    struct callback_register ev = { .type = CALLBACKTYPE_event,
                                    .address = (uint64_t)hypervisor_callback };
    struct callback_register fs = { .type = CALLBACKTYPE_failsafe,
                                    .address = (uint64_t)failsafe_callback };

    memset(table, 0, sizeof(table));
    for (unsigned i = 0; i < ARRAY_SIZE(handlers); i++) {
        table[i].vector = handlers[i].vec;
        table[i].flags = handlers[i].vec == 3 ? 3 : 0;     /* int3 from anywhere */
        if (handlers[i].vec == 14)
            table[i].flags |= 4;    /* #PF masks events: cr2 in vcpu_info stays ours until read */
        table[i].cs = FLAT_KERNEL_CS;
        table[i].address = (uint64_t)handlers[i].fn;
    }
    if (HYPERVISOR_set_trap_table(table) || HYPERVISOR_callback_op(CALLBACKOP_register, &ev) ||
        HYPERVISOR_callback_op(CALLBACKOP_register, &fs)) {
        printk("kernel: cannot install trap table / callbacks\n");
        shutdown(SHUTDOWN_crash);
    }
}

/* #PF masks events (traps_init), so the cr2 in vcpu_info is still this fault's. */
uint64_t arch_fault_addr(void)
{
    return shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
}

void syscall_init(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
                                    .address = (uint64_t)syscall_callback };
    long rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);

    if (rc)
        kernel_panic("cannot register the syscall callback (%ld)", rc);
}

/* Two L4s per address space (kernel and user), pinned; the kernel stack for entries from user mode. */
void mm_switch(struct mm *mm, uint64_t kstack_top)
{
    struct mmuext_op ops[2] = {
        { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = pfn_to_mfn(mm ? mm->kl4 : mm_boot_l4_pfn) },
        { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = mm ? pfn_to_mfn(mm->ul4) : 0 },
    };
    struct multicall_entry mc[2];
    unsigned n = 0;

    memset(mc, 0, sizeof(mc));
    if (mm != active_mm) {
        mc[n].op = __HYPERVISOR_mmuext_op;
        mc[n].args[0] = (uint64_t)ops;
        mc[n].args[1] = 2;
        mc[n].args[3] = DOMID_SELF;
        n++;
    }
    if (kstack_top) {
        mc[n].op = __HYPERVISOR_stack_switch;
        mc[n].args[0] = FLAT_KERNEL_SS;
        mc[n].args[1] = kstack_top;
        n++;
    }
    if (!n)
        return;
    if (HYPERVISOR_multicall(mc, n) || mc[0].result || (n > 1 && mc[1].result))
        kernel_panic("address-space switch failed: %ld %ld", (long)mc[0].result, (long)mc[1].result);
    active_mm = mm;
}

void arch_idle(uint64_t wake_at)
{
    kcounters.blocks++;
    kcounters.hypercalls += 2;
    HYPERVISOR_set_timer_op(wake_at);           /* 0: none (cancels) */
    HYPERVISOR_sched_op(SCHEDOP_block, 0);      /* returns with events enabled */
}

uint64_t arch_wallclock_sec(void)
{
    return shared_info->wc_sec + system_time_ns() / 1000000000UL;
}

void arch_print_version(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, 0);

    printk("hypervisor %ld.%ld\n", v >> 16, v & 0xffff);
}
