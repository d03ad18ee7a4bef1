/* iommu_virtio_net: never runs; its config boots the bundled kernel as the driver domain (see expect). */
#include "test.h"

const char test_title[] = "virtio-net in the driver domain behind intel-iommu (iommu_platform=on)";

void test_main(void)
{
    test_fail("the config names the bundled kernel, not this test kernel");
}
