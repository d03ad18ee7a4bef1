/*
 * driver_dies_mid_io: never runs; dies.cfg boots the bundled kernel twice (a control
 * domain and a driver domain doing block I/O), and the expect file checks what the
 * hypervisor does when the driver domain is destroyed with requests in flight.
 */
#include "test.h"

const char test_title[] = "driver_dies_mid_io: the configuration boots the bundled kernel only";

void test_main(void)
{
    test_fail("the test kernel itself was booted");
}
