/* VT-d second-level page tables: 4 KiB leaves only, one tree per domain with devices. */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "vtd.h"

#define SL_INDEX(addr, level) (((addr) >> (PAGE_SHIFT + 9 * ((level) - 1))) & 511)

int vtd_pt_init(struct vtd_domain *vd, unsigned int levels, uint16_t did)
{
    if (!(vd->pgd = xzalloc_bytes(PAGE_SIZE)))
        return -1;
    vtd_flush_cache(vd->pgd, PAGE_SIZE);
    vd->levels = levels;
    vd->did = did;
    vd->nr_tables = 1;
    return 0;
}

/* The leaf entry for mfn; with `alloc`, missing tables are created (NULL when that fails or !alloc). */
static uint64_t *leaf(struct vtd_domain *vd, mfn_t mfn, bool alloc)
{
    uint64_t addr = mfn << PAGE_SHIFT, *t = vd->pgd;

    for (unsigned int level = vd->levels; level > 1; level--) {
        uint64_t *e = &t[SL_INDEX(addr, level)];

        if (!(*e & (SL_R | SL_W))) {
            uint64_t *n;

            if (!alloc || !(n = xzalloc_bytes(PAGE_SIZE)))
                return NULL;
            vtd_flush_cache(n, PAGE_SIZE);
            vd->nr_tables++;
            /* Non-leaf entries grant both: the leaf decides. */
            WRITE_ONCE(*e, __pa(n) | SL_R | SL_W);
            vtd_flush_cache(e, sizeof(*e));
        }
        t = __va(*e & SL_ADDR_MASK);
    }
    return &t[SL_INDEX(addr, 1)];
}

int vtd_pt_map(struct vtd_domain *vd, mfn_t mfn, bool writable)
{
    uint64_t *e = leaf(vd, mfn, true);

    if (!e)
        return -1;
    WRITE_ONCE(*e, (mfn << PAGE_SHIFT) | SL_R | (writable ? SL_W : 0));
    vtd_flush_cache(e, sizeof(*e));
    return 0;
}

uint64_t vtd_pt_unmap(struct vtd_domain *vd, mfn_t mfn)
{
    uint64_t *e = leaf(vd, mfn, false), old;

    if (!e || !(old = *e))
        return 0;
    WRITE_ONCE(*e, 0);
    vtd_flush_cache(e, sizeof(*e));
    return old & (SL_R | SL_W);
}

uint64_t vtd_pt_lookup(const struct vtd_domain *vd, mfn_t mfn)
{
    uint64_t *e = leaf((struct vtd_domain *)vd, mfn, false);

    return e ? *e & (SL_R | SL_W) : 0;
}

static void free_level(uint64_t *t, unsigned int level)
{
    if (level > 1)
        for (unsigned int i = 0; i < 512; i++)
            if (t[i] & (SL_R | SL_W))
                free_level(__va(t[i] & SL_ADDR_MASK), level - 1);
    xfree(t);
}

void vtd_pt_free(struct vtd_domain *vd)
{
    if (vd->pgd)
        free_level(vd->pgd, vd->levels);
    vd->pgd = NULL;
    vd->nr_tables = 0;
}

static unsigned int walk_level(const uint64_t *t, unsigned int level, uint64_t base,
                               unsigned int (*fn)(void *, mfn_t, uint64_t), void *ctx)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < 512; i++) {
        uint64_t addr = base | ((uint64_t)i << (PAGE_SHIFT + 9 * (level - 1)));

        if (!(t[i] & (SL_R | SL_W)))
            continue;
        if (level == 1)
            n += fn(ctx, addr >> PAGE_SHIFT, t[i] & (SL_R | SL_W));
        else
            n += walk_level(__va(t[i] & SL_ADDR_MASK), level - 1, addr, fn, ctx);
    }
    return n;
}

unsigned int vtd_pt_walk(const struct vtd_domain *vd, unsigned int (*fn)(void *ctx, mfn_t mfn, uint64_t perm),
                         void *ctx)
{
    return vd->pgd ? walk_level(vd->pgd, vd->levels, 0, fn, ctx) : 0;
}
