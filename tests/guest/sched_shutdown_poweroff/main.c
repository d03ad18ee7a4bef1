/* sched_shutdown_poweroff: SCHEDOP_shutdown(poweroff) mid-test ends the domain cleanly, never returning. */
#include "test.h"

const char test_title[] = "SCHEDOP_shutdown(poweroff)";

void test_main(void)
{
    struct sched_shutdown s = { SHUTDOWN_poweroff };
    long rc;

    printk("sched_shutdown: powering off now\n");
    rc = HC2(sched_op, SCHEDOP_shutdown, &s);
    test_fail("SCHEDOP_shutdown(poweroff) returned %ld", rc);
}
