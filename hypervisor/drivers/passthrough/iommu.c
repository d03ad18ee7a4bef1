/*
 * DMA confinement (Xen's PV IOMMU model, drivers/passthrough/x86/iommu.c
 * and the hooks in arch/x86/mm.c _get_page_type): a domain with devices has
 * its own DMA page tables, identity-mapped (DMA address = machine address).
 * What they map, and must keep mapping exactly:
 *  - each frame the domain owns while it is typed PGT_writable_page
 *    (read/write): never one typed as a page table or descriptor page, so a
 *    device cannot rewrite what the hypervisor validated; never the
 *    hypervisor's frames (shared_info included) or another domain's;
 *  - each frame another domain granted it and it has mapped (host or
 *    device mapping): writable if one of those mappings is, else read-only.
 * A frame leaving the domain, or changing type, leaves the tables (and the
 * IOTLB) before the change is used.
 */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "domain.h"
#include "spinlock.h"
#include "iommu.h"
#include "acpi.h"
#include "grant_table.h"
#include "vtd/vtd.h"
#include <tandem/errno.h>

struct domain_iommu {
    struct vtd_domain vd;
    spinlock_t lock;            /* the tables (innermost: only the heap allocator nests inside) */
    unsigned int nr_devices;
};

bool iommu_enabled;
static unsigned int iommu_levels;
/* Domains with tables: the page-type hook looks a frame's owner up here, not in the domain list. */
#define IOMMU_MAX_DOMAINS 8
static struct domain *iommu_doms[IOMMU_MAX_DOMAINS];
static unsigned int iommu_nr_doms;
static spinlock_t iommu_doms_lock = SPIN_LOCK_UNLOCKED;

static unsigned int translated_count(void)
{
    unsigned int n = 0;

    for_each_pdev(p)
        n += vtd_unit_for(p->sbdf) != NULL;
    return n;
}

void iommu_init(void)
{
    unsigned int up = 0;

    if (!vtd_dmar_parse()) {
        printk("IOMMU: none found; DMA from devices is unconfined\n");
        return;
    }
    for (unsigned int i = 0; i < vtd_nr_units; i++)
        up += vtd_unit_init(&vtd_units[i]);
    if (up != vtd_nr_units || !(iommu_levels = vtd_common_levels())) {
        printk(XENLOG_WARNING "IOMMU: %u of %u VT-d units usable: DMA remapping off, DMA unconfined\n",
               up, vtd_nr_units);
        return;
    }
    iommu_enabled = true;
    for (unsigned int i = 0; i < vtd_nr_units; i++) {
        uint32_t ver = *(volatile uint32_t *)vtd_units[i].regs;

        printk("IOMMU: VT-d %u.%u at %#lx, %u-level tables, %u domain ids\n", (ver >> 4) & 0xf, ver & 0xf,
               (unsigned long)vtd_units[i].base, iommu_levels, vtd_units[i].nr_domids);
    }
    printk("IOMMU: VT-d at %#lx, %u devices translated (DMA blocked until a device is assigned)\n",
           (unsigned long)vtd_units[0].base, translated_count());
}

void iommu_fault_poll(void)
{
    if (!iommu_enabled)
        return;
    for (unsigned int i = 0; i < vtd_nr_units; i++)
        vtd_fault_poll(&vtd_units[i]);
}

/* The tables of domain `id`, if it has any (under iommu_doms_lock: they stay while it is held). */
static struct domain_iommu *iommu_of(domid_t id)
{
    for (unsigned int i = 0; i < IOMMU_MAX_DOMAINS; i++)
        if (iommu_doms[i] && iommu_doms[i]->domain_id == id)
            return iommu_doms[i]->iommu;
    return NULL;
}

/* Should the tables of domain `id` map its own frame `mfn` (see the head of the file)? */
static bool own_frame_wanted(domid_t id, mfn_t mfn)
{
    uint64_t t;

    if (!mfn_valid(mfn))
        return false;
    t = page_type_info(mfn_to_page(mfn));
    return mfn_to_page(mfn)->owner == id && PTI_TYPE(t) == PGT_writable_page &&
           (PTI_FLAGS(t) & PGF_allocated) &&
           !(PTI_FLAGS(t) & (PGF_zombie | PGF_xenheap | PGF_shared_info));
}

/* Under io->lock: the entry for mfn becomes `perm` (0, SL_R, SL_R | SL_W); the IOTLB forgets what went. */
static int set_entry(struct domain_iommu *io, mfn_t mfn, uint64_t perm)
{
    uint64_t old = vtd_pt_lookup(&io->vd, mfn);

    if (old == perm)
        return 0;
    if (perm) {
        if (vtd_pt_map(&io->vd, mfn, perm & SL_W))
            return -XEN_ENOMEM;
    } else {
        vtd_pt_unmap(&io->vd, mfn);
    }
    if (old & ~perm)
        vtd_iotlb_flush_domain(io->vd.did);
    return 0;
}

/*
 * The entry follows the frame's current state, whatever order racing
 * changes reach here in: the last caller to take the lock sees the last
 * state. (A failed map leaves the frame unreachable by DMA: safe.)
 */
static void own_frame_sync(domid_t id, struct domain_iommu *io, mfn_t mfn)
{
    spin_lock(&io->lock);
    if (set_entry(io, mfn, own_frame_wanted(id, mfn) ? SL_R | SL_W : 0))
        printk(XENLOG_WARNING "IOMMU: d%u: no memory for DMA tables: frame %#lx not reachable by its devices\n",
               id, (unsigned long)mfn);
    spin_unlock(&io->lock);
}

void iommu_page_type_change(struct page_info *pg, unsigned int from, unsigned int to)
{
    struct domain_iommu *io;
    domid_t id;

    /* The type change is published (seq_cst) before this load; iommu_domain_init publishes the other way. */
    if (!__atomic_load_n(&iommu_nr_doms, __ATOMIC_SEQ_CST) ||
        (from != PGT_writable_page && to != PGT_writable_page))
        return;
    id = READ_ONCE(pg->owner);
    spin_lock(&iommu_doms_lock);
    if ((io = iommu_of(id)))
        own_frame_sync(id, io, page_to_mfn(pg));
    spin_unlock(&iommu_doms_lock);
}

void iommu_page_released(struct domain *d, mfn_t mfn)
{
    struct domain_iommu *io = __atomic_load_n(&d->iommu, __ATOMIC_SEQ_CST);

    if (io)
        own_frame_sync(d->domain_id, io, mfn);
}

int iommu_map_page(struct domain *d, mfn_t mfn, bool writable)
{
    struct domain_iommu *io = d->iommu;
    int rc;

    if (!io)
        return 0;
    spin_lock(&io->lock);
    rc = set_entry(io, mfn, SL_R | (writable ? SL_W : 0));
    spin_unlock(&io->lock);
    return rc;
}

int iommu_unmap_page(struct domain *d, mfn_t mfn)
{
    struct domain_iommu *io = d->iommu;

    if (!io)
        return 0;
    spin_lock(&io->lock);
    set_entry(io, mfn, 0);
    spin_unlock(&io->lock);
    return 0;
}

/* Map every frame of d's that qualifies; d->iommu is published first, so a racing type change is not lost. */
static void populate(struct domain *d, struct domain_iommu *io)
{
    spin_lock(&d->page_alloc_lock);
    spin_lock(&io->lock);
    for (mfn_t m = d->page_list; m != ~0UL; m = frame_table[m].next)
        if (own_frame_wanted(d->domain_id, m) && set_entry(io, m, SL_R | SL_W))
            printk(XENLOG_WARNING "IOMMU: d%u: no memory for DMA tables: frame %#lx not reachable\n",
                   d->domain_id, (unsigned long)m);
    spin_unlock(&io->lock);
    spin_unlock(&d->page_alloc_lock);
}

int iommu_domain_init(struct domain *d)
{
    struct domain_iommu *io;
    unsigned int slot;

    if (!iommu_enabled || d->iommu)
        return 0;
    if (d->domain_id + 1U >= vtd_units[0].nr_domids)
        return -XEN_ENOSPC;
    if (!(io = xzalloc(struct domain_iommu)))
        return -XEN_ENOMEM;
    spin_lock_init(&io->lock);
    if (vtd_pt_init(&io->vd, iommu_levels, d->domain_id + 1)) {     /* domain id 0 is reserved (caching mode) */
        xfree(io);
        return -XEN_ENOMEM;
    }
    spin_lock(&iommu_doms_lock);
    for (slot = 0; slot < IOMMU_MAX_DOMAINS && iommu_doms[slot]; slot++)
        ;
    if (slot == IOMMU_MAX_DOMAINS) {
        spin_unlock(&iommu_doms_lock);
        vtd_pt_free(&io->vd);
        xfree(io);
        return -XEN_ENOSPC;
    }
    __atomic_store_n(&d->iommu, io, __ATOMIC_SEQ_CST);
    __atomic_store_n(&iommu_doms[slot], d, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&iommu_nr_doms, 1, __ATOMIC_SEQ_CST);
    spin_unlock(&iommu_doms_lock);
    populate(d, io);
    return 0;
}

int iommu_assign_device(struct domain *d, struct pci_dev *pdev)
{
    struct vtd_unit *u;
    int rc;

    if (!iommu_enabled)
        return 0;
    if (!(u = vtd_unit_for(pdev->sbdf))) {
        printk(XENLOG_WARNING "IOMMU: %02x:%02x.%u is behind no VT-d unit: its DMA is unconfined\n",
               PCI_BUS(pdev->sbdf), PCI_SLOT(pdev->sbdf), PCI_FUNC(pdev->sbdf));
        return 0;
    }
    if ((rc = iommu_domain_init(d)))
        return rc;
    if (vtd_context_set(u, pdev->sbdf, d->iommu->vd.did, __pa(d->iommu->vd.pgd), iommu_levels))
        return -XEN_ENODEV;
    pdev->iommu_priv = d->iommu;
    d->iommu->nr_devices++;
    printk(XENLOG_DEBUG "IOMMU: %02x:%02x.%u DMA -> d%u's tables\n", PCI_BUS(pdev->sbdf),
           PCI_SLOT(pdev->sbdf), PCI_FUNC(pdev->sbdf), d->domain_id);
    return 0;
}

void iommu_deassign_device(struct domain *d, struct pci_dev *pdev)
{
    struct vtd_unit *u = vtd_unit_for(pdev->sbdf);
    struct domain_iommu *io = pdev->iommu_priv;

    if (!iommu_enabled || !u || !io || io != d->iommu)
        return;
    vtd_fault_poll(u);          /* faults so far are reported as this owner's */
    vtd_context_clear(u, pdev->sbdf, io->vd.did);
    pdev->iommu_priv = NULL;
    io->nr_devices--;
}

void iommu_domain_destroy(struct domain *d)
{
    struct domain_iommu *io = d->iommu;

    if (!io)
        return;
    for_each_pdev(p)
        if (p->iommu_priv == io)
            iommu_deassign_device(d, p);
    spin_lock(&iommu_doms_lock);
    for (unsigned int i = 0; i < IOMMU_MAX_DOMAINS; i++)
        if (iommu_doms[i] == d)
            __atomic_store_n(&iommu_doms[i], NULL, __ATOMIC_SEQ_CST);
    __atomic_fetch_sub(&iommu_nr_doms, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&d->iommu, NULL, __ATOMIC_SEQ_CST);
    spin_unlock(&iommu_doms_lock);
    vtd_iotlb_flush_domain(io->vd.did);
    vtd_pt_free(&io->vd);
    xfree(io);
}

/* ---- audit ---- */

/* What d's maptrack says its tables must hold for another domain's frame mfn: 0, SL_R or SL_R | SL_W. */
static uint64_t grant_perm(const struct domain *d, mfn_t mfn)
{
    const struct grant_table *gt = d->grant_table;
    uint64_t perm = 0;

    for (unsigned int i = 0; gt && i < gt->maptrack_frames; i++)
        for (unsigned int j = 0; j < MAPTRACK_PER_FRAME; j++) {
            const struct gnttab_maptrack *m = &gt->maptrack[i][j];

            if ((m->flags & MAPTRACK_INUSE) && m->mfn == mfn && m->dom != d->domain_id)
                perm |= SL_R | (m->flags & MAPTRACK_READONLY ? 0 : SL_W);
        }
    return perm;
}

static uint64_t wanted_perm(const struct domain *d, mfn_t mfn)
{
    if (mfn_valid(mfn) && mfn_to_page(mfn)->owner == d->domain_id)
        return own_frame_wanted(d->domain_id, mfn) ? SL_R | SL_W : 0;
    return grant_perm(d, mfn);
}

static void audit_report(const struct domain *d, mfn_t mfn, uint64_t perm, uint64_t want)
{
    printk(XENLOG_ERR "audit: d%u's DMA tables map mfn %#lx %s%s, want %s%s\n", d->domain_id,
           (unsigned long)mfn, perm & SL_R ? "r" : "-", perm & SL_W ? "w" : "-",
           want & SL_R ? "r" : "-", want & SL_W ? "w" : "-");
}

/* Each entry the tables hold is wanted, with these permissions. */
static unsigned int audit_entry(void *ctx, mfn_t mfn, uint64_t perm)
{
    const struct domain *d = ctx;
    uint64_t want = wanted_perm(d, mfn);

    if (perm == want)
        return 0;
    audit_report(d, mfn, perm, want);
    return 1;
}

static unsigned int audit_present(const struct domain *d, const struct domain_iommu *io, mfn_t mfn)
{
    uint64_t want = wanted_perm(d, mfn), perm = vtd_pt_lookup(&io->vd, mfn);

    if (perm == want)
        return 0;
    audit_report(d, mfn, perm, want);
    return 1;
}

/* Both ways: what the tables hold is wanted, and what is wanted (own frames, grant mappings) is there. */
static unsigned int audit_domain(struct domain *d, struct domain_iommu *io)
{
    const struct grant_table *gt = d->grant_table;
    unsigned int bad = vtd_pt_walk(&io->vd, audit_entry, d);

    for (mfn_t m = d->page_list; m != ~0UL; m = frame_table[m].next)
        bad += audit_present(d, io, m);
    for (unsigned int i = 0; gt && i < gt->maptrack_frames; i++)
        for (unsigned int j = 0; j < MAPTRACK_PER_FRAME; j++)
            if ((gt->maptrack[i][j].flags & MAPTRACK_INUSE) && gt->maptrack[i][j].dom != d->domain_id)
                bad += audit_present(d, io, gt->maptrack[i][j].mfn);
    return bad;
}

unsigned int iommu_audit(void)
{
    unsigned int bad = 0;

    spin_lock(&iommu_doms_lock);
    for (unsigned int i = 0; i < IOMMU_MAX_DOMAINS; i++) {
        struct domain *d = iommu_doms[i];

        /* A domain being torn down frees frames its (detached) tables still name, until iommu_domain_destroy. */
        if (!d || d->rel.started)
            continue;
        spin_lock(&d->page_alloc_lock);
        spin_lock(&d->iommu->lock);
        bad += audit_domain(d, d->iommu);
        spin_unlock(&d->iommu->lock);
        spin_unlock(&d->page_alloc_lock);
    }
    spin_unlock(&iommu_doms_lock);
    return bad;
}
