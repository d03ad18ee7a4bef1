/* virtio_net_ping: never runs; ping.cfg boots the bundled kernel (kernel.elf) as the driver domain, driven by its shell. */
#include "test.h"

const char test_title[] = "virtio-net in the driver domain: ARP and ICMP echo to QEMU's user-network gateway";

void test_main(void)
{
    test_fail("ping.cfg names the bundled kernel, not this test kernel");
}
