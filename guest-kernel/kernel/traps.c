/* Exception handlers: report and stop cleanly (a kernel fault powers off with 'crash'). */
#include "kernel.h"
#include "proc.h"
#include <tandem/callback.h>

extern char exc_0[], exc_1[], exc_3[], exc_4[], exc_5[], exc_6[], exc_7[], exc_8[], exc_10[],
            exc_11[], exc_12[], exc_13[], exc_14[], exc_16[], exc_17[], exc_19[];
extern char hypervisor_callback[], failsafe_callback[];

static const struct { uint8_t vec; void *fn; } handlers[] = {
    { 0, exc_0 }, { 1, exc_1 }, { 3, exc_3 }, { 4, exc_4 }, { 5, exc_5 }, { 6, exc_6 },
    { 7, exc_7 }, { 8, exc_8 }, { 10, exc_10 }, { 11, exc_11 }, { 12, exc_12 },
    { 13, exc_13 }, { 14, exc_14 }, { 16, exc_16 }, { 17, exc_17 }, { 19, exc_19 },
};

void do_exception(struct trap_frame *f);
void do_failsafe(void);

void do_exception(struct trap_frame *f)
{
    uint64_t cr2 = shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;

    if ((f->cs & 3) == 3 && user_fault(f, cr2))
        return;                 /* from user mode: demand paging, or the process was killed */
    if (f->vector == 3) {       /* int3: a debugging aid, resume */
        printk("kernel: breakpoint at %lx\n", (unsigned long)f->rip);
        return;
    }
    printk("kernel: exception %lu error %lx at rip %lx (cr2 %lx), thread %s\n",
           (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->rip,
           (unsigned long)cr2, current_thread ? current_thread->name : "-");
    shutdown(SHUTDOWN_crash);
}

void do_failsafe(void)
{
    printk("kernel: failsafe callback\n");
    shutdown(SHUTDOWN_crash);
}

void traps_init(void);

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
