/*
 * grant_table_op, version 1 (Xen's xen/common/grant_table.c model; the
 * contracts are in include/grant_table.h and docs/abi/grant_table.md).
 * Host mappings' PTEs are written through the arch hooks
 * (arch_gnttab_map_host / arch_gnttab_unmap_host).
 */
#include "refuse.h"
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "grant_table.h"
#include "guest_access.h"
#include "hypercall.h"
#include "arch_hooks.h"
#include "iommu.h"
#include <tandem/errno.h>

#define EPF GNTTAB_ENTRIES_PER_FRAME
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12     /* Xen's; part of the ABI (continuations) */

int gnttab_domain_init(struct domain *d)
{
    struct grant_table *gt = xzalloc(struct grant_table);

    if (!gt)
        return -XEN_ENOMEM;
    gt->max_frames = GNTTAB_DEFAULT_MAX_FRAMES;
    gt->max_maptrack = GNTTAB_DEFAULT_MAX_MAPTRACK;
    gt->maptrack_free = ~0U;
    if (!(gt->maptrack = xzalloc_bytes(gt->max_maptrack * sizeof(*gt->maptrack)))) {
        xfree(gt);
        return -XEN_ENOMEM;
    }
    d->grant_table = gt;
    return 0;
}

void gnttab_set_limits(struct domain *d, unsigned int max_frames, unsigned int max_maptrack)
{
    d->grant_table->max_frames = MIN(max_frames, (unsigned int)GNTTAB_DEFAULT_MAX_FRAMES);
    d->grant_table->max_maptrack = MIN(max_maptrack, (unsigned int)GNTTAB_DEFAULT_MAX_MAPTRACK);
}

void double_gnttab_lock(struct domain *d1, struct domain *d2)
{
    if (d1 == d2) {
        spin_lock(&d1->grant_table->lock);
        return;
    }
    if (d1->domain_id > d2->domain_id) {
        struct domain *t = d1;
        d1 = d2;
        d2 = t;
    }
    spin_lock(&d1->grant_table->lock);
    spin_lock(&d2->grant_table->lock);
}

void double_gnttab_unlock(struct domain *d1, struct domain *d2)
{
    spin_unlock(&d1->grant_table->lock);
    if (d1 != d2)
        spin_unlock(&d2->grant_table->lock);
}

static struct grant_entry_v1 *shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    return (struct grant_entry_v1 *)mfn_to_virt(gt->frames[ref / EPF]) + ref % EPF;
}

/*
 * Pin ref of gt for domain `user` (gt->lock held): the first pin checks
 * the entry (permit_access, granted to user, not readonly if writing) and
 * sets GTF_reading (and GTF_writing) by compare-and-exchange of flags and
 * domid together, so the granter's revoking cmpxchg and ours cannot both
 * win; the frame is read once, then. Xen's _set_status_v1 and statuses.
 */
static int16_t pin(struct grant_table *gt, grant_ref_t ref, domid_t user, bool ro, mfn_t *mfn)
{
    struct gnttab_active *act;
    struct grant_entry_v1 *e;
    uint32_t *combo, old, new;
    bool first;

    if (ref >= gt->nr_frames * EPF) {
        REFUSE_WHY("grant ref %u beyond the granter's %lu entries", ref, (unsigned long)(gt->nr_frames * EPF));
        return GNTST_bad_gntref;
    }
    act = &gt->active[ref / EPF][ref % EPF];
    e = shared_entry(gt, ref);
    first = !act->readers && !act->writers;
    if (!first && act->domid != user)
        return GNTST_general_error;
    if (act->readers == 0xffff || act->writers == 0xffff)
        return GNTST_general_error;
    if (!first && (ro || act->writers)) {
        /*
         * Already pinned for this use: Xen takes the pin without looking at
         * the entry again; Tandem still refuses a use of an entry the
         * granter has revoked (or made read-only, or given to another
         * domain) meanwhile, so a revoked grant gets no new mapping or copy.
         */
        uint32_t cur = __atomic_load_n((uint32_t *)e, __ATOMIC_ACQUIRE);
        uint16_t f = (uint16_t)cur;
        if ((f & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access || (domid_t)(cur >> 16) != user ||
            (!ro && (f & GTF_readonly))) {
            REFUSE_WHY("grant ref %u: entry flags %#x domid %u, revoked or changed since it was pinned",
                       ref, f, (domid_t)(cur >> 16));
            return GNTST_general_error;
        }
    } else {
        combo = (uint32_t *)e;
        old = __atomic_load_n(combo, __ATOMIC_ACQUIRE);
        do {
            uint16_t f = (uint16_t)old;
            if ((f & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access || (domid_t)(old >> 16) != user) {
                REFUSE_WHY("grant ref %u: entry flags %#x domid %u, not GTF_permit_access to d%u",
                           ref, f, (domid_t)(old >> 16), user);
                return GNTST_general_error;
            }
            if (!ro && (f & GTF_readonly)) {
                REFUSE_WHY("grant ref %u is GTF_readonly: a writable use is refused", ref);
                return GNTST_general_error;     /* Xen: "write-pin of a r/o grant entry" */
            }
            new = old | GTF_reading | (ro ? 0 : GTF_writing);
        } while (!__atomic_compare_exchange_n(combo, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
        if (first) {
            act->frame = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
            act->domid = user;
        }
    }
    if (ro)
        act->readers++;
    else
        act->writers++;
    *mfn = act->frame;
    return GNTST_okay;
}

/* Drop a pin taken by pin() (gt->lock held); the last writer clears GTF_writing, the last pin GTF_reading. */
static void unpin(struct grant_table *gt, grant_ref_t ref, bool ro)
{
    struct gnttab_active *act;
    uint16_t clear = 0;

    if (ref >= gt->nr_frames * EPF)
        return;         /* the granter's table is gone (it died): nothing to update */
    act = &gt->active[ref / EPF][ref % EPF];
    if (ro) {
        if (!act->readers)
            return;
        act->readers--;
    } else {
        if (!act->writers)
            return;
        act->writers--;
    }
    if (!act->writers)
        clear |= GTF_writing;
    if (!act->readers && !act->writers)
        clear |= GTF_reading;
    __atomic_fetch_and(&shared_entry(gt, ref)->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

static struct gnttab_maptrack *maptrack_entry(struct grant_table *gt, uint32_t h)
{
    if (h >= gt->maptrack_frames * MAPTRACK_PER_FRAME)
        return NULL;
    return &gt->maptrack[h / MAPTRACK_PER_FRAME][h % MAPTRACK_PER_FRAME];
}

/* A free handle of gt (lock held), growing the maptrack by a page up to max_maptrack; ~0 if none. */
static uint32_t maptrack_get(struct grant_table *gt)
{
    struct gnttab_maptrack *m;
    uint32_t h;

    if (gt->maptrack_free == ~0U) {
        uint32_t base = gt->maptrack_frames * MAPTRACK_PER_FRAME;
        if (gt->maptrack_frames >= gt->max_maptrack || !(m = xzalloc_bytes(PAGE_SIZE)))
            return ~0U;
        for (uint32_t i = 0; i < MAPTRACK_PER_FRAME; i++)
            m[i].ref = i + 1 < MAPTRACK_PER_FRAME ? base + i + 1 : ~0U;
        gt->maptrack[gt->maptrack_frames++] = m;
        gt->maptrack_free = base;
    }
    h = gt->maptrack_free;
    m = maptrack_entry(gt, h);
    gt->maptrack_free = m->ref;
    gt->maptrack_used++;
    return h;
}

static void maptrack_put(struct grant_table *gt, uint32_t h)
{
    struct gnttab_maptrack *m = maptrack_entry(gt, h);

    m->flags = 0;
    m->ref = gt->maptrack_free;
    gt->maptrack_free = h;
    gt->maptrack_used--;
}

/* The domain an op names: DOMID_SELF or the caller's own id is the caller; others need privilege. */
static struct domain *op_domain(struct domain *cd, domid_t dom, int16_t *status)
{
    struct domain *d = dom == DOMID_SELF ? cd : get_domain_by_id(dom);

    if (!d) {
        *status = GNTST_bad_domain;
        return NULL;
    }
    if (d != cd && !cd->is_privileged) {
        *status = GNTST_permission_denied;
        return NULL;
    }
    return d;
}

/* Grow d's table to n frames (gt->lock held): false if out of memory (what was added stays). */
static bool grow_table(struct domain *d, unsigned int n)
{
    struct grant_table *gt = d->grant_table;

    while (gt->nr_frames < n) {
        unsigned int i = gt->nr_frames;
        struct gnttab_active *act = xzalloc_bytes(EPF * sizeof(*act));
        mfn_t m = alloc_frames(0, d->domain_id);

        if (!act || m == INVALID_MFN) {
            xfree(act);
            if (m != INVALID_MFN)
                free_frames(m, 0);
            return false;
        }
        memset(mfn_to_virt(m), 0, PAGE_SIZE);
        /* The guest maps it writable and the hypervisor reads it for the domain's life. */
        arch_share_page_with_guest(m);
        gt->frames[i] = m;
        gt->active[i] = act;
        gt->nr_held = gt->nr_frames = i + 1;
    }
    return true;
}

static long setup_table(struct domain *cd, guest_va_t uop)
{
    struct gnttab_setup_table op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!(d = op_domain(cd, op.dom, &op.status)))
        goto out;
    op.status = GNTST_okay;
    spin_lock(&d->grant_table->lock);
    if (op.nr_frames > d->grant_table->max_frames || d->state != DOM_RUNNING)
        op.status = GNTST_general_error;        /* Xen: "nr_frames > max" */
    else if (!grow_table(d, op.nr_frames))
        op.status = GNTST_general_error;
    for (uint32_t i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
        uint64_t f = d->grant_table->frames[i];
        if (copy_to_guest(op.frame_list + i * sizeof(f), &f, sizeof(f)))
            op.status = GNTST_bad_virt_addr;
    }
    spin_unlock(&d->grant_table->lock);
out:
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long query_size(struct domain *cd, guest_va_t uop)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if ((d = op_domain(cd, op.dom, &op.status))) {
        op.nr_frames = d->grant_table->nr_frames;
        op.max_nr_frames = d->grant_table->max_frames;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/* Version 1 only, as a Xen started with gnttab=max-ver:1: 2 is -ENOSYS, others -EINVAL. */
static long set_version(guest_va_t uop)
{
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    rc = op.version == 1 ? 0 : op.version == 2 ? -XEN_ENOSYS : -XEN_EINVAL;
    op.version = 1;
    if (copy_to_guest(uop, &op, sizeof(op)))
        return -XEN_EFAULT;
    return rc;
}

static long get_version(struct domain *cd, guest_va_t uop)
{
    struct gnttab_get_version op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    d = op.dom == DOMID_SELF ? cd : get_domain_by_id(op.dom);
    if (!d)
        return -XEN_ESRCH;
    if (d != cd && !cd->is_privileged)
        return -XEN_EPERM;
    op.version = 1;
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/*
 * A device mapping's own hold on the frame (no PTE to hold it): a general
 * reference, and for a writable one the writable type, so the frame stays
 * alive (a zombie if the granter dies) and never becomes a page table or
 * descriptor page while a device may write it (Xen's map_grant_ref).
 */
static int16_t device_get(struct domain *rd, mfn_t mfn, bool ro)
{
    struct page_info *pg;

    if (!mfn_valid(mfn) || !get_page(pg = mfn_to_page(mfn), rd))
        return GNTST_general_error;     /* Xen: "Could not pin the granted frame" */
    if (!ro && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

static void device_put(mfn_t mfn, bool ro)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!ro)
        put_page_type(pg);
    put_page(pg);
}

/*
 * Xen's mapkind for a PV mapper with devices: its DMA tables reach another
 * domain's frame while it holds a mapping of it (host or device), writable
 * while one of those is writable. Both domains' grant locks held.
 */
static int iommu_grant_sync(struct domain *ld, mfn_t mfn, domid_t granter)
{
    struct grant_table *gt = ld->grant_table;
    bool any = false, writable = false;

    if (!ld->iommu || granter == ld->domain_id)
        return 0;               /* its own frame: the page-type rules decide */
    for (uint32_t h = 0; h < gt->maptrack_frames * MAPTRACK_PER_FRAME; h++) {
        const struct gnttab_maptrack *m = maptrack_entry(gt, h);

        if ((m->flags & MAPTRACK_INUSE) && m->mfn == mfn) {
            any = true;
            writable |= !(m->flags & MAPTRACK_READONLY);
        }
    }
    return any ? iommu_map_page(ld, mfn, writable) : iommu_unmap_page(ld, mfn);
}

static void release_mapping(struct domain *ld, struct domain *rd, uint32_t h);

static int16_t map_one(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    struct grant_table *lgt = ld->grant_table;
    bool ro = op->flags & GNTMAP_readonly, pte = op->flags & GNTMAP_contains_pte;
    bool host = op->flags & GNTMAP_host_map, dev = op->flags & GNTMAP_device_map;
    struct gnttab_maptrack *m;
    struct domain *rd;
    int16_t st;
    uint32_t h;
    mfn_t mfn;

    op->handle = ~0U;
    if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        return GNTST_bad_gntref;        /* Xen: "bad flags in grant map op" */
    if (!(rd = get_domain_by_id(op->dom))) {
        REFUSE_WHY("d%u: no such domain (map_grant_ref names the granter by its id; DOMID_SELF is not one)",
                   op->dom);
        return GNTST_bad_domain;
    }
    double_gnttab_lock(ld, rd);
    if ((st = pin(rd->grant_table, op->ref, ld->domain_id, ro, &mfn)) != GNTST_okay)
        goto out;
    if ((h = maptrack_get(lgt)) == ~0U) {
        st = GNTST_no_space;
        unpin(rd->grant_table, op->ref, ro);
        goto out;
    }
    if (dev && (st = device_get(rd, mfn, ro)) != GNTST_okay) {
        maptrack_put(lgt, h);
        unpin(rd->grant_table, op->ref, ro);
        goto out;
    }
    if (host && (st = arch_gnttab_map_host(ld, rd, op->host_addr, pte, mfn, ro)) != GNTST_okay) {
        if (dev)
            device_put(mfn, ro);
        maptrack_put(lgt, h);
        unpin(rd->grant_table, op->ref, ro);
        goto out;
    }
    m = maptrack_entry(lgt, h);
    m->host_addr = op->host_addr;
    m->mfn = mfn;
    m->ref = op->ref;
    m->dom = rd->domain_id;
    m->flags = MAPTRACK_INUSE | (ro ? MAPTRACK_READONLY : 0) | (pte ? MAPTRACK_PTE : 0) |
               (host ? MAPTRACK_HOST : 0) | (dev ? MAPTRACK_DEVICE : 0);
    op->handle = h;
    /* PV: the bus address is the machine address, with an IOMMU too (identity-mapped tables). */
    op->dev_bus_addr = dev ? (uint64_t)mfn << PAGE_SHIFT : 0;
    if (iommu_grant_sync(ld, mfn, rd->domain_id)) {
        /* No memory for the DMA tables: the map fails whole, nothing left behind (Xen). */
        if (host)
            arch_gnttab_unmap_host(ld, op->host_addr, pte, mfn);
        release_mapping(ld, rd, h);
        op->handle = ~0U;
        op->dev_bus_addr = 0;
        st = GNTST_general_error;
    }
out:
    double_gnttab_unlock(ld, rd);
    return st;
}

/* Release handle h of ld (its lock and, if alive, the granter's held): the pin, then the handle. */
static void release_mapping(struct domain *ld, struct domain *rd, uint32_t h)
{
    struct gnttab_maptrack *m = maptrack_entry(ld->grant_table, h);

    const struct gnttab_maptrack was = *m;

    maptrack_put(ld->grant_table, h);
    /* Devices lose the frame before the references that keep it alive go. */
    iommu_grant_sync(ld, was.mfn, was.dom);
    if (was.flags & MAPTRACK_DEVICE)
        device_put(was.mfn, was.flags & MAPTRACK_READONLY);
    if (rd)
        unpin(rd->grant_table, was.ref, was.flags & MAPTRACK_READONLY);
}

/*
 * Handle h of ld with both domains' locks held (the granter's only while it
 * is alive: *rd NULL once its teardown started): GNTST_okay, then release
 * with mapping_unlock; GNTST_bad_handle, nothing held, for an unknown or
 * free handle, or one a racing unmap freed before both locks were taken.
 */
static int16_t mapping_lock(struct domain *ld, uint32_t h, struct gnttab_maptrack **mp, struct domain **rd)
{
    struct grant_table *lgt = ld->grant_table;
    struct gnttab_maptrack *m;

    spin_lock(&lgt->lock);
    m = maptrack_entry(lgt, h);
    if (!m || !(m->flags & MAPTRACK_INUSE)) {
        spin_unlock(&lgt->lock);
        return GNTST_bad_handle;
    }
    *rd = get_domain_by_id(m->dom);
    spin_unlock(&lgt->lock);
    double_gnttab_lock(ld, *rd ? *rd : ld);
    if (!(m->flags & MAPTRACK_INUSE)) {         /* looked at again with both locks */
        double_gnttab_unlock(ld, *rd ? *rd : ld);
        return GNTST_bad_handle;
    }
    *mp = m;
    return GNTST_okay;
}

static void mapping_unlock(struct domain *ld, struct domain *rd)
{
    double_gnttab_unlock(ld, rd ? rd : ld);
}

static int16_t unmap_one(struct domain *ld, struct gnttab_unmap_grant_ref *op)
{
    struct gnttab_maptrack *m;
    struct domain *rd;
    int16_t st;

    if ((st = mapping_lock(ld, op->handle, &m, &rd)) != GNTST_okay)
        return st;
    if (op->dev_bus_addr && (m->flags & MAPTRACK_DEVICE) && op->dev_bus_addr >> PAGE_SHIFT != m->mfn) {
        st = GNTST_bad_dev_addr;        /* Xen: "Bus address doesn't match gntref" */
    } else if ((m->flags & MAPTRACK_HOST) && op->host_addr && op->host_addr != m->host_addr) {
        st = GNTST_general_error;       /* not this mapping's address */
    } else {
        /*
         * The PTE goes (and the TLB is flushed) before the pin: the granter
         * sees GTF_reading/writing clear only once nothing maps the frame.
         * A PTE the guest already changed itself took its references with
         * it: the mapping is released all the same, with Xen's status.
         */
        st = m->flags & MAPTRACK_HOST ? arch_gnttab_unmap_host(ld, m->host_addr, m->flags & MAPTRACK_PTE, m->mfn)
                                      : GNTST_okay;
        release_mapping(ld, rd, op->handle);
    }
    mapping_unlock(ld, rd);
    return st;
}

/*
 * unmap_and_replace (Xen's gnttab_unmap_and_replace, PV): the host mapping
 * of handle at host_addr gets the PTE at new_addr, which is cleared (0:
 * just cleared); the mapping is then released as by unmap. Refused with
 * general_error, nothing changed: a host_addr not the mapping's, a mapping
 * without a host PTE or made with contains_pte, new_addr not a present
 * entry of the caller's.
 */
static int16_t replace_one(struct domain *ld, struct gnttab_unmap_and_replace *op)
{
    struct gnttab_maptrack *m;
    struct domain *rd;
    int16_t st;

    if ((st = mapping_lock(ld, op->handle, &m, &rd)) != GNTST_okay)
        return st;
    if (!(m->flags & MAPTRACK_HOST) || (m->flags & MAPTRACK_PTE) || op->host_addr != m->host_addr)
        st = GNTST_general_error;
    else if ((st = arch_gnttab_replace_host(ld, m->host_addr, m->mfn, op->new_addr)) == GNTST_okay)
        release_mapping(ld, rd, op->handle);
    mapping_unlock(ld, rd);
    return st;
}

/* One side of a copy: its frame referenced (and writable-typed for the destination), pinned if a grant. */
struct copy_side {
    struct domain *rd;          /* granter when pinned */
    grant_ref_t ref;
    bool pinned, typed;
    mfn_t mfn;
};

static int16_t copy_acquire(struct domain *ld, const struct gnttab_copy_ptr *p, bool gref, bool dest,
                            struct copy_side *s)
{
    struct domain *owner;
    struct page_info *pg;
    int16_t st;

    if (gref) {
        if (!(s->rd = p->domid == DOMID_SELF ? ld : get_domain_by_id(p->domid)))
            return GNTST_bad_domain;
        spin_lock(&s->rd->grant_table->lock);
        st = pin(s->rd->grant_table, p->u.ref, ld->domain_id, !dest, &s->mfn);
        spin_unlock(&s->rd->grant_table->lock);
        if (st != GNTST_okay)
            return st;
        s->pinned = true;
        s->ref = p->u.ref;
        owner = s->rd;
    } else {
        /* A frame of the caller's own (PV: an MFN); another domain's only with privilege (Xen). */
        if (p->domid != DOMID_SELF && p->domid != ld->domain_id && !ld->is_privileged)
            return GNTST_permission_denied;
        if (!(owner = p->domid == DOMID_SELF ? ld : get_domain_by_id(p->domid)))
            return GNTST_bad_domain;
        s->mfn = p->u.gmfn;
    }
    if (!mfn_valid(s->mfn) || !get_page(pg = mfn_to_page(s->mfn), owner))
        return GNTST_bad_page;
    if (dest && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return GNTST_general_error;     /* a page table or descriptor page: never written by copy */
    }
    s->typed = dest;
    return GNTST_okay;
}

static void copy_release(struct copy_side *s, bool dest, bool referenced)
{
    if (referenced) {
        if (s->typed)
            put_page_type(mfn_to_page(s->mfn));
        put_page(mfn_to_page(s->mfn));
    }
    if (s->pinned) {
        spin_lock(&s->rd->grant_table->lock);
        unpin(s->rd->grant_table, s->ref, !dest);
        spin_unlock(&s->rd->grant_table->lock);
    }
}

static int16_t copy_one(struct domain *ld, const struct gnttab_copy *op)
{
    struct copy_side src = { 0 }, dst = { 0 };
    bool src_ref = false, dst_ref = false;
    int16_t st;

    if ((uint32_t)op->source.offset + op->len > PAGE_SIZE || (uint32_t)op->dest.offset + op->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;      /* never crosses a page */
    st = copy_acquire(ld, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
    if (st == GNTST_okay) {
        src_ref = true;
        st = copy_acquire(ld, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
        if (st == GNTST_okay) {
            dst_ref = true;
            memmove((char *)mfn_to_virt(dst.mfn) + op->dest.offset,
                    (const char *)mfn_to_virt(src.mfn) + op->source.offset, op->len);
        }
    }
    copy_release(&dst, true, dst_ref);
    copy_release(&src, false, src_ref);
    return st;
}

/*
 * transfer: Tandem refuses page transfers (no GTF_accept_transfer entry is
 * ever honoured). Each element is checked as far as Xen's gnttab_transfer
 * checks it before the transferee's entry, with Xen's statuses, and then
 * refused as Xen refuses a transfer whose entry does not accept it
 * (gnttab_prepare_for_transfer failing: GNTST_general_error). Nothing
 * changes: the page stays the caller's.
 */
static int16_t transfer_one(struct domain *ld, const struct gnttab_transfer *op)
{
    struct page_info *pg;

    if (!mfn_valid(op->mfn))
        return GNTST_bad_page;          /* Xen: "out-of-range" */
    pg = mfn_to_page(op->mfn);
    if (pg->owner != ld->domain_id)
        return GNTST_bad_page;          /* Xen: steal_page -EINVAL */
    if (!get_domain_by_id(op->domid))
        return GNTST_bad_domain;
    return GNTST_general_error;
}

/*
 * swap_grant_ref (Xen's swap_grant_ref): exchange two entries of the
 * caller's own table, refused while either is in use.
 */
static int16_t swap_one(struct domain *d, const struct gnttab_swap_grant_ref *op)
{
    struct grant_table *gt = d->grant_table;
    int16_t st = GNTST_okay;

    spin_lock(&gt->lock);
    if (op->ref_a >= gt->nr_frames * EPF || op->ref_b >= gt->nr_frames * EPF) {
        st = GNTST_bad_gntref;
    } else if (op->ref_a != op->ref_b) {
        struct gnttab_active *a = &gt->active[op->ref_a / EPF][op->ref_a % EPF];
        struct gnttab_active *b = &gt->active[op->ref_b / EPF][op->ref_b % EPF];
        if (a->readers || a->writers || b->readers || b->writers) {
            st = GNTST_eagain;          /* Xen: "ref a/b busy" */
        } else {
            uint64_t *ea = (uint64_t *)shared_entry(gt, op->ref_a), *eb = (uint64_t *)shared_entry(gt, op->ref_b);
            uint64_t va = READ_ONCE(*ea), vb = READ_ONCE(*eb);
            WRITE_ONCE(*ea, vb);
            WRITE_ONCE(*eb, va);
        }
    }
    spin_unlock(&gt->lock);
    return st;
}

/*
 * cache_flush (Xen 4.19's cache_flush with x86's dcache helpers): the
 * range must lie in its page and op hold only CLEAN/INVAL (-EINVAL, so
 * GNTTAB_CACHE_SOURCE_GREF, bit 31, is -EINVAL too); nothing to do is 0
 * (-EILSEQ when continuing a scan); the frame must be RAM (-EINVAL) with
 * a live owner (-EPERM), the caller's own or one the caller has a grant of
 * pinned (-EINVAL if none). *cur_ref is the continuation's scan position
 * (cmd bits 12 and up), as Xen's.
 */
static long cache_flush_one(struct domain *d, const struct gnttab_cache_flush *op, uint32_t *cur_ref)
{
    mfn_t mfn = op->a.dev_bus_addr >> PAGE_SHIFT;
    struct domain *owner;
    struct page_info *pg;
    long rc;

    if (op->offset >= PAGE_SIZE || op->length > PAGE_SIZE || op->offset + op->length > PAGE_SIZE ||
        (op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -XEN_EINVAL;
    if (!op->length || !op->op)
        return *cur_ref ? -XEN_EILSEQ : 0;
    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    if (!(owner = get_domain_by_id(pg->owner)) || !get_page(pg, owner))
        return -XEN_EPERM;
    if (owner != d) {
        struct grant_table *gt = owner->grant_table;
        bool found = false;
        spin_lock(&gt->lock);
        for (uint32_t r = *cur_ref; !found && r < gt->nr_frames * EPF; r++) {
            const struct gnttab_active *act = &gt->active[r / EPF][r % EPF];
            found = (act->readers || act->writers) && act->domid == d->domain_id && act->frame == mfn;
        }
        spin_unlock(&gt->lock);
        if (!found) {
            put_page(pg);
            return -XEN_EINVAL;
        }
    }
    rc = arch_gnttab_cache_flush(mfn, op->offset, op->length, op->op);
    put_page(pg);
    return rc;
}

static long cache_flush(struct domain *d, guest_va_t uop, uint32_t count, uint32_t cur_ref)
{
    struct gnttab_cache_flush op;
    long rc;

    for (uint32_t i = 0; i < count; i++) {
        guest_va_t p = uop + (uint64_t)i * sizeof(op);
        if (i && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_grant_table_op, GNTTABOP_cache_flush, p, count - i, 0);
        if (copy_from_guest(&op, p, sizeof(op)))
            return -XEN_EFAULT;
        if ((rc = cache_flush_one(d, &op, &cur_ref)) < 0)
            return rc;
        cur_ref = 0;
    }
    return 0;
}

/*
 * dump_table: the table of dom (DOMID_SELF, the caller's own id, or any
 * with privilege) logged on the console: its size, handles in use, and
 * every entry that is not GTF_invalid or is in use, at most
 * DUMP_MAX_LINES of them. Xen 3's GRANT_DEBUG sub-op (later Xens dropped
 * it: -ENOSYS); one element whatever count says, as there.
 */
#define DUMP_MAX_LINES 64
static long dump_table(struct domain *cd, guest_va_t uop)
{
    struct gnttab_dump_table op;
    struct grant_table *gt;
    struct domain *d;
    unsigned int lines = 0, more = 0;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if ((d = op_domain(cd, op.dom, &op.status))) {
        gt = d->grant_table;
        spin_lock(&gt->lock);
        printk("gnttab: d%u's table (asked by d%u): %u of %u frames, %u handles in use\n", d->domain_id,
               cd->domain_id, gt->nr_frames, gt->max_frames, gt->maptrack_used);
        for (uint32_t r = 0; r < gt->nr_frames * EPF; r++) {
            const struct grant_entry_v1 *e = shared_entry(gt, r);
            const struct gnttab_active *act = &gt->active[r / EPF][r % EPF];
            struct grant_entry_v1 v = { READ_ONCE(e->flags), READ_ONCE(e->domid), READ_ONCE(e->frame) };
            if (!v.flags && !act->readers && !act->writers)
                continue;
            if (lines++ < DUMP_MAX_LINES)
                printk("gnttab:   ref %u flags %#x domid %u frame %#x, pins r%u w%u\n", r, v.flags, v.domid,
                       v.frame, act->readers, act->writers);
            else
                more++;
        }
        if (more)
            printk("gnttab:   ... %u more entries\n", more);
        spin_unlock(&gt->lock);
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/*
 * get_status_frames (Xen's gnttab_get_status_frames): version 1 has no
 * status frames, so asking for any is general_error and for none okay.
 */
static long get_status_frames(struct domain *cd, guest_va_t uop)
{
    struct gnttab_get_status_frames op;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (op_domain(cd, op.dom, &op.status))
        op.status = op.nr_frames ? GNTST_general_error : GNTST_okay;
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/* The batched sub-ops: each element's status written back; preemptible between elements. */
static long batch(struct domain *d, uint32_t cmd, guest_va_t uop, uint32_t count)
{
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_copy copy;
        struct gnttab_unmap_and_replace replace;
        struct gnttab_transfer transfer;
        struct gnttab_swap_grant_ref swap;
    } u;
    size_t size = cmd == GNTTABOP_map_grant_ref ? sizeof(u.map) :
                  cmd == GNTTABOP_unmap_grant_ref ? sizeof(u.unmap) :
                  cmd == GNTTABOP_unmap_and_replace ? sizeof(u.replace) :
                  cmd == GNTTABOP_transfer ? sizeof(u.transfer) :
                  cmd == GNTTABOP_swap_grant_ref ? sizeof(u.swap) : sizeof(u.copy);

    for (uint32_t i = 0; i < count; i++) {
        guest_va_t p = uop + (uint64_t)i * size;
        if (i && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_grant_table_op, cmd, p, count - i, 0);
        if (copy_from_guest(&u, p, size))
            return -XEN_EFAULT;
        switch (cmd) {
        case GNTTABOP_map_grant_ref:
            u.map.status = map_one(d, &u.map);
            break;
        case GNTTABOP_unmap_grant_ref:
            u.unmap.status = unmap_one(d, &u.unmap);
            break;
        case GNTTABOP_unmap_and_replace:
            u.replace.status = replace_one(d, &u.replace);
            break;
        case GNTTABOP_transfer:
            u.transfer.status = transfer_one(d, &u.transfer);
            break;
        case GNTTABOP_swap_grant_ref:
            u.swap.status = swap_one(d, &u.swap);
            break;
        default:
            u.copy.status = copy_one(d, &u.copy);
            break;
        }
        if (__builtin_expect(refuse_log_on, 0)) {
            int16_t st = cmd == GNTTABOP_map_grant_ref ? u.map.status :
                         cmd == GNTTABOP_unmap_grant_ref ? u.unmap.status :
                         cmd == GNTTABOP_unmap_and_replace ? u.replace.status :
                         cmd == GNTTABOP_transfer ? u.transfer.status :
                         cmd == GNTTABOP_swap_grant_ref ? u.swap.status : u.copy.status;
            char what[128];
            if (st != GNTST_okay) {
                if (cmd == GNTTABOP_map_grant_ref)
                    snprintf(what, sizeof(what), "grant_table_op(map_grant_ref) op %u: ref %u of d%u, "
                             "flags %#x, host_addr %#lx", i, u.map.ref, u.map.dom, u.map.flags,
                             (unsigned long)u.map.host_addr);
                else
                    snprintf(what, sizeof(what), "grant_table_op(cmd %u) op %u", cmd, i);
                refuse_log_op(d, what, st);
            }
        }
        if (copy_to_guest(p, &u, size))
            return -XEN_EFAULT;
    }
    return 0;
}

long do_grant_table_op(uint32_t cmd, guest_va_t uop, uint32_t count)
{
    struct domain *d = current->domain;

    uint32_t opaque = cmd >> GNTTABOP_CONTINUATION_ARG_SHIFT;

    if ((int32_t)count < 0)
        return -XEN_EINVAL;
    /* Bits 12 and up carry cache_flush's continuation (Xen's GNTTABOP_ARG_MASK); for others -EINVAL. */
    cmd &= (1U << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1;
    if (opaque && cmd != GNTTABOP_cache_flush)
        return -XEN_EINVAL;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_copy:
    case GNTTABOP_unmap_and_replace:
    case GNTTABOP_transfer:
    case GNTTABOP_swap_grant_ref:
        return batch(d, cmd, uop, count);
    case GNTTABOP_cache_flush:
        return cache_flush(d, uop, count, opaque);
    case GNTTABOP_dump_table:
        return dump_table(d, uop);
    case GNTTABOP_get_status_frames:
        if (count != 1)
            return -XEN_EINVAL;
        return get_status_frames(d, uop);
    case GNTTABOP_setup_table:
    case GNTTABOP_query_size:
        /* Xen handles one element for these (count is checked, not looped). */
        if (count != 1)
            return -XEN_EINVAL;
        return cmd == GNTTABOP_setup_table ? setup_table(d, uop) : query_size(d, uop);
    case GNTTABOP_set_version:
        if (count != 1)
            return -XEN_EINVAL;
        return set_version(uop);
    case GNTTABOP_get_version:
        if (count != 1)
            return -XEN_EINVAL;
        return get_version(d, uop);
    default:
        return -XEN_ENOSYS;     /* as Xen for any other cmd */
    }
}

/*
 * At the start of d's teardown: d's own table closes (others' later unmaps
 * of its grants find nothing to unpin; its frames go in relinquish) and d
 * gets no new handle. The mappings d holds stay pinned until
 * gnttab_release_mappings, once d's page tables are gone.
 */
void gnttab_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    spin_lock(&gt->lock);
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        xfree(gt->active[i]);
        gt->active[i] = NULL;
    }
    gt->nr_frames = 0;
    gt->max_maptrack = gt->maptrack_frames;     /* no new maptrack page */
    spin_unlock(&gt->lock);
}

/*
 * After d's memory is relinquished (its page tables torn down, so every
 * grant PTE it had is gone with its references): the pins and device
 * references of the mappings d held of others' grants are dropped, so a
 * granter sees GTF_reading/GTF_writing clear only when no mapping of the
 * frame remains (as for an unmap).
 */
void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    for (uint32_t h = 0; h < gt->maptrack_frames * MAPTRACK_PER_FRAME; h++) {
        struct gnttab_maptrack *m = maptrack_entry(gt, h);
        struct domain *rd;
        if (!(m->flags & MAPTRACK_INUSE))
            continue;
        rd = get_domain_by_id(m->dom);
        double_gnttab_lock(d, rd ? rd : d);
        release_mapping(d, rd, h);
        double_gnttab_unlock(d, rd ? rd : d);
    }
    spin_lock(&gt->lock);
    for (unsigned int i = 0; i < gt->maptrack_frames; i++)
        xfree(gt->maptrack[i]);
    gt->maptrack_frames = 0;
    xfree(gt->maptrack);
    gt->maptrack = NULL;
    gt->max_maptrack = 0;           /* no new handle: the record stays, empty */
    gt->maptrack_free = ~0U;
    gt->maptrack_used = 0;
    spin_unlock(&gt->lock);
}

int gnttab_seed_entry(struct domain *d, grant_ref_t ref, domid_t grantee, uint64_t frame,
                      uint16_t flags)
{
    struct grant_table *gt = d->grant_table;
    struct grant_entry_v1 *e;
    int rc = 0;

    spin_lock(&gt->lock);
    if (ref / EPF >= gt->max_frames || frame > UINT32_MAX)
        rc = -XEN_EINVAL;
    else if (!grow_table(d, ref / EPF + 1))
        rc = -XEN_ENOMEM;
    if (rc == 0) {
        e = shared_entry(gt, ref);
        e->domid = grantee;
        e->frame = (uint32_t)frame;
        /* flags last, as a granting guest writes them: permit_access covers domid and frame. */
        __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
    }
    spin_unlock(&gt->lock);
    return rc;
}
