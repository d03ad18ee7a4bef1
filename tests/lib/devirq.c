/* Device and interrupt helpers for the driver-domain test kernels (devirq.h). */
#include "devirq.h"
#include "multidom.h"
#include "pt.h"
#include "pcicfg.h"
#include <tandem/physdev.h>
#include <tandem/event_channel.h>

static long pd(unsigned int cmd, void *arg) { return HC2(physdev_op, cmd, arg); }

bool dev_init(void)
{
    struct physdev_set_iopl io = { 1 };

    if (!pt_init())
        return false;
    if (pd(PHYSDEVOP_set_iopl, &io)) {
        test_error("set_iopl(1) refused");
        return false;
    }
    return true;
}

uint32_t dev_conf_read(uint32_t bdf, unsigned int reg, unsigned int size)
{
    return pcicfg_read(bdf, reg, size);
}

void dev_conf_write(uint32_t bdf, unsigned int reg, unsigned int size, uint32_t val)
{
    pcicfg_write(bdf, reg, size, val);
}

bool dev_find_nth(uint16_t vendor, uint16_t device, unsigned int nth, uint32_t *bdf)
{
    for (unsigned int slot = 0; slot < 32; slot++) {
        uint32_t id = dev_conf_read(DEV_BDF(0, slot, 0), 0, 4);
        if (id == ((uint32_t)device << 16 | vendor) && nth-- == 0) {
            *bdf = DEV_BDF(0, slot, 0);
            return true;
        }
    }
    return false;
}

void dev_enable(uint32_t bdf)
{
    dev_conf_write(bdf, 0x04, 2, dev_conf_read(bdf, 0x04, 2) | 0x6);
}

uint64_t dev_bar_addr(uint32_t bdf, unsigned int n)
{
    uint32_t lo = dev_conf_read(bdf, 0x10 + 4 * n, 4);

    if (lo & 1)
        return 0;
    if ((lo & 6) == 4)
        return ((uint64_t)dev_conf_read(bdf, 0x14 + 4 * n, 4) << 32) | (lo & ~0xfU);
    return lo & ~0xfU;
}

volatile uint32_t *dev_map_bar(uint32_t bdf, unsigned int n, unsigned int pages)
{
    uint64_t base = dev_bar_addr(bdf, n);
    int first = -1;

    if (!base) {
        test_error("BAR%u of %02x:%02x.%u is not a memory BAR", n, bdf >> 8, (bdf >> 3) & 31, bdf & 7);
        return NULL;
    }
    /* Slots are handed out from 511 down: take them all, then map them in rising order. */
    for (unsigned int i = 0; i < pages; i++)
        first = pt_alloc_slot();
    for (unsigned int i = 0; i < pages; i++) {
        long rc = pt_map(first + i, (base >> 12) + i, L1_FLAGS_RW | PTE_PCD | PTE_PWT);
        if (rc) {
            test_error("mapping BAR%u page %u: %ld", n, i, rc);
            return NULL;
        }
    }
    return (volatile uint32_t *)pt_slot_va(first);
}

static long map(int type, int index, uint32_t bdf, unsigned int entry, uint64_t table_base, int *pirq)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = type, .index = index, .pirq = *pirq,
                                  .bus = bdf >> 8, .devfn = bdf & 0xff, .entry_nr = entry,
                                  .table_base = table_base };
    long rc = pd(PHYSDEVOP_map_pirq, &m);

    *pirq = m.pirq;
    return rc;
}

long dev_map_gsi(int gsi, int *pirq) { return map(MAP_PIRQ_TYPE_GSI, gsi, 0, 0, 0, pirq); }
long dev_map_msi(uint32_t bdf, int *pirq) { return map(MAP_PIRQ_TYPE_MSI_SEG, -1, bdf, 0, 0, pirq); }

long dev_map_msix(uint32_t bdf, unsigned int entry, uint64_t table_base, int *pirq)
{
    return map(MAP_PIRQ_TYPE_MSI_SEG, -1, bdf, entry, table_base, pirq);
}

long dev_unmap(int pirq)
{
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = pirq };
    return pd(PHYSDEVOP_unmap_pirq, &u);
}

long dev_bind(int pirq, uint32_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq };
    long rc = HC2(event_channel_op, EVTCHNOP_bind_pirq, &b);

    *port = b.port;
    return rc;
}

long dev_eoi(int pirq)
{
    struct physdev_eoi e = { pirq };
    return pd(PHYSDEVOP_eoi, &e);
}

volatile unsigned long dev_gsi_hits[24], dev_gsi_total;
static uint8_t port_gsi[4096];

static void on_gsi(uint32_t port)
{
    dev_gsi_hits[port_gsi[port % 4096]]++;
    dev_gsi_total++;
}

/* Yields and a short sleep: an interrupt that is going to come has come. */
static void settle(void)
{
    for (int i = 0; i < 200; i++)
        HC2(sched_op, SCHEDOP_yield, 0);
    md_sleep_ns(MD_MS(20));
}

int dev_edu_intx_gsi(volatile uint32_t *regs, uint32_t *port)
{
    uint32_t ports[24];
    int found = -1;

    for (int gsi = 16; gsi < 24; gsi++) {
        int pirq = gsi;
        CHECK_RC(dev_map_gsi(gsi, &pirq), 0, "map_pirq GSI");
        if (pirq != gsi)
            test_fail("GSI %d mapped to pirq %d, asked for %d", gsi, pirq, gsi);
        CHECK_RC(dev_bind(pirq, &ports[gsi]), 0, "bind_pirq of a GSI pirq");
        port_gsi[ports[gsi] % 4096] = gsi;
        md_bind(ports[gsi], on_gsi);
    }
    md_events_on();
    regs[EDU_IRQ_RAISE / 4] = 1;
    if (!md_block_until(&dev_gsi_total, 1, md_now() + MD_MS(2000))) {
        test_fail("edu's INTx reached none of GSIs 16-23");
        return -1;
    }
    settle();
    for (int gsi = 16; gsi < 24; gsi++) {
        if (dev_gsi_hits[gsi] && found >= 0)
            test_fail("GSIs %d and %d both fired", found, gsi);
        if (dev_gsi_hits[gsi])
            found = gsi;
    }
    for (int gsi = 16; gsi < 24; gsi++)
        if (gsi != found) {
            CHECK_RC(md_close(ports[gsi]), 0, "close an idle GSI's port");
            CHECK_RC(dev_unmap(gsi), 0, "unmap an idle GSI");
        }
    *port = ports[found];
    return found;
}
