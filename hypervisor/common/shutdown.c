/* End of the run: report each domain's fate and power the machine off. */
#include "lib.h"
#include "trace.h"
#include "shutdown.h"
#include "domain.h"
#include "processor.h"
#include "console.h"
#include "perfc.h"
#include "mm.h"
#include "traps.h"
#include <tandem/sched.h>

static const char *const reason_names[] = {
    "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

const char *shutdown_reason_name(int r)
{
    return r >= 0 && r < (int)ARRAY_SIZE(reason_names) ? reason_names[r] : "unknown";
}

__noreturn void machine_halt(unsigned int code)
{
    local_irq_disable();
    trace_dump();               /* the trace buffers to the trace port, if there is one */
    console_flush();            /* the buffered tail of the log, the final report */
    outl(0xf4, code);           /* QEMU isa-debug-exit, if present */
    outw(0x604, 0x2000);        /* QEMU ACPI power-off (q35 / piix) */
    outw(0xb004, 0x2000);
    for (;;)
        __asm__ __volatile__("hlt");
}

__noreturn void machine_shutdown_report(void)
{
    unsigned int code = EXIT_ALL_POWEROFF;

    printk("No domains left running. Final report:\n");
    traps_report_counts(true);
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        printk("  d%u (%s): %s%s%s\n", d->domain_id, d->name,
               d->destroyed ? "destroyed" : shutdown_reason_name(d->shutdown_reason),
               d->crash_why[0] ? ": " : "", d->crash_why);
        perfc_dump_domain(d);
        if (d->shutdown_reason == SHUTDOWN_reboot && code == EXIT_ALL_POWEROFF)
            code = EXIT_REBOOT;
        else if (d->shutdown_reason != SHUTDOWN_poweroff && !d->destroyed)
            code = EXIT_SOME_CRASHED;    /* destroyed on request is not a crash */
    }
    domain_frames_report();
    if (opt_audit && mm_audit())
        code = EXIT_PANIC;
    printk("Tandem: powering off (%s)\n",
           code == EXIT_ALL_POWEROFF ? "all domains powered off cleanly" :
           code == EXIT_REBOOT ? "reboot requested" : "not every domain powered off cleanly");
    machine_halt(code);
}

__noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    char buf[256];

    local_irq_disable();
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk(XENLOG_ERR "\n****************************************\n");
    printk(XENLOG_ERR "Panic: %s\n", buf);
    printk(XENLOG_ERR "****************************************\n");
    machine_halt(EXIT_PANIC);
}
