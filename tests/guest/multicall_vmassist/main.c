/*
 * multicall_vmassist: multicall (xen/common/multicall.c) stores each
 * call's result in its entry, refuses nesting per entry (-EINVAL) and has
 * no limit on the batch size (Xen preempts long batches with continuations);
 * vm_assist (kernel.c) checks the type against the valid mask, then the command.
 */
#include "test.h"
#include <tandem/version.h>

const char test_title[] = "multicall results, nesting, batch size; vm_assist";

#define VERSION_4_19 ((4 << 16) | 19)
#define BIG 513

static multicall_entry_t mc[BIG];

static void set(multicall_entry_t *e, unsigned long op, unsigned long a0, unsigned long a1)
{
    *e = (multicall_entry_t){ .op = op, .result = 0x5a5a, .args = { a0, a1 } };
}

void test_main(void)
{
    struct xen_feature_info fi = { .submap_idx = 0 };
    multicall_entry_t inner[1];

    set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    set(&mc[1], __HYPERVISOR_xen_version, XENVER_pagesize, 0);
    set(&mc[2], __HYPERVISOR_xen_version, XENVER_get_features, (unsigned long)&fi);
    CHECK_RC(HC2(multicall, mc, 3), 0, "multicall of 3 xen_version calls");
    CHECK_RC(mc[0].result, VERSION_4_19, "entry 0: XENVER_version");
    CHECK_RC(mc[1].result, 4096, "entry 1: XENVER_pagesize");
    CHECK_RC(mc[2].result, 0, "entry 2: XENVER_get_features");
    if (!(fi.submap & (1U << XENFEAT_mmu_pt_update_preserve_ad)))
        test_fail("get_features inside a multicall did not fill the submap (%#x)", fi.submap);

    set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    set(&mc[1], 11, 0, 0);
    set(&mc[2], 1000, 0, 0);
    set(&mc[3], __HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK_RC(HC2(multicall, mc, 4), 0, "multicall with unknown ops");
    CHECK_RC(mc[0].result, VERSION_4_19, "entry before the unknown ops");
    CHECK_RC(mc[1].result, -XEN_ENOSYS, "entry with op 11");
    CHECK_RC(mc[2].result, -XEN_ENOSYS, "entry with op 1000");
    CHECK_RC(mc[3].result, VERSION_4_19, "entry after the unknown ops");

    set(&inner[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    set(&mc[0], __HYPERVISOR_multicall, (unsigned long)inner, 1);
    set(&mc[1], __HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK_RC(HC2(multicall, mc, 2), 0, "multicall containing a multicall");
    CHECK_RC(mc[0].result, -XEN_EINVAL, "nested multicall entry");
    CHECK_RC(inner[0].result, 0x5a5a, "the nested list is not run");
    CHECK_RC(mc[1].result, VERSION_4_19, "entry after the nested multicall");

    for (unsigned int i = 0; i < BIG; i++)
        set(&mc[i], __HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK_RC(HC2(multicall, mc, BIG), 0, "multicall of 513 entries (no batch limit in Xen)");
    for (unsigned int i = 0; i < BIG; i++)
        if (mc[i].result != VERSION_4_19) {
            test_fail("513-entry multicall: entry %u result %ld", i, (long)mc[i].result);
            break;
        }

    CHECK_RC(HC2(multicall, mc, 0), 0, "empty multicall");
    CHECK_RC(HC2(multicall, 0x1000, 1), -XEN_EFAULT, "multicall list at an unmapped address");
    CHECK_RC(HC2(multicall, HYPERVISOR_VIRT_START, 2), -XEN_EFAULT, "multicall list in the hypervisor range");

    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0, "enable writable_pagetables");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0, "disable writable_pagetables");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, VMASST_TYPE_m2p_strict), 0, "enable m2p_strict");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_disable, VMASST_TYPE_m2p_strict), 0, "disable m2p_strict");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, 31), -XEN_EINVAL, "vm_assist type 31");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, 33), -XEN_EINVAL, "vm_assist type 33");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, 64), -XEN_EINVAL, "vm_assist type 64");
    CHECK_RC(HC2(vm_assist, 7, VMASST_TYPE_writable_pagetables), -XEN_ENOSYS, "vm_assist cmd 7");
    CHECK_RC(HC2(vm_assist, 7, VMASST_TYPE_m2p_strict), -XEN_ENOSYS, "vm_assist cmd 7 with m2p_strict");
    CHECK_RC(HC2(vm_assist, 7, 31), -XEN_EINVAL, "vm_assist cmd 7 with type 31 (type checked first)");
    test_success();
}
