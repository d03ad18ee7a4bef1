/* config_bad: never runs; bad.cfg names it, and the hypervisor must refuse the configuration. */
#include "test.h"

const char test_title[] = "a bad domain configuration stops the boot";

void test_main(void)
{
    test_fail("a domain was built from a bad configuration");
}
