/* iommu_blk_split: never runs; split.cfg boots the bundled kernel (kernel.elf) as both domains, driven by their shells. */
#include "test.h"

const char test_title[] = "blk_split_rw: blk_split_rw behind the IOMMU: blkback DMA on device-mapped grants";

void test_main(void)
{
    test_fail("split.cfg names the bundled kernel, not this test kernel");
}
