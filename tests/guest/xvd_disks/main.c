/*
 * xvd_disks: never runs; its configuration boots the bundled kernel only (see the .cfg
 * and the expect file).
 */
#include "test.h"

const char test_title[] = "xvd_disks: the configuration boots the bundled kernel only";

void test_main(void)
{
    test_fail("the test kernel itself was booted");
}
