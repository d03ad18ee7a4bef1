/* sched_shutdown_reboot: SCHEDOP_shutdown(reboot) ends the domain asking for a reboot. */
#include "test.h"

const char test_title[] = "SCHEDOP_shutdown(reboot)";

void test_main(void)
{
    struct sched_shutdown s = { SHUTDOWN_reboot };
    long rc;

    printk("sched_shutdown: rebooting now\n");
    rc = HC2(sched_op, SCHEDOP_shutdown, &s);
    test_fail("SCHEDOP_shutdown(reboot) returned %ld", rc);
}
