/*
 * Nested page tables (AMD NPT): guest-physical -> machine, 4 levels in
 * the long-mode format, built once for the domain's whole memory
 * (gfn 0..nr_pages -> its own frames, read/write/execute). Every entry has
 * the U bit: NPT walks are user accesses, and QEMU's TCG faults without
 * it. Table pages come from the hypervisor heap, not the domain: the
 * guest cannot see or reach them. Nothing else is mapped, so any access
 * beyond the domain's memory is a nested page fault (svm.c kills it).
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "../hvm/hvm.h"
#include "svm.h"
#include <tandem/errno.h>

#define NPT_P   1ULL
#define NPT_RW  2ULL
#define NPT_US  4ULL
#define NPT_FLAGS (NPT_P | NPT_RW | NPT_US)
#define NPT_ADDR 0x000ffffffffff000ULL

/* The table below entry e of t, made if absent; NULL when out of memory. */
static uint64_t *npt_next(uint64_t *t, unsigned int idx)
{
    uint64_t *n;

    if (t[idx] & NPT_P)
        return (uint64_t *)__va(t[idx] & NPT_ADDR);
    if (!(n = xzalloc_bytes(PAGE_SIZE)))
        return NULL;
    t[idx] = __pa(n) | NPT_FLAGS;
    return n;
}

int npt_build(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;

    if (!(hd->npt_l4 = xzalloc_bytes(PAGE_SIZE)))
        return -XEN_ENOMEM;
    for (uint64_t gfn = 0; gfn < hd->nr_pages; gfn++) {
        uint64_t *l3, *l2, *l1;
        if (!(l3 = npt_next(hd->npt_l4, (gfn >> 27) & 511)) || !(l2 = npt_next(l3, (gfn >> 18) & 511)) ||
            !(l1 = npt_next(l2, (gfn >> 9) & 511)))
            return -XEN_ENOMEM;
        l1[gfn & 511] = ((uint64_t)hd->p2m[gfn] << PAGE_SHIFT) | NPT_FLAGS;
    }
    return 0;
}

static void npt_free(uint64_t *t, unsigned int level)
{
    if (level > 1)
        for (unsigned int i = 0; i < 512; i++)
            if (t[i] & NPT_P)
                npt_free((uint64_t *)__va(t[i] & NPT_ADDR), level - 1);
    xfree(t);
}

void npt_destroy(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;

    if (hd->npt_l4)
        npt_free(hd->npt_l4, 4);
    hd->npt_l4 = NULL;
}
