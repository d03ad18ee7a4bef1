/*
 * A segment selector the guest made invalid while it was loaded (its GDT
 * entry zeroed): the reload on the next context switch raises #GP, and the
 * hypervisor delivers the failsafe callback instead of faulting itself.
 * seg_reload_np is the #NP case.
 */
#include "test.h"
#include "failsafe_reload.h"

const char test_title[] = "failsafe callback when a stale selector cannot be reloaded";

void test_main(void)
{
    failsafe_reload_run(0, "update_descriptor (zeroed)");
}
