/*
 * console_ring: output through the PV console ring (start_info console
 * page, Xen's io/console.h protocol, EVTCHNOP_send to kick) reaches the
 * console like console_io output does. One line goes only through the
 * ring, one only through console_io, and one identical line through both:
 * the console shows each exactly once (a line already shown from the other
 * source is dropped); the expect file's count lines check it.
 */
#include "test.h"
#include <tandem/io/console.h>

const char test_title[] = "PV console ring output";

void test_main(void)
{
    static const char both[] = "console_ring: the same line on both channels\n";
    const struct xencons_interface *r;

    if (!start_info->console.domU.mfn || !start_info->console.domU.evtchn) {
        test_fail("no console ring in start_info");
        return;
    }
    r = (const struct xencons_interface *)(0xffffffff80000000UL +
                                           mfn_to_pfn(start_info->console.domU.mfn) * PAGE_SIZE);

    console_use_ring(true);
    printk("console_ring: line A, ring only\n");
    console_write(both, sizeof(both) - 1);
    console_use_ring(false);

    CHECK_RC(HC3(console_io, CONSOLEIO_write, sizeof(both) - 1, both), 0, "console_io write");
    printk("console_ring: line B, console_io only\n");

    /* The back end consumed everything we produced (it drains on each kick). */
    for (int i = 0; i < 100 && r->out_cons != r->out_prod; i++)
        HC2(sched_op, SCHEDOP_yield, 0);
    if (r->out_cons != r->out_prod)
        test_fail("ring not drained: out_cons %u out_prod %u", r->out_cons, r->out_prod);
    test_success();
}
