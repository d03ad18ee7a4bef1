/* virtio_blk_rw: never runs; rw.cfg boots the bundled kernel (kernel.elf) as the driver domain, driven by its shell. */
#include "test.h"

const char test_title[] = "virtio-blk in the driver domain: the host's sectors read, the guest's found in the image";

void test_main(void)
{
    test_fail("rw.cfg names the bundled kernel, not this test kernel");
}
