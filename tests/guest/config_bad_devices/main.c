/*
 * config_bad_devices: never runs; bad.cfg and the others name it, and the hypervisor (or
 * tandem-run, for a region past its image's end) must refuse them.
 */
#include "test.h"

const char test_title[] = "a bad vif= or disk= stops the boot";

void test_main(void)
{
    test_fail("a domain was built from a configuration with a bad vif= or disk=");
}
