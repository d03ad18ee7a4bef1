/*
 * refusals_debug (with loglvl=debug) and refusals_quiet (the same kernel,
 * default loglvl): refused hypercalls, each with the answer Xen gives; with
 * loglvl=debug the hypervisor logs one line per refusal naming the domain,
 * the call, its arguments and the rule (docs/error-handling.md "Refusals
 * with loglvl=debug"), rate-limited; without it, nothing. The expect files
 * check the lines.
 */
#include "pt.h"
#include "gnttab.h"
#include "upcall.h"
#include <tandem/version.h>
#include <tandem/event_channel.h>

const char test_title[] = "refused hypercalls, and the lines loglvl=debug logs for them";

void test_main(void)
{
    struct evtchn_send send = { .port = 999 };
    struct gnttab_map_grant_ref map = { .ref = 100000, .dom = DOMID_SELF, .flags = GNTMAP_host_map };
    int slot;

    if (!pt_init())
        return;
    evt_map_shared_info();
    /* An L1 entry mapping a page table (the boot L1) writable: -EBUSY. */
    slot = pt_alloc_slot();
    CHECK_RC(mmu_update1(pt_maddr(pt_scratch_l1, (unsigned int)slot), (pt_l1[0] << 12) | L1_FLAGS_RW),
             -XEN_EBUSY, "mmu_update: an L1 entry mapping an L1 table writable");
    CHECK_RC(uvm(0xffff830000000000ULL, 0, UVMF_INVLPG), -XEN_EINVAL,
             "update_va_mapping of a hypervisor-range va");
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_send, &send), -XEN_EINVAL, "EVTCHNOP_send to port 999");
    CHECK_RC(gt_op(GNTTABOP_map_grant_ref, &map, 1), 0, "GNTTABOP_map_grant_ref (the op's status says)");
    if (map.status != GNTST_bad_domain)
        test_fail("map_grant_ref from DOMID_SELF: status %d, want GNTST_bad_domain", map.status);
    CHECK_RC(HC2(xen_version, XENVER_extraversion, (void *)0x1000), -XEN_EFAULT,
             "xen_version(extraversion) into an unmapped page");
    CHECK_RC(HC2(sched_op, 0x7777, 0), -XEN_ENOSYS, "sched_op 0x7777");
    /* Many at once: the log is rate-limited. */
    for (int i = 0; i < 200; i++)
        (void)HC2(event_channel_op, EVTCHNOP_send, &send);
    /* Once the rate allows a line again (20 a second), the next one says how many were not shown. */
    for (uint64_t until = evt_now() + 500000000ULL; evt_now() < until;)
        __asm__ __volatile__("pause");
    CHECK_RC(HC2(sched_op, 0x7778, 0), -XEN_ENOSYS, "sched_op 0x7778, after the burst");
    printk("refusals: done\n");
    test_success();
}
