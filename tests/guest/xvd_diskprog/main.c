/*
 * xvd_diskprog: never runs; progs.cfg boots the bundled kernel twice (the store and
 * driver domain, and a domU whose xvda is a program disk, docs/diskfs.md) and the
 * expect file checks that the domU lists the disk and runs a program that is not
 * built into its kernel from it, from the shell and from user mode (exec).
 */
#include "test.h"

const char test_title[] = "xvd_diskprog: the configuration boots the bundled kernel only";

void test_main(void)
{
    test_fail("the test kernel itself was booted");
}
