/* net_lwip: never runs; its configuration ($WORK/net.cfg, from net.cfg.in) boots the bundled kernel as the driver domain. */
#include "test.h"

const char test_title[] = "lwIP in the driver domain: DHCP, ping, wget from the host, the status page served to the host";

void test_main(void)
{
    test_fail("net.cfg names the bundled kernel, not this test kernel");
}
