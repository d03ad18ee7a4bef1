/* Turns the firmware memory map into sorted, merged, page-aligned free RAM ranges. */
#include "types.h"
#include "memmap.h"
#include "tandem/errno.h"

/*
 * Region i as [*s, *e). Returns false for entries to ignore: zero length,
 * or wrapping ones that are usable (or all wrapping ones if drop_wrapping).
 * Other wrapping entries are clipped to the top of the address space.
 */
static bool mm_region(const struct bi_mem_region *r, bool drop_wrapping, uint64_t *s, uint64_t *e)
{
    if (!r->len)
        return false;
    *s = r->base;
    *e = r->base + r->len;
    if (*e < *s) {
        if (r->type == BI_MEM_USABLE || drop_wrapping)
            return false;
        *e = UINT64_MAX;
    }
    return true;
}

/* Whether byte x is usable RAM covered by no other region type and no reserved range. */
static bool mm_is_free(const struct bi_mem_region *map, unsigned n,
                       const struct mem_range *res, unsigned nres, uint64_t x)
{
    bool usable = false;
    uint64_t s, e;
    unsigned i;

    for (i = 0; i < n; i++) {
        if (!mm_region(&map[i], false, &s, &e) || x < s || x >= e)
            continue;
        if (map[i].type != BI_MEM_USABLE)
            return false;
        usable = true;
    }
    for (i = 0; usable && i < nres; i++)
        if (x >= res[i].start && x < res[i].end)
            return false;
    return usable;
}

static uint64_t mm_next_after(uint64_t x, uint64_t edge, uint64_t next)
{
    return edge > x && edge < next ? edge : next;
}

/* Smallest region or reserved-range edge above x, or limit. Freeness is constant in between. */
static uint64_t mm_next_edge(const struct bi_mem_region *map, unsigned n,
                             const struct mem_range *res, unsigned nres,
                             uint64_t x, uint64_t limit)
{
    uint64_t s, e, next = limit;
    unsigned i;

    for (i = 0; i < n; i++) {
        if (!mm_region(&map[i], false, &s, &e))
            continue;
        next = mm_next_after(x, s, next);
        next = mm_next_after(x, e, next);
    }
    for (i = 0; i < nres; i++) {
        next = mm_next_after(x, res[i].start, next);
        next = mm_next_after(x, res[i].end, next);
    }
    return next;
}

/* Shrink [s, e) to page boundaries and append it if anything is left. */
static int mm_emit(uint64_t s, uint64_t e, struct mem_range *out, unsigned max_out, int *cnt)
{
    if (s > UINT64_MAX - (PAGE_SIZE - 1))
        return 0;
    s = ROUNDUP(s, PAGE_SIZE);
    e = ROUNDDOWN(e, PAGE_SIZE);
    if (s >= e)
        return 0;
    if ((unsigned)*cnt >= max_out)
        return -XEN_ENOSPC;
    out[(*cnt)++] = (struct mem_range){ s, e };
    return 0;
}

int memmap_free_ranges(const struct bi_mem_region *map, unsigned n,
                       const struct mem_range *reserved, unsigned nres,
                       uint64_t min_addr, uint64_t max_addr,
                       struct mem_range *out, unsigned max_out)
{
    uint64_t pos = min_addr, next, cur_s = 0, cur_e = 0;
    int cnt = 0, rc = 0;

    /* Sweep the edges in address order, growing [cur_s, cur_e) over adjacent free pieces. */
    while (pos < max_addr && !rc) {
        next = mm_next_edge(map, n, reserved, nres, pos, max_addr);
        if (mm_is_free(map, n, reserved, nres, pos)) {
            if (cur_e != pos || cur_s == cur_e) {
                rc = mm_emit(cur_s, cur_e, out, max_out, &cnt);
                cur_s = pos;
            }
            cur_e = next;
        }
        pos = next;
    }
    if (!rc)
        rc = mm_emit(cur_s, cur_e, out, max_out, &cnt);
    return rc ? rc : cnt;
}

uint64_t memmap_highest_ram(const struct bi_mem_region *map, unsigned n)
{
    uint64_t s, e, top = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        uint32_t t = map[i].type;

        if ((t == BI_MEM_USABLE || t == BI_MEM_ACPI || t == BI_MEM_NVS) &&
            mm_region(&map[i], true, &s, &e))
            top = MAX(top, e);
    }
    return top;
}
