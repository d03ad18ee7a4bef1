/* The bundled Tandem guest kernel: traps, events, timer, threads, a shell. */
#include "kernel.h"
#include "proc.h"
#include <tandem/version.h>
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>

void traps_init(void);

static void timer_event(uint32_t port)
{
    (void)port;
    jiffies++;
    current_thread->ticks++;
    need_resched = true;
}

static void timer_init(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_set_periodic_timer pt = { .period_ns = 10000000 };     /* 100 Hz */

    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv) ||
        HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &pt)) {
        printk("kernel: cannot set up the timer\n");
        shutdown(SHUTDOWN_crash);
    }
    bind_evtchn(bv.port, timer_event);
}

void kernel_main(struct start_info *si)
{
    long ver = HYPERVISOR_xen_version(XENVER_version, 0);
    char extra[16] = "";

    HYPERVISOR_xen_version(XENVER_extraversion, extra);
    printk("Tandem guest kernel on a Xen-compatible hypervisor %ld.%ld%s\n",
           ver >> 16, ver & 0xffff, extra);
    printk("start_info: %lu pages, cmdline '%s'\n", (unsigned long)si->nr_pages, si->cmd_line);
    traps_init();
    events_init();
    mm_init();          /* page allocator, kernel map of all memory (proc.h) */
    proc_init();        /* the syscall callback for user processes */
    console_use_ring(true);
    sched_init();
    timer_init();
    console_input_init();
    kernel_start_threads(si->cmd_line);     /* mode=shell (default) or mode=worker: modes.c */
    events_enable();
    idle_loop();
}
