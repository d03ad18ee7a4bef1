/*
 * vcpu_state: VCPUOP_is_up, get_runstate_info and
 * register_runstate_memory_area as Xen 4.19's common_vcpu_op answers them,
 * and the time records in shared_info (wallclock) and vcpu_info (pvclock).
 *   - the vCPU id is checked first: a vCPU the domain does not have is -ENOENT;
 *   - the runstate area must be guest address space (guest_handle_okay):
 *     else -EFAULT; an unmapped but guest address is accepted (later
 *     writes fail silently); Xen writes the area each time the vCPU is
 *     scheduled in (and at once on registration: runstate_area_now).
 */
#include "upcall.h"

const char test_title[] = "is_up, runstate info and area, pvclock and wallclock";

#define MS 1000000ULL

static long vcpu_op(unsigned int cmd, unsigned int id, void *arg) { return HC3(vcpu_op, cmd, id, arg); }

static struct vcpu_runstate_info area;

static void spin_ms(uint64_t ms)
{
    uint64_t end = evt_now() + ms * MS;
    while (evt_now() < end)
        ;
}

/* Sleep in SCHEDOP_block until VIRQ_TIMER fires `ms` from now (forces a context switch). */
static void sleep_ms(uint32_t tport, uint64_t ms)
{
    unsigned long n = upcalls.port_hits[tport];
    uint64_t limit = evt_now() + 2000 * MS;

    CHECK_RC(evt_set_timer(evt_now() + ms * MS), 0, "set_timer_op");
    while (upcalls.port_hits[tport] == n && evt_now() < limit) {
        evt_events_off();
        if (upcalls.port_hits[tport] != n)
            break;
        evt_block();
    }
    evt_events_off();
}

void test_main(void)
{
    struct vcpu_runstate_info r1, r2;
    struct vcpu_register_runstate_memory_area ra;
    const struct shared_info *s;
    const volatile struct vcpu_time_info *ti;
    uint64_t now, t0, before_block, total;
    uint32_t tport, ver;

    evt_map_shared_info();
    s = shared_info;
    ti = &evt_vcpu->time;
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &tport), 0, "bind_virq(TIMER)");
    CHECK_RC(evt_unmask(tport), 0, "unmask the timer port");

    /* is_up */
    CHECK_RC(vcpu_op(VCPUOP_is_up, 0, NULL), 1, "is_up(vCPU 0)");
    CHECK_RC(vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT, "is_up(vCPU 1): the domain has one vCPU");
    CHECK_RC(vcpu_op(VCPUOP_is_up, 0xffffffff, NULL), -XEN_ENOENT, "is_up(vCPU 0xffffffff)");
    CHECK_RC(vcpu_op(VCPUOP_up, 0, NULL), 0, "up(vCPU 0): already up");
    CHECK_RC(vcpu_op(VCPUOP_is_up, 0, NULL), 1, "is_up(vCPU 0) after up");
    CHECK_RC(vcpu_op(VCPUOP_up, 1, NULL), -XEN_ENOENT, "up(vCPU 1)");
    CHECK_RC(vcpu_op(VCPUOP_down, 1, NULL), -XEN_ENOENT, "down(vCPU 1)");
    CHECK_RC(vcpu_op(99, 1, NULL), -XEN_ENOENT, "unknown sub-op on vCPU 1: the id is checked first");
    CHECK_RC(vcpu_op(99, 0, NULL), -XEN_ENOSYS, "unknown sub-op 99 on vCPU 0");

    /* pvclock and wallclock */
    ver = ti->version;
    if (ver == 0 || (ver & 1))
        test_fail("pvclock version %u: want even, non-zero", ver);
    if (ti->tsc_to_system_mul == 0)
        test_fail("pvclock tsc_to_system_mul is 0");
    t0 = evt_now();
    spin_ms(2);
    now = evt_now();
    if (now <= t0)
        test_fail("system time did not advance: %lu then %lu", (unsigned long)t0, (unsigned long)now);
    if (s->wc_version & 1)
        test_fail("wc_version %u is odd outside an update", s->wc_version);
    if (s->wc_sec < 1577836800U || s->wc_sec_hi != 0)
        test_fail("wallclock %u s (hi %u): before 2020", s->wc_sec, s->wc_sec_hi);
    if (s->wc_nsec >= 1000000000U)
        test_fail("wc_nsec %u out of range", s->wc_nsec);
    printk("vcpu_state: wallclock %u s + system time %lu ms\n", s->wc_sec, (unsigned long)(now / MS));

    /* get_runstate_info */
    CHECK_RC(vcpu_op(VCPUOP_get_runstate_info, 0, &r1), 0, "get_runstate_info(vCPU 0)");
    if (r1.state != RUNSTATE_running)
        test_fail("runstate %d, want running (0)", r1.state);
    if (r1.state_entry_time > evt_now())
        test_fail("state_entry_time %lu is in the future", (unsigned long)r1.state_entry_time);
    if (r1.time[RUNSTATE_running] == 0)
        test_fail("no time accounted as running");
    spin_ms(5);
    CHECK_RC(vcpu_op(VCPUOP_get_runstate_info, 0, &r2), 0, "get_runstate_info again");
    if (r2.time[RUNSTATE_running] < r1.time[RUNSTATE_running] + 4 * MS)
        test_fail("running time grew by %lu us over 5 ms of work",
                  (unsigned long)((r2.time[RUNSTATE_running] - r1.time[RUNSTATE_running]) / 1000));
    total = r2.time[0] + r2.time[1] + r2.time[2] + r2.time[3];
    if (total > evt_now())
        test_fail("runstate times add up to %lu ns, more than the system time", (unsigned long)total);
    CHECK_RC(vcpu_op(VCPUOP_get_runstate_info, 0, (void *)0x1000), -XEN_EFAULT,
             "get_runstate_info to an unmapped address");
    CHECK_RC(vcpu_op(VCPUOP_get_runstate_info, 1, &r2), -XEN_ENOENT, "get_runstate_info(vCPU 1)");

    /* register_runstate_memory_area */
    ra.addr.v = HYPERVISOR_VIRT_START + 0x1000;
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), -XEN_EFAULT,
             "runstate area in the hypervisor range");
    ra.addr.v = 0x0000800000000000UL;
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), -XEN_EFAULT,
             "runstate area at a non-canonical address");
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)0x1000), -XEN_EFAULT,
             "register_runstate_memory_area from an unmapped argument");
    ra.addr.v = 0x2000;
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0,
             "runstate area at an unmapped guest address (accepted, writes are lost)");
    sleep_ms(tport, 5);

    memset(&area, 0xff, sizeof(area));
    ra.addr.v = (uint64_t)&area;
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0, "register the runstate area");
    /* Xen also writes it at once: tests/guest/runstate_area_now. */

    before_block = evt_now();
    sleep_ms(tport, 10);
    if (area.state != RUNSTATE_running)
        test_fail("runstate area after a block: state %d, want running", area.state);
    if (area.state_entry_time == ~0ULL || area.state_entry_time < before_block)
        test_fail("runstate area after a block: state_entry_time %#lx, want >= %#lx (scheduled in again)",
                  (unsigned long)area.state_entry_time, (unsigned long)before_block);
    if (area.time[RUNSTATE_blocked] == ~0ULL || area.time[RUNSTATE_blocked] < 5 * MS)
        test_fail("runstate area after 10 ms blocked: time[blocked] = %lu us",
                  (unsigned long)(area.time[RUNSTATE_blocked] / 1000));
    CHECK_RC(vcpu_op(VCPUOP_get_runstate_info, 0, &r2), 0, "get_runstate_info after blocking");
    if (r2.time[RUNSTATE_blocked] < 5 * MS)
        test_fail("get_runstate_info after 10 ms blocked: time[blocked] = %lu us",
                  (unsigned long)(r2.time[RUNSTATE_blocked] / 1000));
    ver = ti->version;
    if (ver & 1)
        test_fail("pvclock version %u odd after the vCPU was scheduled in", ver);

    /* Unregister (address 0): the old area is left alone afterwards. */
    ra.addr.v = 0;
    CHECK_RC(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0, "unregister the runstate area");
    memset(&area, 0xee, sizeof(area));
    sleep_ms(tport, 5);
    if (area.state_entry_time != 0xeeeeeeeeeeeeeeeeULL)
        test_fail("the runstate area was written after it was unregistered");
    test_success();
}
