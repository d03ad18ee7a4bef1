/* hvm_ne2k: never runs; its configuration ($WORK/net.cfg, from net.cfg.in) boots the bundled kernel and the native one. */
#include "test.h"

const char test_title[] = "the native kernel as an HVM guest on the device model's emulated NE2000: DHCP, ping, wget, httpd";

void test_main(void)
{
    test_fail("net.cfg names the bundled and the native kernels, not this test kernel");
}
