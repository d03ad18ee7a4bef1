/* net_split: never runs; its configuration ($WORK/net.cfg, from net.cfg.in) boots the bundled kernel in three domains. */
#include "test.h"

const char test_title[] = "split network: two domUs through the driver domain's netback switch and uplink";

void test_main(void)
{
    test_fail("net.cfg names the bundled kernel, not this test kernel");
}
