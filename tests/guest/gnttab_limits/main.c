/*
 * gnttab_limits: runs tests/guest/gnttab_maptrack under a configuration
 * giving max_grant_frames=2 and max_maptrack_frames=3 (limits.cfg): the
 * table grows to 2 frames, not 3; the 385th mapping is GNTST_no_space.
 * This kernel itself is not booted.
 */
#include "test.h"

const char test_title[] = "grant limits from the configuration (see limits.cfg)";

void test_main(void)
{
    test_success();
}
