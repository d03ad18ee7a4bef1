/* sched_cap: the sched_weights kernel with a capped domain (see cap.cfg); this kernel only fills the directory. */
#include "test.h"

const char test_title[] = "scheduler cap (boots sched_weights.elf through cap.cfg)";

void test_main(void)
{
    test_error("boot cap.cfg, which runs sched_weights.elf");
    test_success();
}
