/* sched_op: yield, refusals, and shutdown's argument checks (the domain survives them). */
#include "test.h"

const char test_title[] = "sched_op yield, unknown commands and bad pointers";

void test_main(void)
{
    struct sched_shutdown code = { SHUTDOWN_poweroff };

    CHECK_RC(HC2(sched_op, SCHEDOP_yield, 0), 0, "yield");
    CHECK_RC(HC2(sched_op, SCHEDOP_yield, 0x1000), 0, "yield ignores its argument");
    CHECK_RC(HC2(sched_op, 8, 0), -XEN_ENOSYS, "unknown sched_op 8");
    CHECK_RC(HC2(sched_op, 1000, 0), -XEN_ENOSYS, "unknown sched_op 1000");
    CHECK_RC(HC2(sched_op, SCHEDOP_shutdown, 0x1000), -XEN_EFAULT, "shutdown with an unmapped argument");
    CHECK_RC(HC2(sched_op, SCHEDOP_shutdown, HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "shutdown with a hypervisor-range argument");
    CHECK_RC(HC2(sched_op, SCHEDOP_shutdown_code, 0x1000), -XEN_EFAULT, "shutdown_code with an unmapped argument");
    CHECK_RC(HC2(sched_op, SCHEDOP_shutdown_code, &code), 0, "shutdown_code(poweroff)");
    test_success();
}
