/*
 * callbacks: callback_op, set_callbacks and stack_switch, as Xen's
 * xen/arch/x86/pv/callback.c and misc-hypercalls.c answer them: an address
 * must be canonical (-EINVAL, checked first), an unknown type is -ENOSYS,
 * only the NMI callback can be unregistered; set_callbacks and
 * stack_switch always return 0.
 */
#include "test.h"
#include <tandem/callback.h>

const char test_title[] = "callback_op, set_callbacks and stack_switch";

static void entry(void) { }             /* never called: nothing is delivered */

static long reg(unsigned int type, unsigned int flags, uint64_t addr)
{
    struct callback_register r = { .type = type, .flags = flags, .address = addr };
    return HC2(callback_op, CALLBACKOP_register, &r);
}

static long unreg(unsigned int type)
{
    struct callback_unregister u = { .type = type };
    return HC2(callback_op, CALLBACKOP_unregister, &u);
}

void test_main(void)
{
    const uint64_t ok = (uint64_t)entry, noncanon = 0x0000800000000000UL;
    static uint8_t stack[4096] __attribute__((aligned(16)));
    char what[64];

    CHECK_RC(reg(CALLBACKTYPE_event, 0, ok), 0, "register event");
    CHECK_RC(reg(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, ok), 0, "register failsafe");
    CHECK_RC(reg(CALLBACKTYPE_syscall, CALLBACKF_mask_events, ok), 0, "register syscall");
    CHECK_RC(reg(CALLBACKTYPE_syscall32, 0, ok), 0, "register syscall32");
    CHECK_RC(reg(CALLBACKTYPE_sysenter, 0, ok), 0, "register sysenter");
    CHECK_RC(reg(CALLBACKTYPE_nmi, 0, ok), 0, "register nmi");

    CHECK_RC(reg(CALLBACKTYPE_sysenter_deprecated, 0, ok), -XEN_ENOSYS, "register type 3 (sysenter_deprecated)");
    CHECK_RC(reg(6, 0, ok), -XEN_ENOSYS, "register type 6");
    CHECK_RC(reg(99, 0, ok), -XEN_ENOSYS, "register type 99");

    for (unsigned int t = 0; t <= 7; t++) {
        snprintf(what, sizeof(what), "register type %u at a non-canonical address", t);
        CHECK_RC(reg(t, 0, noncanon), -XEN_EINVAL, what);
    }
    CHECK_RC(reg(99, 0, noncanon), -XEN_EINVAL, "register type 99 at a non-canonical address");

    CHECK_RC(unreg(CALLBACKTYPE_event), -XEN_EINVAL, "unregister event");
    CHECK_RC(unreg(CALLBACKTYPE_failsafe), -XEN_EINVAL, "unregister failsafe");
    CHECK_RC(unreg(CALLBACKTYPE_syscall), -XEN_EINVAL, "unregister syscall");
    CHECK_RC(unreg(CALLBACKTYPE_nmi), 0, "unregister nmi");
    CHECK_RC(unreg(CALLBACKTYPE_nmi), 0, "unregister nmi again");
    CHECK_RC(unreg(99), -XEN_ENOSYS, "unregister type 99");

    CHECK_RC(HC2(callback_op, CALLBACKOP_register, 0x1000), -XEN_EFAULT, "register from an unmapped address");
    CHECK_RC(HC2(callback_op, CALLBACKOP_register, HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "register from the hypervisor range");
    CHECK_RC(HC2(callback_op, CALLBACKOP_unregister, 0x1000), -XEN_EFAULT, "unregister from an unmapped address");
    CHECK_RC(HC2(callback_op, 2, 0), -XEN_ENOSYS, "unknown callback_op 2");

    CHECK_RC(HC3(set_callbacks, ok, ok, ok), 0, "set_callbacks");
    /* Xen ignores each register_guest_callback() result here: bad addresses are skipped, not refused. */
    CHECK_RC(HC3(set_callbacks, noncanon, ok, ok), 0, "set_callbacks with a non-canonical event address");

    CHECK_RC(HC2(stack_switch, FLAT_KERNEL_SS, stack + sizeof(stack)), 0, "stack_switch(0xe02b)");
    CHECK_RC(HC2(stack_switch, FLAT_KERNEL_SS & ~3, stack + sizeof(stack)), 0, "stack_switch(RPL 0 selector)");
    /* Xen's do_stack_switch only fixes up the RPL and returns 0. */
    CHECK_RC(HC2(stack_switch, 0x10, stack + sizeof(stack)), 0, "stack_switch(0x10)");
    test_success();
}
