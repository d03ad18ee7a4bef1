/*
 * Exception handlers: report and stop cleanly (a kernel fault powers off with
 * 'crash'). The platform's traps_init installs the entry points that land here.
 */
#include "kernel.h"
#include "proc.h"

void do_exception(struct trap_frame *f);

void do_exception(struct trap_frame *f)
{
    uint64_t cr2 = arch_fault_addr();

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

