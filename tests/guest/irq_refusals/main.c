/*
 * irq_refusals: the interrupt sub-ops of physdev_op and EVTCHNOP_bind_pirq
 * as an ordinary domain (not the driver domain: it owns no PCI function)
 * gets them, in Xen's check order (xen/arch/x86/physdev.c do_physdev_op,
 * physdev_map_pirq; xen/arch/x86/irq.c get_free_pirq, map_domain_pirq;
 * xen/common/event_channel.c evtchn_bind_pirq). The ones Xen lets any
 * domain use (get_free_pirq, eoi, irq_status_query, pirq_eoi_gmfn) work.
 */
#include "test.h"
#include "pt.h"
#include <tandem/physdev.h>
#include <tandem/event_channel.h>

const char test_title[] = "irq sub-ops and bind_pirq refused to a non-driver domain";

static uint8_t eoi_page[4096] __attribute__((aligned(4096)));

static long pd(unsigned int cmd, void *arg) { return HC2(physdev_op, cmd, arg); }

static long map(int type, domid_t dom, int index, int pirq, uint64_t table_base)
{
    struct physdev_map_pirq m = { .domid = dom, .type = type, .index = index, .pirq = pirq,
                                  .bus = 0, .devfn = 3 << 3, .entry_nr = 0, .table_base = table_base };
    return pd(PHYSDEVOP_map_pirq, &m);
}

static long bind(uint32_t pirq)
{
    struct evtchn_bind_pirq b = { .pirq = pirq };
    return HC2(event_channel_op, EVTCHNOP_bind_pirq, &b);
}

static long eoi(uint32_t pirq) { struct physdev_eoi e = { pirq }; return pd(PHYSDEVOP_eoi, &e); }

static void check_map_unmap(void)
{
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 20 };

    CHECK_RC(map(MAP_PIRQ_TYPE_GSI, DOMID_SELF, 20, -1, 0), -XEN_EPERM, "map_pirq GSI 20");
    CHECK_RC(map(MAP_PIRQ_TYPE_GSI, DOMID_SELF, 20, 20, 0), -XEN_EPERM, "map_pirq GSI 20 to pirq 20");
    CHECK_RC(map(MAP_PIRQ_TYPE_MSI, DOMID_SELF, -1, -1, 0), -XEN_EPERM, "map_pirq MSI");
    CHECK_RC(map(MAP_PIRQ_TYPE_MSI_SEG, DOMID_SELF, -1, -1, 0xfe000000), -XEN_EPERM, "map_pirq MSI-X");
    CHECK_RC(map(0x77, DOMID_SELF, 0, -1, 0), -XEN_EPERM, "map_pirq of a bad type (XSM first)");
    CHECK_RC(map(MAP_PIRQ_TYPE_GSI, 999, 20, -1, 0), -XEN_ESRCH, "map_pirq for domain 999");
    CHECK_RC(map(MAP_PIRQ_TYPE_MULTI_MSI, DOMID_SELF, -1, -1, 0x1000), -XEN_EINVAL,
             "map_pirq MULTI_MSI with a table_base (checked before the domain)");
    CHECK_RC(pd(PHYSDEVOP_map_pirq, (void *)0x10), -XEN_EFAULT, "map_pirq from a bad address");
    CHECK_RC(pd(PHYSDEVOP_unmap_pirq, &u), -XEN_EPERM, "unmap_pirq");
    u.domid = 999;
    CHECK_RC(pd(PHYSDEVOP_unmap_pirq, &u), -XEN_ESRCH, "unmap_pirq for domain 999");
}

/* get_free_pirq needs no privilege: the number is reserved, but binding it is -EPERM (not mapped). */
static void check_free_and_bind(void)
{
    struct physdev_get_free_pirq g = { .type = MAP_PIRQ_TYPE_GSI };
    uint32_t gsi_pirq, msi_pirq;

    CHECK_RC(pd(PHYSDEVOP_get_free_pirq, &g), 0, "get_free_pirq(GSI)");
    gsi_pirq = g.pirq;
    if (gsi_pirq != 16)
        test_fail("get_free_pirq(GSI) gave %u, want 16 (Xen: GSIs from 16 up)", gsi_pirq);
    g.type = MAP_PIRQ_TYPE_MSI;
    CHECK_RC(pd(PHYSDEVOP_get_free_pirq, &g), 0, "get_free_pirq(MSI)");
    msi_pirq = g.pirq;
    CHECK_RC(pd(PHYSDEVOP_get_free_pirq, &g), 0, "get_free_pirq(MSI) again");
    if (g.pirq != msi_pirq - 1)
        test_fail("get_free_pirq(MSI): %u then %u, want the next one down", msi_pirq, g.pirq);
    CHECK_RC(bind(msi_pirq), -XEN_EPERM, "bind_pirq of a reserved, unmapped pirq");
    CHECK_RC(bind(gsi_pirq), -XEN_EPERM, "bind_pirq of a reserved GSI pirq");
    CHECK_RC(bind(3), -XEN_EPERM, "bind_pirq of pirq 3 (never mapped)");
    CHECK_RC(bind(256), -XEN_EINVAL, "bind_pirq of pirq 256 (out of range)");
    CHECK_RC(bind(0xffffffff), -XEN_EINVAL, "bind_pirq of pirq -1");
    CHECK_RC(eoi(msi_pirq), 0, "eoi of a reserved pirq (Xen: it has state)");
    CHECK_RC(eoi(40), -XEN_EINVAL, "eoi of a pirq with no state");
    CHECK_RC(eoi(256), -XEN_EINVAL, "eoi of pirq 256");
    CHECK_RC(pd(PHYSDEVOP_get_free_pirq, (void *)0x10), -XEN_EFAULT, "get_free_pirq from a bad address");
}

static void check_status_and_eoi_map(void)
{
    struct physdev_irq_status_query q = { .irq = 5 };
    struct physdev_pirq_eoi_gmfn e = { .gmfn = 0 };

    CHECK_RC(pd(PHYSDEVOP_irq_status_query, &q), 0, "irq_status_query(5)");
    if (q.flags != XENIRQSTAT_needs_eoi)
        test_fail("irq_status_query flags %#x, want needs_eoi (Xen: always, for PV)", q.flags);
    q.irq = 256;
    CHECK_RC(pd(PHYSDEVOP_irq_status_query, &q), -XEN_EINVAL, "irq_status_query(256)");
    CHECK_RC(pd(PHYSDEVOP_pirq_eoi_gmfn_v2, &e), -XEN_EINVAL, "pirq_eoi_gmfn of frame 0 (not ours)");
    e.gmfn = ~0ULL >> 12;
    CHECK_RC(pd(PHYSDEVOP_pirq_eoi_gmfn_v2, &e), -XEN_EINVAL, "pirq_eoi_gmfn of a frame past memory");
    e.gmfn = pt_va_to_mfn(eoi_page);
    CHECK_RC(pd(PHYSDEVOP_pirq_eoi_gmfn_v2, &e), 0, "pirq_eoi_gmfn_v2 of our page");
    CHECK_RC(pd(PHYSDEVOP_pirq_eoi_gmfn_v1, &e), -XEN_EBUSY, "pirq_eoi_gmfn_v1 a second time");
    for (unsigned int i = 0; i < sizeof(eoi_page); i++)
        if (eoi_page[i])
            test_fail("eoi bitmap byte %u is %#x with no pirq bound", i, eoi_page[i]);
}

static void check_privileged_ops(void)
{
    struct physdev_apic a = { .apic_physbase = 0xfec00000, .reg = 1 };
    struct physdev_irq v = { .irq = 20 };
    struct physdev_setup_gsi g = { .gsi = 20, .triggering = 1, .polarity = 1 };
    struct physdev_restore_msi r = { .bus = 0x55, .devfn = 0 };
    struct physdev_pci_device p = { .seg = 0, .bus = 0, .devfn = 3 << 3 };

    CHECK_RC(pd(PHYSDEVOP_apic_read, &a), -XEN_EPERM, "apic_read");
    CHECK_RC(pd(PHYSDEVOP_apic_write, &a), -XEN_EPERM, "apic_write");
    CHECK_RC(pd(PHYSDEVOP_alloc_irq_vector, &v), -XEN_EPERM, "alloc_irq_vector");
    CHECK_RC(pd(PHYSDEVOP_free_irq_vector, &v), -XEN_ENOSYS, "free_irq_vector (Xen has none)");
    CHECK_RC(pd(PHYSDEVOP_IRQ_UNMASK_NOTIFY, &v), 0, "IRQ_UNMASK_NOTIFY (legacy: an eoi of unmasked pirqs)");
    CHECK_RC(pd(PHYSDEVOP_setup_gsi, &g), -XEN_EPERM, "setup_gsi(20)");
    g.gsi = 100;
    CHECK_RC(pd(PHYSDEVOP_setup_gsi, &g), -XEN_EINVAL, "setup_gsi(100): range before privilege");
    CHECK_RC(pd(PHYSDEVOP_restore_msi, &r), -XEN_ENODEV, "restore_msi of no function");
    CHECK_RC(pd(PHYSDEVOP_prepare_msix, &p), -XEN_EPERM, "prepare_msix");
    CHECK_RC(pd(PHYSDEVOP_release_msix, &p), -XEN_EPERM, "release_msix");
}

void test_main(void)
{
    check_map_unmap();
    check_free_and_bind();
    check_status_and_eoi_map();
    check_privileged_ops();
    test_success();
}
