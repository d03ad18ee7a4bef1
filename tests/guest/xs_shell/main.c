/* xs_shell: never runs; xs.cfg boots the bundled kernel (kernel.elf) twice, driven by its shell. */
#include "test.h"

const char test_title[] = "the store's shell commands in the store domain and a client domain";

void test_main(void)
{
    test_fail("xs.cfg names the bundled kernel, not this test kernel");
}
