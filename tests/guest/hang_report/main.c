/*
 * hang_report: a kernel that never ends, so tools/tandem-run times out; before
 * it kills QEMU it types 'w' on the hypervisor's debug-key port and the hang
 * report must say why the domain waits: its SCHEDOP_shutdown calls refused
 * (-EFAULT, as a kernel looping on a failed shutdown makes them), the vCPU
 * polling its masked, pending timer port, the one-shot deadline, the ports.
 * No result line: the expect file checks the report (exit 124).
 */
#include "upcall.h"

const char test_title[] = "hang_report: what tandem-run prints when a run times out";

void test_main(void)
{
    uint32_t tport, ipi;

    evt_map_shared_info();
    if (evt_bind_virq(VIRQ_TIMER, &tport) || evt_bind_ipi(&ipi)) {
        test_error("cannot bind the timer and an IPI port");
        return;
    }
    evt_mask(ipi);
    (void)evt_send(ipi);                /* masked and pending: shown as such */
    /* SCHEDOP_shutdown with an unreadable struct: refused with -EFAULT each time. */
    for (int i = 0; i < 5; i++)
        (void)HC2(sched_op, SCHEDOP_shutdown, (void *)0x1000);
    (void)evt_set_timer(evt_now() + 3600ULL * 1000000000ULL);
    printk("hang_report: now waiting for ever\n");
    for (;;)
        (void)evt_poll(&tport, 1, 0);   /* nothing ever arrives: the tick is stopped */
}
