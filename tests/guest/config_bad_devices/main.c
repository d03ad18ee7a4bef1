/* config_bad_devices: never runs; bad.cfg names it, and the hypervisor must refuse its vif= line. */
#include "test.h"

const char test_title[] = "a bad vif= stops the boot";

void test_main(void)
{
    test_fail("a domain was built from a configuration with a multicast vif MAC");
}
