/*
 * dom_memory: a domain asks for more memory than its configuration allows
 * (increase_reservation beyond maxmem). It gets exactly up to maxmem and
 * is refused after that, without harm: it can give memory back and take
 * it again, and the other domain, running the same way with no headroom
 * at all, is refused from the start and carries on. The final report must
 * show every frame returned. Configuration: memory.cfg.
 */
#include "multidom.h"
#include <tandem/memory.h>

const char test_title[] = "a domain that exceeds its memory is refused, others carry on";

static uint64_t frames[1024];

static long reservation(unsigned int cmd, uint64_t n)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)frames, .nr_extents = n,
                                        .domid = DOMID_SELF };

    return HC2(memory_op, cmd, &r);
}

void test_main(void)
{
    domid_t self = DOMID_SELF;
    long cur = HC2(memory_op, XENMEM_current_reservation, &self);
    long max = HC2(memory_op, XENMEM_maximum_reservation, &self);
    unsigned long want = md_arg_ul("headroom", 0);
    long got;

    md_init();
    printk("memory: %ld pages, limit %ld; asking for %u more\n", cur, max, 1000);
    if (cur <= 0 || max < cur || (unsigned long)(max - cur) != want)
        test_fail("reservation %ld of %ld, want %lu pages of headroom", cur, max, want);
    got = reservation(XENMEM_increase_reservation, 1000);
    if (got != (long)want)
        test_fail("increase_reservation(1000) gave %ld pages, want the %lu left", got, want);
    CHECK_RC(reservation(XENMEM_increase_reservation, 1), 0, "increase_reservation at the limit");
    CHECK_RC(HC2(memory_op, XENMEM_current_reservation, &self), max, "current_reservation at the limit");
    if (got > 0) {
        CHECK_RC(reservation(XENMEM_decrease_reservation, (uint64_t)got), got, "give them back");
        CHECK_RC(HC2(memory_op, XENMEM_current_reservation, &self), cur, "current_reservation after");
        CHECK_RC(reservation(XENMEM_increase_reservation, (uint64_t)got), got, "take them again");
    }
    md_events_on();
    md_sleep_ns(MD_MS(50));         /* both domains are past their refusals and still run */
    printk("memory: refused beyond %ld pages, still running\n", max);
    test_success();
}
