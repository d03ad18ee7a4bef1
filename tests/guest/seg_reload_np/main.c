/*
 * Hostile (security issue 9, item 4): a data descriptor made not present
 * (P clear, still a data type) while its selector is loaded in fs. The
 * reload on the next context switch raises #NP(0x8), not #GP: the
 * hypervisor's fix-up must cover that vector too and deliver the failsafe
 * callback instead of panicking. failsafe_segments is the #GP case.
 */
#include "test.h"
#include "failsafe_reload.h"

const char test_title[] = "#NP on the selector reload (not-present data descriptor) gives the failsafe callback";

void test_main(void)
{
    failsafe_reload_run(0x00cf72000000ffffULL, "update_descriptor (not present)");
}
