/* The DMAR ACPI table: which VT-d units exist and which PCI functions each translates. */
#include "lib.h"
#include "acpi.h"
#include "vtd.h"

struct dmar_header {
    struct acpi_table_header h;
    uint8_t haw;                /* host address width - 1 */
    uint8_t flags;
    uint8_t reserved[10];
} __packed;

struct dmar_struct { uint16_t type, length; } __packed;

struct dmar_drhd {
    struct dmar_struct s;
    uint8_t flags;              /* bit 0: INCLUDE_PCI_ALL */
    uint8_t size;
    uint16_t segment;
    uint64_t base;
} __packed;

struct dmar_scope {
    uint8_t type;               /* 1 endpoint, 2 bridge (its sub-hierarchy), 3 IOAPIC, 4 HPET, 5 ACPI */
    uint8_t length;
    uint16_t reserved;
    uint8_t enum_id;
    uint8_t start_bus;
    uint8_t path[];             /* (device, function) pairs */
} __packed;

#define DMAR_DRHD 0
#define DMAR_RMRR 1
#define SCOPE_ENDPOINT 1
#define SCOPE_BRIDGE   2

struct vtd_unit vtd_units[VTD_MAX_UNITS];
unsigned int vtd_nr_units;

/* Follow a scope's path through the bridges (their secondary bus numbers) to the function it names. */
static bool scope_sbdf(const struct dmar_scope *sc, pci_sbdf_t *out)
{
    unsigned int n = (sc->length - sizeof(*sc)) / 2, bus = sc->start_bus;

    if (n == 0)
        return false;
    for (unsigned int i = 0; i + 1 < n; i++) {
        uint32_t sec = pci_conf_read(PCI_SBDF(0, bus, sc->path[2 * i], sc->path[2 * i + 1]), 0x19, 1);
        if (sec == 0xff || sec == 0)
            return false;
        bus = sec;
    }
    *out = PCI_SBDF(0, bus, sc->path[2 * (n - 1)], sc->path[2 * (n - 1) + 1]);
    return true;
}

static void drhd_scopes(struct vtd_unit *u, const uint8_t *p, const uint8_t *end)
{
    while (p + sizeof(struct dmar_scope) <= end) {
        const struct dmar_scope *sc = (const void *)p;
        pci_sbdf_t sbdf;

        if (sc->length < sizeof(*sc) || p + sc->length > end)
            break;
        if ((sc->type == SCOPE_ENDPOINT || sc->type == SCOPE_BRIDGE) && scope_sbdf(sc, &sbdf) &&
            u->nr_scopes < VTD_MAX_SCOPES)
            u->scope[u->nr_scopes++] = sbdf;
        p += sc->length;
    }
}

static void drhd_add(const struct dmar_drhd *d)
{
    struct vtd_unit *u;

    if (d->segment != 0 || d->s.length < sizeof(*d)) {
        printk(XENLOG_WARNING "IOMMU: DMAR unit at %#lx on segment %u ignored\n",
               (unsigned long)d->base, d->segment);
        return;
    }
    if (vtd_nr_units == VTD_MAX_UNITS) {
        printk(XENLOG_WARNING "IOMMU: more than %u DMAR units: %#lx ignored\n", VTD_MAX_UNITS,
               (unsigned long)d->base);
        return;
    }
    u = &vtd_units[vtd_nr_units++];
    u->base = d->base;
    u->include_all = d->flags & 1;
    spin_lock_init(&u->lock);
    drhd_scopes(u, (const uint8_t *)(d + 1), (const uint8_t *)d + d->s.length);
}

bool vtd_dmar_parse(void)
{
    const struct dmar_header *t = (const void *)acpi_find_table("DMAR");
    const uint8_t *p, *end;

    if (!t || t->h.length < sizeof(*t))
        return false;
    end = (const uint8_t *)t + t->h.length;
    for (p = (const uint8_t *)(t + 1); p + sizeof(struct dmar_struct) <= end;) {
        const struct dmar_struct *s = (const void *)p;

        if (s->length < sizeof(*s) || p + s->length > end)
            break;
        if (s->type == DMAR_DRHD)
            drhd_add((const void *)s);
        else if (s->type == DMAR_RMRR)
            /* Reserved memory a device uses behind the OS's back: we map none (QEMU declares none). */
            printk(XENLOG_WARNING "IOMMU: DMAR RMRR ignored: its devices' firmware DMA will fault\n");
        p += s->length;
    }
    return vtd_nr_units > 0;
}

static bool in_scope(const struct vtd_unit *u, pci_sbdf_t sbdf)
{
    for (unsigned int i = 0; i < u->nr_scopes; i++)
        if (u->scope[i] == sbdf)
            return true;
    return false;
}

struct vtd_unit *vtd_unit_for(pci_sbdf_t sbdf)
{
    struct vtd_unit *all = NULL;

    for (unsigned int i = 0; i < vtd_nr_units; i++) {
        if (in_scope(&vtd_units[i], sbdf))
            return &vtd_units[i];
        if (vtd_units[i].include_all)
            all = &vtd_units[i];
    }
    return all;
}
