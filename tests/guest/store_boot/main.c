/*
 * store_boot: the hypervisor's half of the store domain (docs/xenstore.md,
 * "How a domain reaches its store"). role=store (d0, store=yes) plays a
 * minimal store: getstoreinfo of itself and of d1 (store port, ring mfn,
 * waiting, devices= entries through getdevice), d1 paused; maps d1's grant
 * ref 1 (the store ring: the same frame as store_mfn) and device-maps ref 0
 * (the console ring), binds d1's store port, writes a marker into the ring
 * and unpauses d1. role=guest (d1) finds its store port in start_info, the
 * marker in its ring page, its grant entries 0 and 1 as the builder seeded
 * them, answers on the port and takes the store domain's event.
 * role=intruder (d2), unpaused first, while d1 still waits: d1's grant refs
 * 0 and 1 and its unbound store port name d0 only, so d2 is refused.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"
#include <tandem/io/xs_wire.h>

const char test_title[] = "store domain: store port, seeded grants, built paused until unpaused";

#define GUEST   1
#define INTRUDER 2
#define MARKER  "store_boot marker"

static volatile unsigned long events;

static void on_event(uint32_t port)
{
    (void)port;
    events++;
}

static void check_self(void)
{
    struct tandem_domctl_getstoreinfo si;

    if (!expect_rc(md_storeinfo(DOMID_SELF, &si), 0, "getstoreinfo(DOMID_SELF)"))
        return;
    if (si.domid != 0 || si.store_domid != 0 || si.store_port != 0 || si.flags != 0 ||
        si.nr_devices != 0)
        test_fail("getstoreinfo(SELF): domid %u store_domid %u port %u flags %#x devices %u, "
                  "want 0 0 0 0 0", si.domid, si.store_domid, si.store_port, si.flags, si.nr_devices);
    if (start_info->store_evtchn != 0)
        test_fail("the store domain's start_info.store_evtchn is %u, want 0", start_info->store_evtchn);
}

static bool check_guest_info(struct tandem_domctl_getstoreinfo *si)
{
    struct tandem_domctl_getdomaininfo di;
    struct tandem_domctl_getdevice dev;

    if (!expect_rc(md_storeinfo(GUEST, si), 0, "getstoreinfo(d1)"))
        return false;
    if (si->domid != GUEST || si->store_domid != 0 || !si->store_port || !si->console_port ||
        si->store_port == si->console_port || si->flags != TANDEM_STOREINF_waiting ||
        !si->store_mfn || !si->console_mfn || si->nr_devices != 3 || si->pad)
        test_fail("getstoreinfo(d1): domid %u store_domid %u port %u console port %u flags %#x "
                  "mfns %#lx %#lx devices %u", si->domid, si->store_domid, si->store_port,
                  si->console_port, si->flags, (unsigned long)si->store_mfn,
                  (unsigned long)si->console_mfn, si->nr_devices);
    if (si->target_kib != 16384 || si->maxmem_kib != 24576)
        test_fail("getstoreinfo(d1): target %lu KiB maxmem %lu KiB, want 16384 24576",
                  (unsigned long)si->target_kib, (unsigned long)si->maxmem_kib);
    /* devices=vbd/768,vif/0: the store domain's to serve, nothing more. */
    expect_rc(md_getdevice(GUEST, 0, &dev), 0, "getdevice(d1, 0)");
    if (dev.index != 0 || dev.devid != 768 || strcmp(dev.type, "vbd") || dev.backend_domid != 0 ||
        dev.flags || dev.serial[0] || dev.region_start || dev.region_sectors || dev.pad2)
        test_fail("getdevice(d1, 0): %s/%u backend %u flags %#x serial '%.24s', want vbd/768 backend 0, "
                  "nothing else", dev.type, dev.devid, dev.backend_domid, dev.flags, dev.serial);
    expect_rc(md_getdevice(GUEST, 1, &dev), 0, "getdevice(d1, 1)");
    if (dev.index != 1 || dev.devid != 0 || strcmp(dev.type, "vif") || dev.backend_domid != 0 || dev.flags)
        test_fail("getdevice(d1, 1): %s/%u backend %u, want vif/0 backend 0", dev.type, dev.devid,
                  dev.backend_domid);
    /* disk=s.img:mode=r:start=4K:size=8K: xvda, the driver domain's (d2) to serve. */
    expect_rc(md_getdevice(GUEST, 2, &dev), 0, "getdevice(d1, 2)");
    if (dev.index != 2 || dev.devid != 51712 || strcmp(dev.type, "vbd") || dev.backend_domid != 2 ||
        dev.flags != (TANDEM_DEVICE_disk | TANDEM_DEVICE_readonly | TANDEM_DEVICE_region) ||
        strcmp(dev.serial, "guest/0") || dev.region_start != 8 || dev.region_sectors != 16 || dev.pad2)
        test_fail("getdevice(d1, 2): %s/%u backend %u flags %#x serial '%.24s' region %lu+%lu, want "
                  "vbd/51712 backend 2 flags 0x7 serial 'guest/0' region 8+16", dev.type, dev.devid,
                  dev.backend_domid, dev.flags, dev.serial, (unsigned long)dev.region_start,
                  (unsigned long)dev.region_sectors);
    expect_rc(md_getdevice(GUEST, 3, &dev), -XEN_ENOENT, "getdevice(d1, 3)");
    expect_rc(md_getdevice(DOMID_SELF, 0, &dev), -XEN_ENOENT, "getdevice(SELF, 0): no devices");
    if (expect_rc(md_dominfo(GUEST, &di), 0, "getdomaininfo(d1)") &&
        (!(di.flags & TANDEM_DOMINF_paused) || di.cpu_time_ns))
        test_fail("d1 before its introduction: flags %#x, %lu ns of CPU, want paused, never run",
                  di.flags, (unsigned long)di.cpu_time_ns);
    return true;
}

/* Wait (at most until deadline) for d to shut down; true if it did. */
static bool wait_shutdown(domid_t d, uint64_t deadline)
{
    struct tandem_domctl_getdomaininfo di;

    while (md_dominfo(d, &di) == 0 && !(di.flags & TANDEM_DOMINF_shutdown)) {
        if (md_now() > deadline)
            return false;
        md_sleep_ns(MD_MS(5));
    }
    return true;
}

/* Let the intruder try d1's grants and store port while d1 still waits. */
static void run_intruder(void)
{
    struct tandem_domctl op;

    expect_rc(md_domctl(TANDEM_DOMCTL_unpause, INTRUDER, &op), 0, "unpause d2");
    if (!wait_shutdown(INTRUDER, md_now() + MD_MS(20000)))
        test_fail("d2 did not finish");
}

/* Map d1's ref (host and device mapping at va); true if its frame is mfn. */
static bool map_ring(grant_ref_t ref, void *va, uint64_t mfn, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)va, .ref = ref, .dom = GUEST,
                                       .flags = GNTMAP_host_map | GNTMAP_device_map };

    if (gt_op(GNTTABOP_map_grant_ref, &op, 1) || op.status != GNTST_okay) {
        test_fail("map d1's grant ref %u: status %d", ref, op.status);
        return false;
    }
    *h = op.handle;
    if (op.dev_bus_addr != mfn << 12) {
        test_fail("d1's grant ref %u: frame %#lx, want %#lx", ref, (unsigned long)(op.dev_bus_addr >> 12),
                  (unsigned long)mfn);
        return false;
    }
    return true;
}

static void store(void)
{
    struct tandem_domctl_getstoreinfo si;
    struct tandem_domctl op;
    volatile struct xenstore_domain_interface *ring = pt_slot_va(20);
    void *con = pt_slot_va(21);
    grant_handle_t h, hc;
    uint32_t port;
    uint64_t deadline;

    check_self();
    if (!check_guest_info(&si))
        return;
    run_intruder();
    pt_unmap(20);
    pt_unmap(21);
    if (!map_ring(GNTTAB_RESERVED_XENSTORE, (void *)ring, si.store_mfn, &h) ||
        !map_ring(GNTTAB_RESERVED_CONSOLE, con, si.console_mfn, &hc))
        return;
    expect_rc(gt_unmap(con, hc), GNTST_okay, "unmap d1's console ring");
    if (!expect_rc(md_bind_interdomain(GUEST, si.store_port, &port), 0, "bind d1's store port"))
        return;
    md_clear_pending(port);                 /* the bind's own event: only d1's counts */
    md_bind(port, on_event);
    memcpy((void *)ring->rsp, MARKER, sizeof(MARKER));
    ring->rsp[64] = (char)si.store_port;
    printk("store: d%u store port %u, ring mfn %#lx mapped through grant ref 1\n", GUEST, si.store_port,
           (unsigned long)si.store_mfn);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    expect_rc(md_domctl(TANDEM_DOMCTL_unpause, GUEST, &op), 0, "unpause d1");
    expect_rc(md_storeinfo(GUEST, &si), 0, "getstoreinfo(d1) after the unpause");
    if (si.flags & TANDEM_STOREINF_waiting)
        test_fail("d1 still flagged waiting after its unpause: flags %#x", si.flags);
    /* d1 answers on its port once it has checked the ring; then it gets ours. */
    deadline = md_now() + MD_MS(20000);
    if (!md_block_until(&events, 1, deadline))
        test_fail("no event from d1 on its store port (%lu)", events);
    expect_rc(md_send(port), 0, "send to d1");
    if (!wait_shutdown(GUEST, deadline))
        test_fail("d1 did not finish");
    expect_rc(gt_unmap((void *)ring, h), GNTST_okay, "unmap d1's store ring");
}

static void guest(void)
{
    const volatile struct xenstore_domain_interface *ring = pt_boot_va(start_info->store_mfn);
    volatile struct grant_entry_v1 *t = gt_own_table(30);
    uint32_t port = start_info->store_evtchn;
    domid_t far;
    uint32_t far_port;

    if (!port || !ring) {
        test_fail("start_info: store_evtchn %u, store ring %p", port, (const void *)ring);
        return;
    }
    /* Unpaused only once the store domain has bound and written. */
    if (memcmp((const void *)ring->rsp, MARKER, sizeof(MARKER)) || (uint8_t)ring->rsp[64] != (uint8_t)port)
        test_fail("the store ring does not hold the store domain's marker and port");
    if (md_status(DOMID_SELF, port, &far, &far_port) != EVTCHNSTAT_interdomain || far != 0)
        test_fail("store port %u: not bound to d0 (far end d%u)", port, far);
    if (t) {
        if ((t[0].flags & ~(GTF_reading | GTF_writing)) != GTF_permit_access || t[0].domid != 0 ||
            t[0].frame != start_info->console.domU.mfn)
            test_fail("grant ref 0: flags %#x domid %u frame %#x, want permit_access, 0, console mfn %#lx",
                      t[0].flags, t[0].domid, t[0].frame, (unsigned long)start_info->console.domU.mfn);
        if (t[1].flags != (GTF_permit_access | GTF_reading | GTF_writing) || t[1].domid != 0 ||
            t[1].frame != start_info->store_mfn)
            test_fail("grant ref 1: flags %#x domid %u frame %#x, want permit_access (mapped), 0, store mfn %#lx",
                      t[1].flags, t[1].domid, t[1].frame, (unsigned long)start_info->store_mfn);
    }
    md_bind(port, on_event);
    expect_rc(md_send(port), 0, "send to the store domain");
    if (!md_block_until(&events, 1, md_now() + MD_MS(20000)))
        test_fail("no event from the store domain");
    printk("guest: store port %u bound by d0, ring byte seen, event received\n", port);
}

static void intruder(void)
{
    void *va = pt_slot_va(20);
    grant_handle_t h;
    uint32_t port;

    if (!start_info->store_evtchn)
        test_fail("d2: start_info.store_evtchn 0 with a store domain");
    pt_unmap(20);
    expect_rc(gt_map(GNTTAB_RESERVED_XENSTORE, GUEST, va, GNTMAP_host_map, &h), GNTST_general_error,
              "d2 maps d1's store ring (ref 1, granted to d0)");
    expect_rc(gt_map(GNTTAB_RESERVED_CONSOLE, GUEST, va, GNTMAP_host_map | GNTMAP_readonly, &h),
              GNTST_general_error, "d2 maps d1's console ring (ref 0, granted to d0)");
    expect_rc(gt_copy_from_ref(GUEST, GNTTAB_RESERVED_XENSTORE, pt_free_mfn(), 16), GNTST_general_error,
              "d2 copies from d1's store ring");
    /* d1's store port is 2 (after its console port): unbound for d0, not for us. */
    expect_rc(md_bind_interdomain(GUEST, 2, &port), -XEN_EINVAL, "d2 binds d1's store port");
    printk("intruder: d1's grant refs 0-1 and store port refused\n");
}

void test_main(void)
{
    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "store"))
        store();
    else if (md_arg_is("role", "intruder"))
        intruder();
    else
        guest();
    test_success();
}
