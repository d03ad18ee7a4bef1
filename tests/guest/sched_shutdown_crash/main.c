/* sched_shutdown_crash: SCHEDOP_shutdown(crash) is the guest reporting its own crash. */
#include "test.h"

const char test_title[] = "SCHEDOP_shutdown(crash)";

void test_main(void)
{
    struct sched_shutdown s = { SHUTDOWN_crash };
    long rc;

    printk("sched_shutdown: reporting a crash now\n");
    rc = HC2(sched_op, SCHEDOP_shutdown, &s);
    test_fail("SCHEDOP_shutdown(crash) returned %ld", rc);
}
