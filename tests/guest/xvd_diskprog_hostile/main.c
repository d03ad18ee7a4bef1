/*
 * xvd_diskprog_hostile: never runs; hostile.cfg boots the bundled kernel twice (the
 * store and driver domain, and a domU with four damaged program disks) and the expect
 * file checks that each damage is refused with its message and the domU carries on.
 */
#include "test.h"

const char test_title[] = "xvd_diskprog_hostile: the configuration boots the bundled kernel only";

void test_main(void)
{
    test_fail("the test kernel itself was booted");
}
