/*
 * The guest kernel's grant table (grant.h), the Linux way: setup_table
 * lists our table's frames, we map them at the kernel-map address of pages
 * kept for the purpose; refs come from a pv_gntref pool above the reserved
 * eight; an entry is filled domid and frame first, flags last, and ended by
 * a compare-and-exchange of its flags that fails while Xen has it pinned
 * (Linux's gnttab_end_foreign_access_ref_v1). Foreign grants are mapped
 * with GNTMAP_host_map (and GNTMAP_device_map for DMA) over the
 * kernel-map entry of a page of ours, which is put back after the unmap (the page stays out of the allocator while
 * the mapping lives: nothing else can reach that VA).
 */
#include "grant.h"
#include "mm.h"
#include "pv_gntref.h"
#include <tandem/grant_table.h>
#include <tandem/version.h>

#define GNT_FRAMES   8                                  /* 4096 v1 entries */
#define GNT_ENTRIES  (GNT_FRAMES * PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GNT_DEV_BATCH 32                                 /* device mappings per call (a request) */
#define GNT_MAPS     1280    /* foreign grants mapped at once: a back end's 32 requests of 32 pages, rings */

static volatile struct grant_entry_v1 *table;          /* NULL until gnttab_setup succeeds */
static unsigned int table_entries;                      /* its size: GNT_ENTRIES, or less */
static struct gntref_pool pool;
static uint32_t pool_next[GNT_ENTRIES - GNTTAB_NR_RESERVED_ENTRIES];

static struct gnt_map {
    bool used;
    uint16_t domid;
    uint32_t ref;
    grant_handle_t handle;
    bool readonly;
    bool dev_only;                                      /* GNTMAP_device_map alone (gnttab_map_dev) */
    uint64_t bus;                                       /* its dev_bus_addr */
    uint64_t pfn;                                       /* our page whose kernel-map VA it took */
} maps[GNT_MAPS];

/* Tandem puts the domain id in bytes 14-15 of the Xen domain handle (Xen's is the toolstack's UUID). */
unsigned int kernel_domid(void)
{
    uint8_t h[16];

    return HYPERVISOR_xen_version(XENVER_guest_handle, h) ? ~0U : (unsigned int)h[14] << 8 | h[15];
}

/* GNTST_* to -errno, for callers that speak errno. */
static int gntst_errno(int16_t st)
{
    switch (st) {
    case GNTST_okay:              return 0;
    case GNTST_bad_domain:        return -XEN_ESRCH;
    case GNTST_bad_gntref:        return -XEN_ENOENT;
    case GNTST_permission_denied: return -XEN_EACCES;
    case GNTST_no_space:          return -XEN_ENOSPC;
    case GNTST_eagain:            return -XEN_EAGAIN;
    default:                      return -XEN_EIO;
    }
}

/* First use: our table's frames from Xen (GNT_FRAMES, fewer if the domain may have fewer), mapped read-write. */
static int gnttab_setup(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF };
    uint64_t frames[GNT_FRAMES], pfn;
    unsigned int nr = GNT_FRAMES;
    long rc;

    if (table)
        return 0;
    st.frame_list = (uint64_t)frames;
    do {
        st.nr_frames = nr;
        rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    } while (!rc && st.status == GNTST_general_error && (nr /= 2));     /* above max_grant_frames */
    if (rc || st.status != GNTST_okay) {
        printk("grant: setup_table refused (%ld, status %d)\n", rc, st.status);
        return rc ? (int)rc : gntst_errno(st.status);
    }
    /* nr contiguous pages give up their kernel mapping to the table for good. */
    if (!(pfn = alloc_pages(nr, PG_KERNEL)))
        return -XEN_ENOMEM;
    for (unsigned int i = 0; i < nr; i++) {
        rc = HYPERVISOR_update_va_mapping((uint64_t)pfn_to_virt(pfn + i),
                                          (frames[i] << PAGE_SHIFT) | PTE_KERNEL_RW | _PAGE_NX, UVMF_INVLPG);
        if (rc) {
            printk("grant: cannot map table frame %lx (%ld)\n", (unsigned long)frames[i], rc);
            return (int)rc;         /* the pages stay taken: their mapping may be gone */
        }
    }
    gntref_pool_init(&pool, GNTTAB_NR_RESERVED_ENTRIES,
                     nr * PAGE_SIZE / sizeof(struct grant_entry_v1) - GNTTAB_NR_RESERVED_ENTRIES, pool_next);
    table_entries = nr * PAGE_SIZE / sizeof(struct grant_entry_v1);
    table = pfn_to_virt(pfn);
    return 0;
}

int gnttab_grant(uint16_t domid, uint64_t mfn, bool readonly)
{
    grant_ref_t ref;
    uint8_t m;
    int rc;

    if (mfn > UINT32_MAX)
        return -XEN_EINVAL;         /* a v1 entry's frame is 32 bits */
    m = events_save();
    rc = gnttab_setup();
    if (!rc)
        rc = gntref_claim(&pool, &ref);
    events_restore(m);
    if (rc)
        return rc;
    table[ref].domid = domid;
    table[ref].frame = (uint32_t)mfn;
    /* domid and frame visible before the flags that make Xen read them (Linux: wmb()). */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    table[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
    return (int)ref;
}

int gnttab_end(int ref)
{
    uint16_t flags;
    uint8_t m;
    int rc;

    m = events_save();
    if (!table || ref < 0 || !gntref_is_claimed(&pool, (grant_ref_t)ref)) {
        events_restore(m);
        return -XEN_EINVAL;
    }
    /* Clear the flags unless Xen has the entry pinned: one compare-and-exchange, retried only
     * when Xen changed the flags between our read and our write. */
    flags = table[ref].flags;
    do {
        if (flags & (GTF_reading | GTF_writing)) {
            events_restore(m);
            return -XEN_EBUSY;
        }
    } while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    rc = gntref_release(&pool, (grant_ref_t)ref);
    events_restore(m);
    return rc;
}

int gnttab_copy_in(uint16_t domid, uint32_t ref, uint32_t offset, void *dst, uint32_t len)
{
    struct gnttab_copy op[2];
    uint64_t va = (uint64_t)dst;
    unsigned int n = 0;
    long rc;

    if (!len || len > PAGE_SIZE || offset > PAGE_SIZE - len)
        return -XEN_EINVAL;
    while (len) {
        uint32_t in_page = PAGE_SIZE - (uint32_t)(va & (PAGE_SIZE - 1));
        uint32_t l = len < in_page ? len : in_page;

        op[n++] = (struct gnttab_copy){
            .source = { .u.ref = ref, .domid = domid, .offset = (uint16_t)offset },
            .dest = { .u.gmfn = pfn_to_mfn(virt_to_pfn((void *)va)), .domid = DOMID_SELF,
                      .offset = (uint16_t)(va & (PAGE_SIZE - 1)) },
            .len = (uint16_t)l, .flags = GNTCOPY_source_gref };
        va += l;
        offset += l;
        len -= l;
    }
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, op, n);
    if (rc)
        return (int)rc;
    for (unsigned int i = 0; i < n; i++)
        if (op[i].status != GNTST_okay)
            return gntst_errno(op[i].status);
    return 0;
}

/* A free slot of maps[], claimed (filled in by the caller); NULL if none. Events masked inside. */
static struct gnt_map *map_claim(void)
{
    uint8_t m = events_save();
    struct gnt_map *g = NULL;

    for (unsigned int i = 0; i < GNT_MAPS && !g; i++)
        if (!maps[i].used)
            g = &maps[i];
    if (g) {
        g->used = true;
        g->dev_only = false;
        g->pfn = 0;
    }
    events_restore(m);
    return g;
}

/*
 * Map grant `ref` of `domid` over the kernel-map entry of our page `pfn`
 * (GNTMAP_host_map). 0, or -errno with nothing left behind.
 */
static int map_at(uint16_t domid, uint32_t ref, bool readonly, uint64_t pfn)
{
    struct gnttab_map_grant_ref op = { .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
                                       .ref = ref, .dom = domid, .host_addr = (uint64_t)pfn_to_virt(pfn) };
    struct mmuext_op inv = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = op.host_addr };
    struct multicall_entry mc[2] = {
        { .op = __HYPERVISOR_grant_table_op, .args = { GNTTABOP_map_grant_ref, (uint64_t)&op, 1 } },
        { .op = __HYPERVISOR_mmuext_op, .args = { (uint64_t)&inv, 1, 0, DOMID_SELF } },
    };
    struct gnt_map *g = map_claim();
    long rc;

    if (!g)
        return -XEN_ENOSPC;
    /*
     * The map replaces the present kernel-map entry of our page, which the
     * hypervisor does not flush (nor does Xen): the TLB may still hold the
     * old frame at host_addr, so the same hypercall invalidates it.
     */
    rc = HYPERVISOR_multicall(mc, 2);
    if (!rc)
        rc = mc[0].result;
    if (rc || op.status != GNTST_okay) {
        g->used = false;            /* a refused map left the entry as it was */
        return rc ? (int)rc : gntst_errno(op.status);
    }
    g->domid = domid;
    g->ref = ref;
    g->handle = op.handle;
    g->readonly = readonly;
    g->bus = 0;
    g->pfn = pfn;
    return 0;
}

void *gnttab_map(uint16_t domid, uint32_t ref, bool readonly, int *err)
{
    uint64_t pfn = alloc_page(PG_KERNEL);

    if (!pfn) {
        *err = -XEN_ENOSPC;
        return NULL;
    }
    if ((*err = map_at(domid, ref, readonly, pfn))) {
        free_page(pfn, PG_KERNEL);
        return NULL;
    }
    return pfn_to_virt(pfn);
}

/* Give back slots claimed for a device mapping that did not happen (events masked inside). */
static void dev_release(struct gnt_map **g, unsigned int n)
{
    uint8_t m = events_save();

    for (unsigned int i = 0; i < n; i++)
        g[i]->used = false;
    events_restore(m);
}

int gnttab_map_dev(uint16_t domid, const uint32_t *refs, unsigned int n, bool readonly, void **handle,
                   uint64_t *bus)
{
    struct gnttab_map_grant_ref op[GNT_DEV_BATCH];
    struct gnt_map *g[GNT_DEV_BATCH];
    unsigned int i, ok = 0;
    long rc;

    if (!n || n > GNT_DEV_BATCH)
        return -XEN_EINVAL;
    for (i = 0; i < n; i++) {
        if (!(g[i] = map_claim())) {
            dev_release(g, i);
            return -XEN_ENOSPC;
        }
        op[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | (readonly ? GNTMAP_readonly : 0),
                                               .ref = refs[i], .dom = domid };
    }
    rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, op, n);
    for (i = 0; i < n; i++) {
        if (rc || op[i].status != GNTST_okay)
            continue;
        *g[i] = (struct gnt_map){ .used = true, .dev_only = true, .domid = domid, .ref = refs[i],
                                  .handle = op[i].handle, .readonly = readonly, .bus = op[i].dev_bus_addr };
        ok++;
    }
    if (ok == n) {
        for (i = 0; i < n; i++) {
            handle[i] = g[i];
            bus[i] = g[i]->bus;
        }
        return 0;
    }
    /* Some were refused: the others go again, so nothing stays mapped. */
    for (i = 0; i < n; i++)
        if (!rc && op[i].status == GNTST_okay)
            gnttab_unmap_dev((void **)&g[i], 1);
        else
            dev_release(&g[i], 1);
    return rc ? (int)rc : -XEN_EFAULT;
}

void gnttab_unmap_dev(void **handle, unsigned int n)
{
    struct gnttab_unmap_grant_ref op[GNT_DEV_BATCH];
    long rc;

    while (n) {
        unsigned int k = n < GNT_DEV_BATCH ? n : GNT_DEV_BATCH;

        for (unsigned int i = 0; i < k; i++) {
            const struct gnt_map *g = handle[i];
            op[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = g->bus, .handle = g->handle };
        }
        rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, op, k);
        for (unsigned int i = 0; i < k; i++) {
            struct gnt_map *g = handle[i];
            if (rc || op[i].status != GNTST_okay) {
                printk("grant: unmap of d%u ref %u (device) refused (%ld, status %d)\n", g->domid, g->ref, rc,
                       op[i].status);
                continue;           /* stays on the list */
            }
            dev_release(&g, 1);
        }
        handle += k;
        n -= k;
    }
}

void *gnttab_map_ring(uint16_t domid, const uint32_t *refs, unsigned int nr, int *err)
{
    uint64_t pfn = nr ? alloc_pages(nr, PG_KERNEL) : 0;
    unsigned int i;

    if (!pfn) {
        *err = nr ? -XEN_ENOSPC : -XEN_EINVAL;
        return NULL;
    }
    for (i = 0; i < nr; i++)
        if ((*err = map_at(domid, refs[i], false, pfn + i)))
            break;
    if (i == nr)
        return pfn_to_virt(pfn);
    /* The pages mapped so far go back through gnttab_unmap (which frees them), the rest now. */
    for (unsigned int j = 0; j < i; j++)
        gnttab_unmap(pfn_to_virt(pfn + j));
    free_pages(pfn + i, nr - i, PG_KERNEL);
    return NULL;
}

int gnttab_unmap(void *va)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = (uint64_t)va };
    uint64_t pfn = virt_to_pfn(va);
    struct gnt_map *g = NULL;
    long rc;

    for (unsigned int i = 0; i < GNT_MAPS && !g; i++)
        if (maps[i].used && !maps[i].dev_only && maps[i].pfn == pfn)
            g = &maps[i];
    if (!g)
        return -XEN_EINVAL;
    op.handle = g->handle;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    if (rc || op.status != GNTST_okay) {
        printk("grant: unmap of d%u ref %u refused (%ld, status %d)\n", g->domid, g->ref, rc, op.status);
        return -XEN_EIO;            /* the mapping stays on the list, the page stays taken */
    }
    /* Xen cleared the entry: the page's own kernel mapping back, then the page. */
    rc = HYPERVISOR_update_va_mapping((uint64_t)va, pfn_maddr(g->pfn) | PTE_KERNEL_RW | _PAGE_NX,
                                      UVMF_INVLPG);
    if (rc)
        printk("grant: cannot remap page %lx (%ld): left out of the allocator\n",
               (unsigned long)g->pfn, rc);
    else
        free_page(g->pfn, PG_KERNEL);
    g->pfn = 0;
    g->used = false;
    return 0;
}

unsigned int gnttab_nr_mapped(void)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < GNT_MAPS; i++)
        n += maps[i].used && (maps[i].pfn || maps[i].dev_only);
    return n;
}

static void flags_text(uint16_t f, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s", (f & GTF_type_mask) == GTF_permit_access ? "permit" : "other",
             (f & GTF_readonly) ? ",readonly" : "", (f & GTF_reading) ? ",reading" : "",
             (f & GTF_writing) ? ",writing" : "");
}

void gnttab_list(void)
{
    unsigned int n = 0;
    char f[40];

    if (gnttab_setup()) {
        printk("grants: no grant table\n");
        return;
    }
    printk("grants given (ref domid frame flags):\n");
    for (unsigned int r = 0; r < table_entries; r++) {
        uint16_t fl = table[r].flags;
        if (!(fl & GTF_type_mask))
            continue;
        flags_text(fl, f, sizeof(f));
        printk("  %4u d%-5u %8lx %s%s\n", r, table[r].domid, (unsigned long)table[r].frame, f,
               r < GNTTAB_NR_RESERVED_ENTRIES ? " (reserved)" : "");
        n++;
    }
    printk("  %u in use, %u free refs\n", n, gntref_nr_free(&pool));
    n = 0;
    printk("grant mappings held (handle domain ref va):\n");
    for (unsigned int i = 0; i < GNT_MAPS; i++) {
        if (!maps[i].used || (!maps[i].pfn && !maps[i].dev_only))
            continue;
        if (maps[i].dev_only)
            printk("  %4u d%-5u %4u device %lx%s\n", maps[i].handle, maps[i].domid, maps[i].ref,
                   (unsigned long)maps[i].bus, maps[i].readonly ? " readonly" : "");
        else
            printk("  %4u d%-5u %4u %lx%s\n", maps[i].handle, maps[i].domid, maps[i].ref,
                   (unsigned long)pfn_to_virt(maps[i].pfn), maps[i].readonly ? " readonly" : "");
        n++;
    }
    printk("  %u held\n", n);
}
