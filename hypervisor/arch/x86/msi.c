/*
 * MSI and MSI-X, programmed by the hypervisor alone (as Xen's msi.c): the
 * driver domain's writes to these capabilities are dropped by the config
 * mediation and it maps the MSI-X table read-only, so the address/data
 * pairs, mask bits and enable bits it sees are the ones written here.
 * Messages go to the boot CPU's APIC, fixed delivery, edge.
 * Callers hold irq_lock.
 */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "irq.h"
#include "irq_desc.h"
#include <tandem/errno.h>

#define PCI_COMMAND             0x04
#define PCI_COMMAND_MEMORY      0x2
#define PCI_COMMAND_INTX_OFF    0x400

#define MSI_FLAGS               2
#define MSI_FLAGS_ENABLE        0x0001
#define MSI_FLAGS_QSIZE         0x0070
#define MSI_FLAGS_64BIT         0x0080
#define MSI_FLAGS_MASKBIT       0x0100
#define MSI_ADDR_LO             4

#define MSIX_FLAGS              2
#define MSIX_FLAGS_MASKALL      0x4000
#define MSIX_FLAGS_ENABLE       0x8000
#define MSIX_ENTRY_SIZE         16
#define MSIX_VECTOR_CTRL        12
#define MSIX_CTRL_MASKED        1

#define MSI_ADDR(apic_id)       (0xfee00000U | ((uint32_t)(apic_id) << 12))

/* What this file keeps per function (pdev->msi_priv). */
struct msi_state {
    bool msi_on;
    uint8_t msi_vector;
    volatile uint32_t *msix_table;  /* ioremapped once, kept (ioremap has no unmap) */
    uint64_t msix_table_pa;
    unsigned int msix_used;         /* entries mapped to irqs */
};

static struct msi_state *msi_state(struct pci_dev *pdev)
{
    if (!pdev->msi_priv)
        pdev->msi_priv = xzalloc(struct msi_state);
    return pdev->msi_priv;
}

static uint16_t cap_read16(const struct pci_dev *p, unsigned int off)
{
    return pci_conf_read(p->sbdf, off, 2);
}

static void cap_write16(const struct pci_dev *p, unsigned int off, uint16_t v)
{
    pci_conf_write(p->sbdf, off, 2, v);
}

static unsigned int msi_data_reg(const struct pci_dev *p, uint16_t flags)
{
    return p->msi_cap + (flags & MSI_FLAGS_64BIT ? 12 : 8);
}

static unsigned int msi_mask_reg(const struct pci_dev *p, uint16_t flags)
{
    return msi_data_reg(p, flags) + 4;
}

/* MSI: one vector (multi-message is refused before this), the mask bit if the function has one. */
int msi_enable(struct pci_dev *pdev, uint8_t vector)
{
    struct msi_state *st = msi_state(pdev);
    uint16_t flags;

    if (!st)
        return -XEN_ENOMEM;
    if (!pdev->msi_cap)
        return -XEN_ENODEV;
    if (st->msi_on)
        return -XEN_EEXIST;
    flags = cap_read16(pdev, pdev->msi_cap + MSI_FLAGS);
    cap_write16(pdev, pdev->msi_cap + MSI_FLAGS, flags & ~(MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE));
    pci_conf_write(pdev->sbdf, pdev->msi_cap + MSI_ADDR_LO, 4, MSI_ADDR(0));
    if (flags & MSI_FLAGS_64BIT)
        pci_conf_write(pdev->sbdf, pdev->msi_cap + MSI_ADDR_LO + 4, 4, 0);
    cap_write16(pdev, msi_data_reg(pdev, flags), vector);
    if (flags & MSI_FLAGS_MASKBIT)
        pci_conf_write(pdev->sbdf, msi_mask_reg(pdev, flags), 4, 1);   /* masked until startup */
    cap_write16(pdev, pdev->msi_cap + MSI_FLAGS, (flags & ~MSI_FLAGS_QSIZE) | MSI_FLAGS_ENABLE);
    st->msi_on = true;
    st->msi_vector = vector;
    return 0;
}

/* The table through the function's BAR as the hypervisor sized it (never the guest's table_base). */
static int msix_map_table(struct pci_dev *pdev, struct msi_state *st)
{
    const struct pci_bar *bar = &pdev->bar[pdev->msix_table_bir];
    uint64_t len = (uint64_t)pdev->msix_nr * MSIX_ENTRY_SIZE;

    if (pdev->msix_table_bir > 5 || bar->io || !bar->base ||
        pdev->msix_table_off + len > bar->size)
        return -XEN_ENXIO;
    if (st->msix_table && st->msix_table_pa == bar->base + pdev->msix_table_off)
        return 0;
    st->msix_table_pa = bar->base + pdev->msix_table_off;
    st->msix_table = ioremap(st->msix_table_pa, len);
    return 0;
}

static volatile uint32_t *msix_entry(struct msi_state *st, unsigned int entry)
{
    return st->msix_table + entry * (MSIX_ENTRY_SIZE / 4);
}

/* Xen's msix_capability_init: mask-all while the entry is written; memory decode must be on (-ENXIO). */
int msix_enable(struct pci_dev *pdev, unsigned int entry, uint8_t vector)
{
    struct msi_state *st = msi_state(pdev);
    volatile uint32_t *e;
    uint16_t flags;
    int rc;

    if (!st)
        return -XEN_ENOMEM;
    if (!pdev->msix_cap)
        return -XEN_ENODEV;
    if (entry >= pdev->msix_nr)
        return -XEN_EINVAL;
    if (!(pci_conf_read(pdev->sbdf, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
        return -XEN_ENXIO;
    if ((rc = msix_map_table(pdev, st)))
        return rc;
    flags = cap_read16(pdev, pdev->msix_cap + MSIX_FLAGS);
    cap_write16(pdev, pdev->msix_cap + MSIX_FLAGS, flags | MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
    if (!st->msix_used)     /* first entry: every other one masked, as the table may hold junk */
        for (unsigned int i = 0; i < pdev->msix_nr; i++)
            msix_entry(st, i)[MSIX_VECTOR_CTRL / 4] = MSIX_CTRL_MASKED;
    e = msix_entry(st, entry);
    e[MSIX_VECTOR_CTRL / 4] = MSIX_CTRL_MASKED;
    e[0] = MSI_ADDR(0);
    e[1] = 0;
    e[2] = vector;
    cap_write16(pdev, pdev->msix_cap + MSIX_FLAGS, (flags | MSIX_FLAGS_ENABLE) & ~MSIX_FLAGS_MASKALL);
    st->msix_used++;
    return 0;
}

void msi_mask(struct irq_desc *desc, bool masked)
{
    struct pci_dev *pdev = desc->pdev;
    struct msi_state *st = pdev->msi_priv;

    if (desc->kind == IRQ_MSIX) {
        msix_entry(st, desc->msix_entry)[MSIX_VECTOR_CTRL / 4] = masked ? MSIX_CTRL_MASKED : 0;
        (void)msix_entry(st, desc->msix_entry)[MSIX_VECTOR_CTRL / 4];   /* posted write flushed */
    } else {
        uint16_t flags = cap_read16(pdev, pdev->msi_cap + MSI_FLAGS);
        if (flags & MSI_FLAGS_MASKBIT)
            pci_conf_write(pdev->sbdf, msi_mask_reg(pdev, flags), 4, masked);
    }
}

/* The entry (MSI: the capability) off; the last MSI-X entry turns MSI-X off. */
void msi_disable(struct irq_desc *desc)
{
    struct pci_dev *pdev = desc->pdev;
    struct msi_state *st = pdev->msi_priv;
    uint16_t flags;

    if (!st)
        return;
    msi_mask(desc, true);
    if (desc->kind == IRQ_MSIX) {
        msix_entry(st, desc->msix_entry)[2] = 0;
        if (st->msix_used && !--st->msix_used) {
            flags = cap_read16(pdev, pdev->msix_cap + MSIX_FLAGS);
            cap_write16(pdev, pdev->msix_cap + MSIX_FLAGS, flags & ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
        }
    } else {
        flags = cap_read16(pdev, pdev->msi_cap + MSI_FLAGS);
        cap_write16(pdev, pdev->msi_cap + MSI_FLAGS, flags & ~MSI_FLAGS_ENABLE);
        st->msi_on = false;
    }
}

bool msi_in_use(const struct pci_dev *pdev, bool msix)
{
    const struct msi_state *st = pdev->msi_priv;

    return st && (msix ? st->msix_used != 0 : st->msi_on);
}

/*
 * PHYSDEVOP_prepare_msix / release_msix (Xen's pci_prepare_msix): Tandem
 * maps the table when the first entry is mapped, so there is nothing to
 * prepare; the state checks are Xen's.
 */
int msix_prepare(struct pci_dev *pdev, bool release)
{
    if (!pdev->msix_cap)
        return -XEN_ENODEV;
    if (msi_in_use(pdev, true) != release)
        return -XEN_EBUSY;
    return 0;
}

/* PHYSDEVOP_restore_msi(_ext) (after a device reset): every mapped vector written again. */
int msi_restore(struct pci_dev *pdev)
{
    struct msi_state *st = pdev->msi_priv;

    if (!st)
        return 0;
    if (st->msi_on) {
        st->msi_on = false;
        msi_enable(pdev, st->msi_vector);
    }
    for (unsigned int irq = IRQ_MSI_BASE; irq < NR_IRQS; irq++) {
        struct irq_desc *desc = &irq_descs[irq];
        if (desc->kind == IRQ_MSIX && desc->pdev == pdev) {
            st->msix_used--;
            msix_enable(pdev, desc->msix_entry, desc->vector);
            if (desc->guest_bound)
                msi_mask(desc, false);
        } else if (desc->kind == IRQ_MSI && desc->pdev == pdev && desc->guest_bound) {
            msi_mask(desc, false);
        }
    }
    return 0;
}

/* The function leaves its owner (H1's pci_release_domain): every vector of it unmapped first. */
void msi_release_device(struct pci_dev *pdev)
{
    irq_release_pdev(pdev);
    xfree(pdev->msi_priv);
    pdev->msi_priv = NULL;
}
