/* C entry of every guest kernel: record start_info, then kernel_main(). */
#include "guest.h"

struct start_info *start_info;
struct shared_info *shared_info;

void guest_start(struct start_info *si);

void guest_start(struct start_info *si)
{
    start_info = si;
    kernel_main(si);
    shutdown(SHUTDOWN_poweroff);
}

__attribute__((noreturn)) void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { reason };

    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}
