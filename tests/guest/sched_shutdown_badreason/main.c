/*
 * sched_shutdown_badreason: Xen does not validate the reason. do_sched_op
 * passes (u8)reason to domain_shutdown(), which records it as the shutdown
 * code and stops the domain: the call does not return, and the toolstack
 * sees an unknown reason (99). Tandem reports that as "not powered off".
 */
#include "test.h"

const char test_title[] = "SCHEDOP_shutdown with an unknown reason (99)";

void test_main(void)
{
    struct sched_shutdown s = { 99 };
    long rc;

    printk("sched_shutdown: shutting down with reason 99\n");
    rc = HC2(sched_op, SCHEDOP_shutdown, &s);
    test_fail("SCHEDOP_shutdown(99) returned %ld", rc);
}
