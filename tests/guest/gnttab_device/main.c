/*
 * gnttab_device (grant tables v1, hostile): GNTMAP_device_map on a grant
 * to self. PV without an IOMMU: dev_bus_addr is the machine address of
 * the granted frame (mfn << 12). Alone it writes no PTE but holds the
 * frame (a reference, and the writable type unless read-only, so the
 * frame cannot be pinned as a page table meanwhile); with host_map both;
 * GNTMAP_readonly honoured (GTF_reading only; a read-only grant refused
 * writable); GTF_reading/writing set while mapped and cleared by unmap;
 * unmap with a wrong dev_bus_addr refused (bad_dev_addr) and the mapping
 * kept. The audit counts the device mappings' references and stays clean.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: GNTMAP_device_map";

static domid_t SELF;
static volatile struct grant_entry_v1 *table;

static int16_t dmap(grant_ref_t ref, void *va, uint32_t flags, grant_handle_t *h, uint64_t *bus)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)va, .flags = flags, .ref = ref, .dom = SELF };

    if (gt_op(GNTTABOP_map_grant_ref, &op, 1))
        test_fail("map_grant_ref: the call itself failed");
    *h = op.handle;
    *bus = op.dev_bus_addr;
    return op.status;
}

static int16_t dunmap(void *va, uint64_t bus, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = (uint64_t)va, .dev_bus_addr = bus, .handle = h };

    if (gt_op(GNTTABOP_unmap_grant_ref, &op, 1))
        test_fail("unmap_grant_ref: the call itself failed");
    return op.status;
}

#define ST(got, want, what) expect_rc((got), (want), "%s", (what))

static void flags_are(grant_ref_t ref, uint16_t want, const char *what)
{
    if (table[ref].flags != want)
        test_fail("%s: flags %#x, want %#x", what, table[ref].flags, want);
}

void test_main(void)
{
    uint64_t page, bus, bus2, v;
    volatile uint8_t *own, *gv;
    grant_handle_t h, h2;
    long rc;

    if (!pt_init())
        return;
    if (!(table = gt_own_table(10)))
        return;
    page = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    own = pt_slot_va(11);
    for (unsigned int i = 0; i < 4096; i++)
        own[i] = (uint8_t)(i * 3);
    gv = pt_slot_va(12);
    pt_unmap(12);
    if (!gt_find_self(table, page, (void *)gv, &SELF)) {
        test_fail("no domain id maps our own grant");
        return;
    }
    printk("we are d%u; granted mfn %#lx\n", SELF, (unsigned long)page);

    /* device_map alone: the bus address, pins, no PTE. */
    gt_grant(table, 8, SELF, page, GTF_permit_access);
    ST(dmap(8, (void *)gv, GNTMAP_device_map, &h, &bus), GNTST_okay, "device_map alone");
    printk("device_map alone: dev_bus_addr %#lx\n", (unsigned long)bus);
    if (bus != page << 12)
        test_fail("dev_bus_addr %#lx, want mfn << 12 = %#lx", (unsigned long)bus, (unsigned long)(page << 12));
    flags_are(8, GTF_permit_access | GTF_reading | GTF_writing, "device-mapped writable");
    if (probe_read(gv, &v))
        test_fail("device_map alone wrote a PTE at host_addr");
    rc = mmuext1(MMUEXT_PIN_L1_TABLE, page, 0);
    if (!rc)
        test_fail("a frame device-mapped writable was pinned as an L1");
    printk("pin a device-mapped frame as an L1: %ld (refused)\n", rc);
    ST(dunmap(NULL, bus + 0x1000, h), GNTST_bad_dev_addr, "unmap with a wrong dev_bus_addr");
    flags_are(8, GTF_permit_access | GTF_reading | GTF_writing, "after the refused unmap");
    ST(dunmap(NULL, bus, h), GNTST_okay, "unmap with the right dev_bus_addr");
    flags_are(8, GTF_permit_access, "device mapping gone");
    ST(dunmap(NULL, bus, h), GNTST_bad_handle, "double unmap");

    /* Read-only device mapping. */
    ST(dmap(8, NULL, GNTMAP_device_map | GNTMAP_readonly, &h, &bus), GNTST_okay, "device_map read-only");
    if (bus != page << 12)
        test_fail("read-only dev_bus_addr %#lx", (unsigned long)bus);
    flags_are(8, GTF_permit_access | GTF_reading, "device-mapped read-only");
    ST(dunmap(NULL, 0, h), GNTST_okay, "unmap without dev_bus_addr");
    flags_are(8, GTF_permit_access, "read-only device mapping gone");
    gt_grant(table, 9, SELF, page, GTF_permit_access | GTF_readonly);
    ST(dmap(9, NULL, GNTMAP_device_map, &h, &bus), GNTST_general_error, "device_map a read-only grant writable");
    flags_are(9, GTF_permit_access | GTF_readonly, "refused writable device map");
    ST(dmap(9, NULL, GNTMAP_device_map | GNTMAP_readonly, &h, &bus), GNTST_okay, "device_map a read-only grant read-only");
    ST(dunmap(NULL, bus, h), GNTST_okay, "unmap it");
    table[9].flags = 0;

    /* Combined with host_map: the PTE and the bus address. */
    ST(dmap(8, (void *)gv, GNTMAP_device_map | GNTMAP_host_map, &h, &bus), GNTST_okay, "device_map | host_map");
    if (bus != page << 12)
        test_fail("combined dev_bus_addr %#lx", (unsigned long)bus);
    if (gv[100] != (uint8_t)300)
        test_fail("the combined mapping shows other contents");
    ST(dmap(8, NULL, GNTMAP_device_map, &h2, &bus2), GNTST_okay, "a second device mapping of ref 8");
    ST(dunmap((void *)gv, bus + 0x2000, h), GNTST_bad_dev_addr, "unmap the combined one with a wrong bus address");
    if (gv[100] != (uint8_t)300)
        test_fail("the refused unmap removed the PTE");
    ST(dunmap((void *)gv, bus, h), GNTST_okay, "unmap the combined mapping");
    if (probe_read(gv, &v))
        test_fail("the unmapped combined view is still readable");
    flags_are(8, GTF_permit_access | GTF_reading | GTF_writing, "the second device mapping still pins");
    ST(dunmap(NULL, bus2, h2), GNTST_okay, "unmap the second device mapping");
    flags_are(8, GTF_permit_access, "all device mappings gone");

    /* Neither flag: Xen's bad flags. */
    ST(dmap(8, (void *)gv, GNTMAP_readonly, &h, &bus), GNTST_bad_gntref, "neither host_map nor device_map");
    table[8].flags = 0;
    pt_unmap(10);
    pt_unmap(11);
    test_success();
}
