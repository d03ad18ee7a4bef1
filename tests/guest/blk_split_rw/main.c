/* blk_split_rw: never runs; split.cfg boots the bundled kernel (kernel.elf) as both domains, driven by their shells. */
#include "test.h"

const char test_title[] = "blk_split_rw: a domU's disk served by the driver domain's blkback over blkif";

void test_main(void)
{
    test_fail("split.cfg names the bundled kernel, not this test kernel");
}
