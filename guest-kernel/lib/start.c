/* C entry of every guest kernel: record start_info, then kernel_main(). */
#include "guest.h"
#include <tandem/vcpu.h>

struct start_info *start_info;
struct shared_info *shared_info;

void guest_start(struct start_info *si);

/*
 * Xen starts every PV vCPU with a 100 Hz periodic VIRQ_TIMER. These kernels
 * time themselves with one-shot timers (a tick would look like their own
 * timer firing early), so, as Linux does at boot, they stop it on every vCPU
 * before kernel_main. A kernel that wants the default tick defines
 * guest_keep_default_tick = true (tests/guest/timer_default does).
 */
__attribute__((weak)) bool guest_keep_default_tick;     /* not const: gcc would fold a weak const */

static void stop_default_ticks(void)
{
    for (unsigned int id = 0; id < 4096; id++)
        if (HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, id, 0) == -XEN_ENOENT)
            break;      /* past the last vCPU */
}

void guest_start(struct start_info *si)
{
    start_info = si;
    if (!guest_keep_default_tick)
        stop_default_ticks();
    kernel_main(si);
    shutdown(SHUTDOWN_poweroff);
}

__attribute__((noreturn)) void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { reason };

    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}
