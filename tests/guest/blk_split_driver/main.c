/* blk_split_driver: never runs; driver.cfg boots the bundled kernel (kernel.elf) as all three domains, driven by their shells. */
#include "test.h"

const char test_title[] = "blk_split_driver: blkback in a driver domain that is neither privileged nor the store domain";

void test_main(void)
{
    test_fail("driver.cfg names the bundled kernel, not this test kernel");
}
