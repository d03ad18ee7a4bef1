/*
 * The bundled guest kernel's side of pvos.h's device calls, over Xen's
 * ABI as a Linux PV dom0 uses it: PCI configuration space through port
 * I/O to 0xcf8/0xcfc after PHYSDEVOP_set_iopl(1) (the hypervisor emulates
 * the ports and shows us only the functions we own), MMIO BARs mapped by
 * update_va_mapping over kernel-map pages with PCD|PWT (the hypervisor
 * checks its iomem permission), MSI-X entries as pirqs
 * (PHYSDEVOP_map_pirq MAP_PIRQ_TYPE_MSI_SEG, as Linux's
 * xen_initdom_setup_msi_irqs) bound to event channels (EVTCHNOP_bind_pirq).
 */
#include "pvos.h"
#include "mm.h"
#include <tandem/errno.h>
#include <tandem/event_channel.h>
#include <tandem/physdev.h>

#define PCI_CONF_ADDR   0xcf8
#define PCI_CONF_DATA   0xcfc
#define PCI_MAX_FUNCS   64              /* visible functions remembered */
#define PCI_BUSES       256
#define _PAGE_PWT       0x008UL
#define _PAGE_PCD       0x010UL
#define PCI_CAP_ID_MSIX 0x11
#define MSIX_BINDS      16

static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }

static bool iopl_set;
static uint32_t pci_funcs[PCI_MAX_FUNCS];
static int pci_nr_funcs = -1;           /* -1: not scanned yet */

/* Once: virtual IOPL 1, so that port I/O from our kernel (ring 3) is emulated, not refused with #GP. */
static void pci_io_init(void)
{
    struct physdev_set_iopl s = { .iopl = 1 };
    long rc;

    if (iopl_set)
        return;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s);
    if (rc)
        printk("pci: set_iopl refused (%ld): no configuration space\n", rc);
    iopl_set = true;
}

static uint32_t conf_addr(uint32_t sbdf, unsigned int reg)
{
    return 0x80000000u | (sbdf & 0xffff) << 8 | (reg & 0xfc);
}

uint32_t pvos_pci_conf_read(uint32_t sbdf, unsigned int reg, unsigned int size)
{
    uint16_t port = (uint16_t)(PCI_CONF_DATA + (reg & 3));
    uint32_t v;
    uint8_t m;

    if (!iopl_set)
        pci_io_init();
    if (sbdf >> 16 || reg >= 256 || (size != 1 && size != 2 && size != 4) || (reg & (size - 1)))
        return ~0u;
    m = events_save();          /* the address and the data access as one: no thread between them */
    outl(PCI_CONF_ADDR, conf_addr(sbdf, reg));
    v = size == 4 ? inl(port) : size == 2 ? inw(port) : inb(port);
    events_restore(m);
    return v;
}

void pvos_pci_conf_write(uint32_t sbdf, unsigned int reg, unsigned int size, uint32_t val)
{
    uint16_t port = (uint16_t)(PCI_CONF_DATA + (reg & 3));
    uint8_t m;

    if (!iopl_set)
        pci_io_init();
    if (sbdf >> 16 || reg >= 256 || (size != 1 && size != 2 && size != 4) || (reg & (size - 1)))
        return;
    m = events_save();
    outl(PCI_CONF_ADDR, conf_addr(sbdf, reg));
    if (size == 4)
        outl(port, val);
    else if (size == 2)
        outw(port, (uint16_t)val);
    else
        outb(port, (uint8_t)val);
    events_restore(m);
}

/*
 * Every bus, every device; the other functions of a multi-function device.
 * Function 0 may be one the hypervisor keeps (it reads as absent) while
 * others are ours (q35's 00:1f.2 beside the LPC bridge 00:1f.0), so on bus
 * 0 all eight are looked at.
 */
static void pci_scan(void)
{
    pci_nr_funcs = 0;
    for (uint32_t bus = 0; bus < PCI_BUSES; bus++)
        for (uint32_t dev = 0; dev < 32; dev++) {
            uint32_t base = bus << 8 | dev << 3;
            unsigned int nfn = bus == 0 ? 8 : 1;

            if (pvos_pci_conf_read(base, 0, 2) == 0xffff && bus)
                continue;
            if (pvos_pci_conf_read(base, 0x0e, 1) & 0x80)
                nfn = 8;
            for (unsigned int fn = 0; fn < nfn && pci_nr_funcs < PCI_MAX_FUNCS; fn++)
                if (pvos_pci_conf_read(base | fn, 0, 2) != 0xffff)
                    pci_funcs[pci_nr_funcs++] = base | fn;
        }
}

bool pvos_pci_next(int64_t prev, uint32_t *sbdf)
{
    if (pci_nr_funcs < 0)
        pci_scan();
    for (int i = 0; i < pci_nr_funcs; i++)
        if ((int64_t)pci_funcs[i] > prev) {
            *sbdf = pci_funcs[i];
            return true;
        }
    return false;
}

void *pvos_mmio_map(uint64_t maddr, size_t len, int *err)
{
    uint64_t first = maddr >> PAGE_SHIFT, n, pfn;
    long rc = 0;
    uint64_t i;

    if (!len || maddr + len < maddr || (maddr + len - 1) >> 52) {
        *err = -XEN_EINVAL;
        return NULL;
    }
    n = ((maddr + len - 1) >> PAGE_SHIFT) - first + 1;
    if (n > 64 || !(pfn = alloc_pages((unsigned int)n, PG_KERNEL))) {
        *err = -XEN_ENOMEM;
        return NULL;
    }
    /* Our pages give their kernel-map addresses to the device's frames, as grant.c does for grants. */
    for (i = 0; i < n && !rc; i++)
        rc = HYPERVISOR_update_va_mapping((uint64_t)pfn_to_virt(pfn + i),
                                          (first + i) << PAGE_SHIFT | PTE_KERNEL_RW | _PAGE_PCD |
                                          _PAGE_PWT | _PAGE_NX, UVMF_INVLPG);
    if (rc) {
        for (uint64_t j = 0; j + 1 < i; j++)
            HYPERVISOR_update_va_mapping((uint64_t)pfn_to_virt(pfn + j), pfn_maddr(pfn + j) | PTE_KERNEL_RW |
                                         _PAGE_NX, UVMF_INVLPG);
        free_pages(pfn, (unsigned int)n, PG_KERNEL);
        *err = (int)rc;
        return NULL;
    }
    return (uint8_t *)pfn_to_virt(pfn) + (maddr & (PAGE_SIZE - 1));
}

/* ---- MSI-X entries as events ---- */
static struct msix_bind {
    bool used, needs_eoi;
    uint32_t sbdf;
    unsigned int entry;
    int pirq, port;
    pvos_event_fn fn;
    void *ctx;
    uint64_t events;
} binds[MSIX_BINDS];

/* The machine address of the BAR holding the function's MSI-X table (Linux: pci_resource_start(bir)). */
static uint64_t msix_table_base(uint32_t sbdf)
{
    unsigned int cap = pvos_pci_conf_read(sbdf, 0x34, 1) & 0xfc, guard = 0;

    for (; cap && guard < 48; cap = pvos_pci_conf_read(sbdf, cap + 1, 1) & 0xfc, guard++)
        if (pvos_pci_conf_read(sbdf, cap, 1) == PCI_CAP_ID_MSIX) {
            unsigned int bir = pvos_pci_conf_read(sbdf, cap + 4, 4) & 7;
            uint32_t lo = bir < 6 ? pvos_pci_conf_read(sbdf, 0x10 + 4 * bir, 4) : 1;
            uint64_t base = lo & ~0xfULL;

            if (lo & 1)
                return 0;
            if (((lo >> 1) & 3) == 2 && bir < 5)
                base |= (uint64_t)pvos_pci_conf_read(sbdf, 0x14 + 4 * bir, 4) << 32;
            return base;
        }
    return 0;
}

/*
 * Linux's way to skip PHYSDEVOP_eoi for MSIs: a page registered with
 * pirq_eoi_gmfn_v2 in which the hypervisor sets the bit of each pirq that
 * needs the eoi (a bound level GSI); without it, irq_status_query's answer.
 */
static const volatile uint64_t *eoi_map;

static void eoi_map_init(void)
{
    static bool tried;
    struct physdev_pirq_eoi_gmfn g;
    void *page;

    if (tried)
        return;
    tried = true;
    if (!(page = pvos_page_alloc()))
        return;
    g.gmfn = pvos_page_mfn(page);
    if (HYPERVISOR_physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v2, &g))
        pvos_page_free(page);
    else
        eoi_map = page;
}

static bool needs_eoi(const struct msix_bind *b)
{
    if (eoi_map)
        return b->pirq >= 0 && b->pirq < 32768 && (eoi_map[b->pirq / 64] >> (b->pirq % 64)) & 1;
    return b->needs_eoi;
}

static void msix_event(uint32_t port, void *ctx)
{
    struct msix_bind *b = ctx;

    b->events++;
    b->fn(port, b->ctx);
    if (needs_eoi(b)) {
        struct physdev_eoi eoi = { .irq = (uint32_t)b->pirq };

        HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi);
    }
}

static void pirq_unmap(int pirq)
{
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = pirq };

    HYPERVISOR_physdev_op(PHYSDEVOP_unmap_pirq, &u);
}

/* map_pirq then bind_pirq; the port or -errno (nothing left mapped). */
static int msix_map_bind(struct msix_bind *b, uint32_t sbdf, unsigned int entry)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_MSI_SEG, .index = -1,
                                  .pirq = -1, .bus = (int32_t)((sbdf >> 16) << 16 | ((sbdf >> 8) & 0xff)),
                                  .devfn = (int32_t)(sbdf & 0xff), .entry_nr = (int32_t)entry };
    struct evtchn_bind_pirq bp = { 0 };
    struct physdev_irq_status_query q = { 0 };
    long rc;

    if (!(m.table_base = msix_table_base(sbdf)))
        return -XEN_ENODEV;
    eoi_map_init();
    if ((rc = HYPERVISOR_physdev_op(PHYSDEVOP_map_pirq, &m)))
        return (int)rc;
    bp.pirq = (uint32_t)m.pirq;
    if ((rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bp))) {
        pirq_unmap(m.pirq);
        return (int)rc;
    }
    q.irq = (uint32_t)m.pirq;
    b->needs_eoi = !HYPERVISOR_physdev_op(PHYSDEVOP_irq_status_query, &q) && (q.flags & XENIRQSTAT_needs_eoi);
    b->pirq = m.pirq;
    return (int)bp.port;
}

int pvos_msix_bind(uint32_t sbdf, unsigned int entry, pvos_event_fn fn, void *ctx)
{
    struct msix_bind *b = NULL;
    int port, rc;

    for (unsigned int i = 0; i < MSIX_BINDS && !b; i++)
        if (!binds[i].used)
            b = &binds[i];
    if (!b || !fn)
        return b ? -XEN_EINVAL : -XEN_ENOSPC;
    if ((port = msix_map_bind(b, sbdf, entry)) < 0)
        return port;
    *b = (struct msix_bind){ .used = true, .needs_eoi = b->needs_eoi, .sbdf = sbdf, .entry = entry,
                             .pirq = b->pirq, .port = port, .fn = fn, .ctx = ctx };
    if ((rc = pvos_evtchn_handle((uint32_t)port, msix_event, b))) {
        pvos_msix_unbind(sbdf, entry, port);
        return rc;
    }
    return port;
}

void pvos_msix_unbind(uint32_t sbdf, unsigned int entry, int port)
{
    for (unsigned int i = 0; i < MSIX_BINDS; i++) {
        struct msix_bind *b = &binds[i];

        if (b->used && b->sbdf == sbdf && b->entry == entry && b->port == port) {
            pvos_evtchn_close((uint32_t)port);
            pirq_unmap(b->pirq);
            b->used = false;
        }
    }
}

void pvos_dev_report(void)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < MSIX_BINDS; i++) {
        const struct msix_bind *b = &binds[i];

        if (!b->used)
            continue;
        printk("  pirq %3d  port %3d  %02x:%02x.%x MSI-X entry %u: %lu events%s\n", b->pirq, b->port,
               (b->sbdf >> 8) & 0xff, (b->sbdf >> 3) & 0x1f, b->sbdf & 7, b->entry,
               (unsigned long)b->events, needs_eoi(b) ? " (needs eoi)" : "");
        n++;
    }
    if (!n)
        printk("  no device interrupts bound\n");
}
