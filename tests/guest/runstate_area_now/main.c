/*
 * runstate_area_now: a vCPU registering its own runstate area gets it
 * filled at once (Xen 4.19 common_vcpu_op: v == current, so
 * __copy_to_guest(runstate_guest(v), &v->runstate, 1)), not only at its
 * next context switch: the reader sees RUNSTATE_running straight away.
 * With VMASST_TYPE_runstate_update_flag the area is written the same way,
 * XEN_RUNSTATE_UPDATE set during the write and clear once it is done
 * (update_runstate_area).
 */
#include "upcall.h"

const char test_title[] = "register_runstate_memory_area writes the area at once";

static struct vcpu_runstate_info area;

void test_main(void)
{
    struct vcpu_register_runstate_memory_area ra = { .addr.v = (uint64_t)&area };
    uint64_t now;

    evt_map_shared_info();
    memset(&area, 0xff, sizeof(area));
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_runstate_memory_area, 0, &ra), 0, "register the runstate area");
    now = evt_now();
    if (area.state != RUNSTATE_running)
        test_fail("runstate area right after registration: state %d, want running (0)", area.state);
    if (area.state_entry_time == ~0ULL || area.state_entry_time > now)
        test_fail("runstate area right after registration: state_entry_time %#lx (now %#lx)",
                  (unsigned long)area.state_entry_time, (unsigned long)now);
    if (area.time[RUNSTATE_runnable] == ~0ULL || area.time[RUNSTATE_blocked] == ~0ULL ||
        area.time[RUNSTATE_offline] == ~0ULL)
        test_fail("runstate area right after registration: times not written");

    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0,
             "enable runstate_update_flag");
    memset(&area, 0xff, sizeof(area));
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_runstate_memory_area, 0, &ra), 0,
             "register the runstate area with runstate_update_flag");
    now = evt_now();
    if (area.state != RUNSTATE_running)
        test_fail("runstate_update_flag: state %d, want running (0)", area.state);
    if (area.state_entry_time & XEN_RUNSTATE_UPDATE)
        test_fail("runstate_update_flag: XEN_RUNSTATE_UPDATE still set after the write");
    else if (area.state_entry_time > now)
        test_fail("runstate_update_flag: state_entry_time %#lx (now %#lx)",
                  (unsigned long)area.state_entry_time, (unsigned long)now);
    if (area.time[RUNSTATE_offline] == ~0ULL)
        test_fail("runstate_update_flag: times not written");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_disable, VMASST_TYPE_runstate_update_flag), 0,
             "disable runstate_update_flag");
    test_success();
}
