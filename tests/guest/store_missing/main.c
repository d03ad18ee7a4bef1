/*
 * store_missing: the store domain fails to build (fail_step=build:1@0), so
 * no domain of missing.cfg may run: the store domain is refused by its
 * builder, the others because they would wait for it for ever. The
 * hypervisor says so, runs nothing, and every frame comes back.
 */
#include "test.h"

const char test_title[] = "store domain not built: the domains waiting for it are refused";

void test_main(void)
{
    test_fail("this domain should never have run");
}
