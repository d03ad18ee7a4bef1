/*
 * xvd_backend_closes: never runs; its configuration boots the bundled kernel only (see the .cfg
 * and the expect file).
 */
#include "test.h"

const char test_title[] = "xvd_backend_closes: the configuration boots the bundled kernel only";

void test_main(void)
{
    test_fail("the test kernel itself was booted");
}
