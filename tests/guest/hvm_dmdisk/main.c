/*
 * hvm_dmdisk: the third domain beside the driver domain (d0, the bundled
 * kernel: its device model serves d1's emulated IDE disk) and the HVM
 * domain d1 (the native kernel reading and writing that disk): an
 * unprivileged PV domain that is not d1's device model; every device-model
 * operation on d1 is refused (-EPERM), as Xen's XSM default refuses them.
 */
#include "multidom.h"
#include "pt.h"
#include <tandem/hvm/dm_op.h>
#include <tandem/memory.h>

const char test_title[] = "an HVM domain's emulated disk: a domain that is not its device model is refused";

void test_main(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    struct xen_dm_op_buf b = { (uint64_t)&op, sizeof(op) };
    uint64_t mfn = 0;
    domid_t hvm;

    md_init();
    hvm = (domid_t)md_arg_ul("target", 1);      /* the HVM domain (target=, default d1) */
    struct xen_mem_acquire_resource r = { .domid = hvm, .type = XENMEM_resource_ioreq_server, .id = 0,
                                          .nr_frames = 1, .frame = 1, .frame_list = (uint64_t)&mfn };
    expect_rc(HYPERVISOR_dm_op(hvm, 1, &b), -XEN_EPERM, "create an ioreq server on d%u", hvm);
    op.op = XEN_DMOP_remote_shutdown;
    expect_rc(HYPERVISOR_dm_op(hvm, 1, &b), -XEN_EPERM, "shut d%u down through dm_op", hvm);
    expect_rc(HYPERVISOR_memory_op(XENMEM_acquire_resource, &r), -XEN_EPERM, "acquire d%u's ioreq page", hvm);
    printk("outsider: every device-model operation on d%u refused\n", hvm);
    test_success();
}
