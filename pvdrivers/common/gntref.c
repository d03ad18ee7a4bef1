/*
 * gntref.c: the grant reference free list (pv_gntref.h). Freed references
 * go to the head, so the one released last is claimed next (as Linux's
 * gnttab free list does); the marker in next[] makes a double release an
 * error instead of a loop in the list.
 */
#include "pv_gntref.h"
#include <tandem/errno.h>

int gntref_pool_init(struct gntref_pool *p, grant_ref_t first, uint32_t count, uint32_t *next)
{
    uint32_t i;

    if (!count || count >= GNTREF_END || first + (uint64_t)count - 1 > UINT32_MAX)
        return -XEN_EINVAL;
    p->first = first;
    p->count = count;
    p->next = next;
    for (i = 0; i < count; i++)
        next[i] = i + 1 < count ? i + 1 : GNTREF_END;
    p->head = 0;
    p->nr_free = count;
    return 0;
}

int gntref_claim(struct gntref_pool *p, grant_ref_t *ref)
{
    uint32_t i = p->head;

    if (i == GNTREF_END)
        return -XEN_ENOSPC;
    p->head = p->next[i];
    p->next[i] = GNTREF_CLAIMED;
    p->nr_free--;
    *ref = p->first + i;
    return 0;
}

/* Slot of `ref`, or GNTREF_END if outside the range (unsigned difference catches ref < first). */
static uint32_t slot_of(const struct gntref_pool *p, grant_ref_t ref)
{
    uint32_t i = ref - p->first;

    return i < p->count ? i : GNTREF_END;
}

bool gntref_is_claimed(const struct gntref_pool *p, grant_ref_t ref)
{
    uint32_t i = slot_of(p, ref);

    return i != GNTREF_END && p->next[i] == GNTREF_CLAIMED;
}

int gntref_release(struct gntref_pool *p, grant_ref_t ref)
{
    uint32_t i = slot_of(p, ref);

    if (i == GNTREF_END || p->next[i] != GNTREF_CLAIMED)
        return -XEN_EINVAL;
    p->next[i] = p->head;
    p->head = i;
    p->nr_free++;
    return 0;
}
