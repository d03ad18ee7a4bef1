/*
 * Hostile image for the domain builder (run by tests/run-tests through
 * hostile.cfg): VIRT_BASE 4 MiB below the end of the hypervisor range and the
 * kernel loaded just above it (kernel.ld, notes.S), so only the boot region's
 * start lies in Xen's range. Every segment is clear of the hole, so libelf
 * accepts it; the builder must refuse the layout, before writing a page-table
 * entry, with a message naming the overlap. This code never runs.
 */
#include "test.h"

const char test_title[] = "builder attack: a boot region starting in the hypervisor range";

void test_main(void)
{
    test_fail("the builder accepted a boot region that starts in the hypervisor range");
}
