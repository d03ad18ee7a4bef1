/*
 * VT-d units: bring-up, context entries, register-based invalidation and
 * fault recording. Fault events stay masked (the hypervisor has no vector
 * for them): faults are read from the recording registers by polling
 * (iommu_fault_poll, from the timer interrupt and before a device changes
 * hands), as Xen's fault handler does from its interrupt.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "pci.h"
#include "processor.h"
#include "domain.h"
#include "vtd.h"

static bool all_coherent = true;

static uint32_t rd32(const struct vtd_unit *u, unsigned int r) { return *(volatile uint32_t *)(u->regs + r); }
static uint64_t rd64(const struct vtd_unit *u, unsigned int r) { return *(volatile uint64_t *)(u->regs + r); }
static void wr32(struct vtd_unit *u, unsigned int r, uint32_t v) { *(volatile uint32_t *)(u->regs + r) = v; }
static void wr64(struct vtd_unit *u, unsigned int r, uint64_t v) { *(volatile uint64_t *)(u->regs + r) = v; }

/* The hardware completes every command we issue within microseconds; one that never does is a broken unit. */
#define VTD_SPIN_LIMIT 100000000UL

static void wait32(struct vtd_unit *u, unsigned int r, uint32_t mask, uint32_t want, const char *what)
{
    for (unsigned long i = 0; (rd32(u, r) & mask) != want; i++) {
        if (i == VTD_SPIN_LIMIT)
            panic("IOMMU at %#lx: %s never completed", (unsigned long)u->base, what);
        cpu_relax();
    }
}

static void wait64(struct vtd_unit *u, unsigned int r, uint64_t bit, const char *what)
{
    for (unsigned long i = 0; rd64(u, r) & bit; i++) {
        if (i == VTD_SPIN_LIMIT)
            panic("IOMMU at %#lx: %s never completed", (unsigned long)u->base, what);
        cpu_relax();
    }
}

/* One GCMD command bit set (the persistent ones kept), waiting for its status bit. */
static void gcmd(struct vtd_unit *u, uint32_t cmd, uint32_t status, const char *what)
{
    wr32(u, DMAR_GCMD_REG, (rd32(u, DMAR_GSTS_REG) & GSTS_KEEP) | cmd);
    wait32(u, DMAR_GSTS_REG, status, status, what);
}

void vtd_flush_cache(const void *p, size_t len)
{
    if (all_coherent)
        return;
    for (uintptr_t a = ROUNDDOWN((uintptr_t)p, 64); a < (uintptr_t)p + len; a += 64)
        __asm__ __volatile__("clflush (%0)" :: "r"(a) : "memory");
    __asm__ __volatile__("mfence" ::: "memory");
}

/* Posted writes reach memory before the unit reads its tables (units without snooping, CAP.RWBF). */
static void write_buffer_flush(struct vtd_unit *u)
{
    if (!(u->cap & CAP_RWBF))
        return;
    wr32(u, DMAR_GCMD_REG, (rd32(u, DMAR_GSTS_REG) & GSTS_KEEP) | GCMD_WBF);
    wait32(u, DMAR_GSTS_REG, GSTS_WBFS, 0, "write-buffer flush");
}

static void context_cache_flush(struct vtd_unit *u)
{
    write_buffer_flush(u);
    wr64(u, DMAR_CCMD_REG, CCMD_ICC | CCMD_GLOBAL);
    wait64(u, DMAR_CCMD_REG, CCMD_ICC, "context-cache invalidation");
}

/* did 0: every domain. Completes (IVT clear) before returning: no stale translation survives it. */
static void iotlb_flush(struct vtd_unit *u, uint16_t did)
{
    unsigned int r = ECAP_IRO(u->ecap) + 8;

    write_buffer_flush(u);
    wr64(u, r, IOTLB_IVT | IOTLB_DR | IOTLB_DW | (did ? IOTLB_DOMAIN | IOTLB_DID(did) : IOTLB_GLOBAL));
    wait64(u, r, IOTLB_IVT, "IOTLB invalidation");
}

void vtd_iotlb_flush_domain(uint16_t did)
{
    for (unsigned int i = 0; i < vtd_nr_units; i++) {
        struct vtd_unit *u = &vtd_units[i];
        unsigned long f = spin_lock_irqsave(&u->lock);

        iotlb_flush(u, did);
        spin_unlock_irqrestore(&u->lock, f);
    }
}

static unsigned int pick_levels(uint64_t cap)
{
    /* DMA addresses are machine addresses, all below the 512 GiB direct map: 39 bits suffice. */
    if (CAP_SAGAW(cap) & 2)
        return 3;
    return CAP_SAGAW(cap) & 4 ? 4 : 0;
}

static bool regs_fit(const struct vtd_unit *u)
{
    return ECAP_IRO(u->ecap) + 16 <= PAGE_SIZE && CAP_FRO(u->cap) + 16 * CAP_NFR(u->cap) <= PAGE_SIZE;
}

/* Bus `bus`'s context table, created if absent (kept forever); NULL without memory. */
static struct vtd_entry *context_table(struct vtd_unit *u, unsigned int bus)
{
    if (!u->ctx[bus] && (u->ctx[bus] = xzalloc_bytes(PAGE_SIZE))) {
        vtd_flush_cache(u->ctx[bus], PAGE_SIZE);
        WRITE_ONCE(u->root[bus].lo, __pa(u->ctx[bus]) | VTD_P);
        vtd_flush_cache(&u->root[bus], sizeof(u->root[bus]));
    }
    return u->ctx[bus];
}

/*
 * Context tables for every bus with a function this unit translates, at
 * boot: the hypervisor's own memory, not charged to the first domain
 * given a device.
 */
static void context_tables_alloc(struct vtd_unit *u)
{
    for_each_pdev(p)
        if (vtd_unit_for(p->sbdf) == u && !context_table(u, PCI_BUS(p->sbdf)))
            panic("IOMMU: no memory for context tables");
}

bool vtd_unit_init(struct vtd_unit *u)
{
    u->regs = ioremap(u->base, PAGE_SIZE);
    u->cap = rd64(u, DMAR_CAP_REG);
    u->ecap = rd64(u, DMAR_ECAP_REG);
    u->levels = pick_levels(u->cap);
    u->nr_domids = 1U << (4 + 2 * CAP_ND(u->cap));
    if (!u->levels || !regs_fit(u)) {
        printk(XENLOG_WARNING "IOMMU: VT-d at %#lx: cap %#lx ecap %#lx not supported, unit left off\n",
               (unsigned long)u->base, (unsigned long)u->cap, (unsigned long)u->ecap);
        return false;
    }
    if (!(u->ecap & ECAP_C))
        all_coherent = false;
    if (rd32(u, DMAR_GSTS_REG) & GSTS_TES) {    /* left on by firmware: its tables are not ours */
        wr32(u, DMAR_GCMD_REG, rd32(u, DMAR_GSTS_REG) & GSTS_KEEP & ~GCMD_TE);
        wait32(u, DMAR_GSTS_REG, GSTS_TES, 0, "translation disable");
    }
    u->root = xzalloc_bytes(PAGE_SIZE);
    context_tables_alloc(u);
    wr64(u, DMAR_RTADDR_REG, __pa(u->root));            /* legacy-mode root table (TTM 00) */
    gcmd(u, GCMD_SRTP, GSTS_RTPS, "root-table pointer");
    context_cache_flush(u);
    iotlb_flush(u, 0);
    wr32(u, DMAR_FECTL_REG, FECTL_IM);
    vtd_fault_poll(u);                                  /* anything left from before: reported, cleared */
    gcmd(u, GCMD_TE, GSTS_TES, "translation enable");
    return true;
}

unsigned int vtd_common_levels(void)
{
    unsigned int l = 0;

    for (unsigned int i = 0; i < vtd_nr_units; i++) {
        if (!vtd_units[i].regs)
            continue;
        if (l && l != vtd_units[i].levels)
            return 0;
        l = vtd_units[i].levels;
    }
    return l;
}

int vtd_context_set(struct vtd_unit *u, pci_sbdf_t sbdf, uint16_t did, paddr_t pgd, unsigned int levels)
{
    struct vtd_entry *ctx = context_table(u, PCI_BUS(sbdf)), *e;
    unsigned long f;

    if (!ctx || did == 0 || did >= u->nr_domids)
        return -1;
    e = &ctx[PCI_DEVFN(sbdf)];
    f = spin_lock_irqsave(&u->lock);
    e->hi = CTX_AW(levels) | CTX_DID(did);
    barrier();
    WRITE_ONCE(e->lo, pgd | VTD_P);                     /* translation type 00: untranslated requests only */
    vtd_flush_cache(e, sizeof(*e));
    context_cache_flush(u);
    iotlb_flush(u, did);
    spin_unlock_irqrestore(&u->lock, f);
    return 0;
}

void vtd_context_clear(struct vtd_unit *u, pci_sbdf_t sbdf, uint16_t did)
{
    struct vtd_entry *ctx = u->ctx[PCI_BUS(sbdf)], *e;
    unsigned long f;

    if (!ctx)
        return;
    e = &ctx[PCI_DEVFN(sbdf)];
    f = spin_lock_irqsave(&u->lock);
    WRITE_ONCE(e->lo, 0);
    barrier();
    e->hi = 0;
    vtd_flush_cache(e, sizeof(*e));
    context_cache_flush(u);
    iotlb_flush(u, did);
    spin_unlock_irqrestore(&u->lock, f);
}

static const char *fault_reason(unsigned int r)
{
    static const char *const why[] = {
        [1] = "root entry not present", [2] = "context entry not present",
        [3] = "invalid context entry", [4] = "address beyond the domain's width",
        [5] = "no write permission", [6] = "no read permission",
        [7] = "page-table walk error", [0xa] = "reserved bit in a root entry",
        [0xb] = "reserved bit in a context entry", [0xc] = "reserved bit in a page-table entry",
    };

    return r < ARRAY_SIZE(why) && why[r] ? why[r] : "other";
}

#define VTD_FAULTS_SHOWN 64     /* per unit: a device made to fault in a loop cannot flood the log */

static void fault_report(struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
    pci_sbdf_t sbdf = FRCD_SID(hi);
    struct pci_dev *p = pci_get_pdev(sbdf);
    char owner[16] = "the hypervisor";

    if (++u->faults > VTD_FAULTS_SHOWN) {
        if (u->faults == VTD_FAULTS_SHOWN + 1)
            printk(XENLOG_WARNING "IOMMU: more DMA faults: counted, not shown\n");
        return;
    }
    if (p && p->owner)
        snprintf(owner, sizeof(owner), "d%u", p->owner->domain_id);
    printk(XENLOG_WARNING "IOMMU: DMA fault: %02x:%02x.%u %s at %#lx blocked (reason %#x: %s), owner %s\n",
           PCI_BUS(sbdf), PCI_SLOT(sbdf), PCI_FUNC(sbdf), hi & FRCD_T_READ ? "read" : "write",
           (unsigned long)(lo & PAGE_MASK), (unsigned int)FRCD_REASON(hi), fault_reason(FRCD_REASON(hi)), owner);
}

void vtd_fault_poll(struct vtd_unit *u)
{
    unsigned int nfr = CAP_NFR(u->cap), fro = CAP_FRO(u->cap), i;
    unsigned long f;
    uint32_t st;

    if (!u->regs || !((st = rd32(u, DMAR_FSTS_REG)) & (FSTS_PPF | FSTS_PFO)))
        return;
    f = spin_lock_irqsave(&u->lock);
    i = FSTS_FRI(st) % nfr;
    for (unsigned int n = 0; n < nfr; n++, i = (i + 1) % nfr) {
        uint64_t hi = rd64(u, fro + 16 * i + 8), lo;

        if (!(hi & FRCD_F))
            break;
        lo = rd64(u, fro + 16 * i);
        wr32(u, fro + 16 * i + 12, (uint32_t)(FRCD_F >> 32));     /* F is write-1-to-clear */
        fault_report(u, lo, hi);
    }
    if (st & FSTS_PFO) {
        wr32(u, DMAR_FSTS_REG, FSTS_PFO);
        printk(XENLOG_WARNING "IOMMU: fault recording overflowed: some DMA faults were not recorded\n");
    }
    spin_unlock_irqrestore(&u->lock, f);
}
