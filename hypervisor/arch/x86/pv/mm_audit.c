/*
 * The frame audit: recompute every reference the PV MMU should hold, from
 * scratch, by walking each live domain's validated tables, pins and base
 * pointers, and compare with the frame table. Also checks the core
 * invariant: no frame is both a page table in use and writable-mapped,
 * and the linear page-table counts (no chains).
 * Run by the 'a' debug key and, with `audit` on the command line, whenever
 * a stopped domain's teardown is done and before power-off.
 */
#include "lib.h"
#include "mm.h"
#include "domain.h"
#include "iommu.h"
#include "grant_table.h"
#include "cpu.h"
#include "irq.h"
#include "evtchn.h"
#include "../hvm/hvm.h"
#include <tandem/xen.h>

bool opt_audit;

struct want { uint32_t count, type_count; int32_t linear; };

/* The references entries [0, n) of table m hold. */
static void tally_table(struct want *w, mfn_t m, unsigned int n)
{
    const struct page_info *pg = mfn_to_page(m);
    const uint64_t *t = mfn_to_virt(m);
    unsigned int level = pg->type;

    for (unsigned int i = 0; i < n; i++) {
        uint64_t e = t[i];
        mfn_t tm;
        if (level == 4 && i >= HV_L4_FIRST_SLOT && i <= HV_L4_LAST_SLOT)
            continue;
        if (!(e & _PAGE_PRESENT))
            continue;
        tm = (e & PADDR_MASK) >> PAGE_SHIFT;
        if (!mfn_valid(tm))
            continue;       /* I/O space (a BAR) holds no reference */
        if (level > 1 && tm == m)
            continue;       /* a linear self-reference holds none */
        if (level > 1 && frame_table[tm].type == level) {
            w[m].linear++;  /* a linear link: counted at both ends */
            w[tm].linear--;
        }
        w[tm].count++;
        if (level > 1 || (e & _PAGE_RW))
            w[tm].type_count++;
    }
}

static void tally_ref(struct want *w, mfn_t m)
{
    if (m && m < max_page) {
        w[m].count++;
        w[m].type_count++;
    }
}

static void tally_ref_cb(void *w, mfn_t m)
{
    tally_ref(w, m);
}

/* Each CPU's GDT area shows only the zero page or descriptor pages in use (no freed frame). */
static unsigned int audit_gdt_areas(void)
{
    unsigned int bad = 0;
    mfn_t m;

    for (unsigned int c = 0; c < NR_CPUS; c++)
        for (unsigned int i = 0; i < 14; i++) {
            const struct page_info *pg;
            if (!cpu_gdt_slot_frame(c, i, &m))
                continue;
            pg = m < max_page ? &frame_table[m] : NULL;
            if (pg && pg->type == PGT_seg_desc_page && pg->type_count)
                continue;
            if (bad++ < 10)
                printk(XENLOG_ERR "audit: CPU%u GDT page %u shows mfn %#lx (type %u, type_count %u): not a descriptor page in use\n",
                       c, i, (unsigned long)m, pg ? pg->type : 0, pg ? pg->type_count : 0);
        }
    /* The LDT areas likewise: only descriptor pages in use. */
    for (unsigned int c = 0; c < NR_CPUS; c++)
        for (unsigned int i = 0; i < 16; i++) {
            const struct page_info *pg;
            if (!cpu_ldt_slot_frame(c, i, &m))
                continue;
            pg = m < max_page ? &frame_table[m] : NULL;
            if (pg && pg->type == PGT_seg_desc_page && pg->type_count)
                continue;
            if (bad++ < 10)
                printk(XENLOG_ERR "audit: CPU%u LDT page %u shows mfn %#lx: not a descriptor page in use\n",
                       c, i, (unsigned long)m);
        }
    return bad;
}

/* Returns the number of problems found (0: consistent). */
unsigned int mm_audit(void)
{
    struct want *w = xzalloc_bytes(max_page * sizeof(*w));
    unsigned int bad = 0;

    if (!w) {
        printk(XENLOG_WARNING "audit: no memory for the audit\n");
        return 0;
    }
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        if (d->state == DOM_DEAD)
            continue;
        /* Pages the hypervisor itself writes for the domain. */
        tally_ref(w, d->shared_info_mfn);
        tally_ref(w, d->console_mfn);
        tally_ref(w, d->store_mfn);
        /* Grant table frames (the hypervisor's references; grant mappings are L1 entries, tallied below). */
        for (unsigned int i = 0; d->grant_table && i < d->grant_table->nr_held; i++)
            tally_ref(w, d->grant_table->frames[i]);
        /* Device grant mappings d holds: a reference, and the writable type unless read-only. */
        for (unsigned int i = 0; d->grant_table && i < d->grant_table->maptrack_frames; i++)
            for (unsigned int j = 0; j < MAPTRACK_PER_FRAME; j++) {
                const struct gnttab_maptrack *mt = &d->grant_table->maptrack[i][j];
                if ((mt->flags & MAPTRACK_INUSE) && (mt->flags & MAPTRACK_DEVICE) && mt->mfn < max_page) {
                    w[mt->mfn].count++;
                    if (!(mt->flags & MAPTRACK_READONLY))
                        w[mt->mfn].type_count++;
                }
            }
        tally_ref(w, irq_eoi_page(d));     /* PHYSDEVOP_pirq_eoi_gmfn */
        evtchn_fifo_frames(d, tally_ref_cb, w);     /* FIFO control blocks and event array */
        hvm_ioreq_frames(d, tally_ref_cb, w);       /* an HVM domain's ioreq pages */
        for (unsigned int i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpu[i];
            if (!v)
                continue;
            tally_ref(w, v->arch.pv.kernel_l4);
            if (v->vcpu_info_mfn != INVALID_MFN)
                tally_ref(w, v->vcpu_info_mfn);
            tally_ref(w, v->arch.pv.user_l4);
            tally_ref(w, v->arch.pv.mm_pending);        /* a teardown it owes */
            for (unsigned int g = 0; g < v->arch.pv.gdt_nr_frames; g++)
                tally_ref(w, v->arch.pv.gdt_frames[g]);
            for (unsigned int l = 0; l < ARRAY_SIZE(v->arch.pv.ldt_frames); l++)
                tally_ref(w, v->arch.pv.ldt_frames[l]);      /* LDT pages mapped so far */
        }
    }
    /* Every validated table and pin, in any domain's frames (zombies included). */
    for (mfn_t m = 0; m < max_page; m++) {
        const struct page_info *pg = &frame_table[m];
        if (!(pg->flags & PGF_allocated))
            continue;
        if (is_pt_type(pg->type) && (pg->flags & PGF_validated))
            tally_table(w, m, 512);
        if (is_pt_type(pg->type) && (pg->flags & PGF_partial)) {
            tally_table(w, m, pg->nr_validated);    /* a validation stopped partway */
            tally_ref(w, m);                        /* and the partial state's own references */
        }
        if (is_pt_type(pg->type) && (pg->flags & PGF_dying))
            tally_table(w, m, pg->nr_validated);    /* a teardown stopped partway; its holder counts it */
        if (pg->flags & PGF_pinned)
            tally_ref(w, m);
    }
    for (mfn_t m = 0; m < max_page; m++) {
        const struct page_info *pg = &frame_table[m];
        if (pg->linear_pt_count != w[m].linear && bad++ < 10)
            printk(XENLOG_ERR "audit: mfn %#lx type %u: linear_pt_count %d (want %d)\n", (unsigned long)m,
                   pg->type, pg->linear_pt_count, (int)w[m].linear);
        if (pg->count != w[m].count || pg->type_count != w[m].type_count) {
            if (bad++ < 10)
                printk(XENLOG_ERR "audit: mfn %#lx owner %u type %u: count %u (want %u) type_count %u (want %u)\n",
                       (unsigned long)m, pg->owner, pg->type, pg->count, w[m].count,
                       pg->type_count, w[m].type_count);
        }
        if (is_pt_type(pg->type) && pg->type_count && !(pg->flags & (PGF_validated | PGF_partial | PGF_dying)) &&
            bad++ < 10)
            printk(XENLOG_ERR "audit: mfn %#lx in use as a page table but not validated\n", (unsigned long)m);
    }
    xfree(w);
    bad += audit_gdt_areas();
    bad += iommu_audit();
    if (bad)
        printk(XENLOG_ERR "audit: %u problem(s) in %lu frames\n", bad, (unsigned long)max_page);
    else
        printk("audit: OK (%lu frames, %lu free)\n", (unsigned long)max_page,
               (unsigned long)free_frame_count());
    return bad;
}
