/* net_split_hostile: never runs; its configuration (hostile.cfg) boots the bundled kernel in six domains. */
#include "test.h"

const char test_title[] = "split network: hostile frontends against the driver domain's netback service";

void test_main(void)
{
    test_fail("hostile.cfg names the bundled kernel, not this test kernel");
}
