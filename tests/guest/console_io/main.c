/* console_io: writes succeed, bad buffers get -EFAULT, unknown commands -ENOSYS. */
#include "test.h"

const char test_title[] = "console_io write and its refusals";

void test_main(void)
{
    static const char msg[] = "console_io: hello from the test kernel\n";

    CHECK_RC(HC3(console_io, CONSOLEIO_write, sizeof(msg) - 1, msg), 0, "write");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, 0, NULL), 0, "zero-length write");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, 16, 0x1000), -XEN_EFAULT, "write from an unmapped address");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, 16, HYPERVISOR_VIRT_START + 0x1000), -XEN_EFAULT,
             "write from the hypervisor range");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, 16, 0x0000800000000000UL), -XEN_EFAULT,
             "write from a non-canonical address");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, 16, 0x00007ffffffffff8UL), -XEN_EFAULT,
             "write crossing the end of the lower half");
    CHECK_RC(HC3(console_io, 7, 1, msg), -XEN_ENOSYS, "unknown command");
    test_success();
}
