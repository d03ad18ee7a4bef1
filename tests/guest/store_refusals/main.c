/*
 * store_refusals (hostile): tandem_domctl getstoreinfo and getdevice
 * refused as hypercall-abi/include/tandem/domctl.h says. role=checker (d0,
 * the store domain): non-zero padding (op.pad, u of getstoreinfo, u but
 * index of getdevice) -EINVAL, no such domain -ESRCH, an index beyond
 * nr_devices -ENOENT, an unwritable argument -EFAULT, with the order of
 * the checks; then unpauses d1. role=unpriv (d1): both -EPERM.
 */
#include "multidom.h"
#include "pt.h"

const char test_title[] = "hostile: getstoreinfo / getdevice refusals";

static unsigned int refusals;

static long call(struct tandem_domctl *op)
{
    return HC1(tandem_domctl, op);
}

static void init(struct tandem_domctl *op, uint32_t cmd, domid_t domid)
{
    *op = (struct tandem_domctl){ .cmd = cmd, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .domid = domid };
}

static void refused(struct tandem_domctl *op, long want, const char *what)
{
    struct tandem_domctl before = *op;

    if (expect_rc(call(op), want, "%s", what))
        refusals++;
    if (memcmp(&before, op, sizeof(before)))
        test_fail("%s: the refused call wrote its argument back", what);
}

static void padding(void)
{
    struct tandem_domctl op;
    static const unsigned int dev_bytes[] = { 4, 7, 8, 23, 24, 25, 26, 31, 32, 35, 36, 40, 48, 56, 79, 80, 111 };

    for (unsigned int cmd = TANDEM_DOMCTL_getstoreinfo; cmd <= TANDEM_DOMCTL_getdevice; cmd++) {
        init(&op, cmd, 1);
        op.pad[1] = 1;
        refused(&op, -XEN_EINVAL, "op.pad[1] != 0");
    }
    for (unsigned int b = 0; b < sizeof(op.u.raw); b += 37) {
        init(&op, TANDEM_DOMCTL_getstoreinfo, 1);
        op.u.raw[b] = 0x80;
        refused(&op, -XEN_EINVAL, "getstoreinfo with a non-zero byte of u");
    }
    for (unsigned int i = 0; i < sizeof(dev_bytes) / sizeof(dev_bytes[0]); i++) {
        init(&op, TANDEM_DOMCTL_getdevice, 1);
        op.u.raw[dev_bytes[i]] = 1;
        refused(&op, -XEN_EINVAL, "getdevice with a non-zero byte of u beyond index");
    }
    /* Padding is checked before the domain: -EINVAL even for a domain that does not exist. */
    init(&op, TANDEM_DOMCTL_getdevice, 77);
    op.u.getdevice.backend_domid = 1;
    refused(&op, -XEN_EINVAL, "getdevice of d77 with backend_domid set");
}

static void lookups(void)
{
    struct tandem_domctl op;
    void *ro = pt_slot_va(40);

    init(&op, TANDEM_DOMCTL_getstoreinfo, 77);
    refused(&op, -XEN_ESRCH, "getstoreinfo(d77)");
    init(&op, TANDEM_DOMCTL_getstoreinfo, DOMID_INVALID);
    refused(&op, -XEN_ESRCH, "getstoreinfo(DOMID_INVALID)");
    init(&op, TANDEM_DOMCTL_getdevice, 77);
    refused(&op, -XEN_ESRCH, "getdevice(d77, 0)");
    init(&op, TANDEM_DOMCTL_getdevice, 77);
    op.u.getdevice.index = 9;
    refused(&op, -XEN_ESRCH, "getdevice(d77, 9): the domain before the index");
    for (uint32_t index = 1; index; index = index < 8 ? index + 1 : (index == 8 ? 0xffffffffU : 0)) {
        init(&op, TANDEM_DOMCTL_getdevice, 1);
        op.u.getdevice.index = index;
        refused(&op, -XEN_ENOENT, "getdevice(d1, index >= 1)");
    }
    init(&op, TANDEM_DOMCTL_getdevice, DOMID_SELF);
    refused(&op, -XEN_ENOENT, "getdevice(SELF, 0): no devices");
    init(&op, TANDEM_DOMCTL_getstoreinfo, 1);
    op.interface_version = 0;
    refused(&op, -XEN_EACCES, "getstoreinfo with interface_version 0");
    init(&op, TANDEM_DOMCTL_trace_read + 1, 1);
    refused(&op, -XEN_ENOSYS, "cmd trace_read + 1 (the first unknown)");

    /* A read-only argument: read, checked, then the copy back faults. */
    init(&op, TANDEM_DOMCTL_getstoreinfo, 1);
    pt_unmap(40);
    if (expect_rc(pt_map(40, pt_free_mfn(), L1_FLAGS_RW), 0, "map a page")) {
        memcpy(ro, &op, sizeof(op));
        expect_rc(pt_map(40, PTE_MFN(pt_read_entry(pt_scratch_l1, 40)), L1_FLAGS_RO), 0, "remap it read-only");
        if (expect_rc(HC1(tandem_domctl, ro), -XEN_EFAULT, "getstoreinfo into a read-only argument"))
            refusals++;
        init(&op, TANDEM_DOMCTL_getdevice, 1);
        pt_unmap(40);
        if (expect_rc(HC1(tandem_domctl, ro), -XEN_EFAULT, "getdevice from an unmapped argument"))
            refusals++;
    }
}

static void checker(void)
{
    struct tandem_domctl op;
    struct tandem_domctl_getstoreinfo si;
    struct tandem_domctl_getdomaininfo di;
    struct tandem_domctl_getdevice dev;
    uint64_t deadline;

    padding();
    lookups();
    /* The one accepted form of each, for contrast. */
    expect_rc(md_getdevice(1, 0, &dev), 0, "getdevice(d1, 0)");
    if (strcmp(dev.type, "vif") || dev.devid != 3 || dev.backend_domid != 0 || dev.pad[0] | dev.pad[1] | dev.pad[2])
        test_fail("getdevice(d1, 0): %s/%u backend %u", dev.type, dev.devid, dev.backend_domid);
    expect_rc(md_storeinfo(1, &si), 0, "getstoreinfo(d1)");
    if (si.flags != TANDEM_STOREINF_waiting || si.store_domid != 0 || si.nr_devices != 1)
        test_fail("getstoreinfo(d1): flags %#x store_domid %u devices %u", si.flags, si.store_domid,
                  si.nr_devices);
    printk("checker: %u refusals as documented\n", refusals);
    expect_rc(md_domctl(TANDEM_DOMCTL_unpause, 1, &op), 0, "unpause d1");
    for (deadline = md_now() + MD_MS(20000); md_now() < deadline; md_sleep_ns(MD_MS(5)))
        if (md_dominfo(1, &di) || (di.flags & TANDEM_DOMINF_shutdown))
            break;
    if (!md_dominfo(1, &di) && !(di.flags & TANDEM_DOMINF_shutdown))
        test_fail("d1 did not finish");
}

static void unpriv(void)
{
    struct tandem_domctl op;

    init(&op, TANDEM_DOMCTL_getstoreinfo, DOMID_SELF);
    CHECK_RC(call(&op), -XEN_EPERM, "getstoreinfo(SELF) unprivileged");
    init(&op, TANDEM_DOMCTL_getstoreinfo, 0);
    CHECK_RC(call(&op), -XEN_EPERM, "getstoreinfo(d0) unprivileged");
    init(&op, TANDEM_DOMCTL_getdevice, DOMID_SELF);
    CHECK_RC(call(&op), -XEN_EPERM, "getdevice(SELF, 0) unprivileged");
    init(&op, TANDEM_DOMCTL_getdevice, 0);
    op.u.getdevice.pad[0] = 1;
    CHECK_RC(call(&op), -XEN_EPERM, "getdevice with bad padding, unprivileged: -EPERM first");
    printk("unpriv: getstoreinfo and getdevice refused: -EPERM\n");
}

void test_main(void)
{
    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "checker"))
        checker();
    else
        unpriv();
    test_success();
}
