/* blk_back_states: never runs; states.cfg boots the bundled kernel (kernel.elf) as both domains, driven by their shells. */
#include "test.h"

const char test_title[] = "blk_back_states: the back end's handshake against a frontend driven by hand";

void test_main(void)
{
    test_fail("states.cfg names the bundled kernel, not this test kernel");
}
