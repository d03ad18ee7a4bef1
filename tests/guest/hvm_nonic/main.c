/* hvm_nonic: never runs; its configuration (nonic.cfg) boots the bundled kernel and the native one twice. */
#include "test.h"

const char test_title[] = "nic=: an HVM domain without it has no emulated NIC, one with nic=ne2000:mac= has that MAC";

void test_main(void)
{
    test_fail("nonic.cfg names the bundled and the native kernels, not this test kernel");
}
