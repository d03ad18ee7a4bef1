/* hvm_ne2k_hostile: never runs; its configuration (hostile.cfg) boots the bundled kernel and the native one. */
#include "test.h"

const char test_title[] = "the emulated NE2000 programmed by a hostile HVM guest: documented answers, the card works after";

void test_main(void)
{
    test_fail("hostile.cfg names the bundled and the native kernels, not this test kernel");
}
