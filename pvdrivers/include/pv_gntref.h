/*
 * pv_gntref.h: a free list of grant references over a range [first,
 * first + count), for a driver that grants pages to its peer (ring pages,
 * data pages). Pure bookkeeping: it hands out numbers and takes them back;
 * filling the grant table entry is pvos_grant_page's job.
 *
 * Storage is the caller's (no allocation: `next` has `count` slots), so the
 * pool works in any kernel. Not locked: the caller serialises calls on one
 * pool (e.g. the driver's lock, or events masked).
 * Errors are negative Xen errno values (tandem/errno.h).
 */
#ifndef PV_GNTREF_H
#define PV_GNTREF_H

#include <stdint.h>
#include <stdbool.h>

typedef uint32_t grant_ref_t;

struct gntref_pool {
    grant_ref_t first;          /* lowest reference handed out */
    uint32_t count;             /* references in the range */
    uint32_t nr_free;           /* references on the free list */
    uint32_t head;              /* index of the first free slot, or GNTREF_END */
    uint32_t *next;             /* per slot: next free index, GNTREF_END, or GNTREF_CLAIMED */
};

#define GNTREF_END      0xfffffffeu     /* last free slot */
#define GNTREF_CLAIMED  0xffffffffu     /* slot is handed out */

/*
 * Make every reference of [first, first + count) free; `next` must hold
 * `count` entries and outlive the pool. -EINVAL if count is 0, is too big
 * for the markers, or the range wraps past 2^32.
 */
int gntref_pool_init(struct gntref_pool *p, grant_ref_t first, uint32_t count, uint32_t *next);

/* Claim one free reference into *ref: 0, or -ENOSPC when none is left (*ref untouched). */
int gntref_claim(struct gntref_pool *p, grant_ref_t *ref);

/*
 * Give back a claimed reference: 0; -EINVAL if it is outside the range or
 * not claimed (a double release), leaving the pool unchanged.
 */
int gntref_release(struct gntref_pool *p, grant_ref_t ref);

/* True if `ref` is in the range and currently claimed. */
bool gntref_is_claimed(const struct gntref_pool *p, grant_ref_t ref);

/* References left to claim. */
static inline uint32_t gntref_nr_free(const struct gntref_pool *p)
{
    return p->nr_free;
}

#endif
