/*
 * Grant tables, version 1 (common/gnttab.c; the PTE work behind arch hooks,
 * arch/x86/pv/grant_table.c). Xen's model: a domain's table is an array of
 * struct grant_entry_v1 in hypervisor-owned frames the domain maps writable
 * (typed writable for good, as shared_info); each entry the hypervisor is
 * using has an active entry (pin counts, the frame and domain read when the
 * first pin was taken); each mapping a domain holds of another's grant is a
 * maptrack entry, named to the guest by its handle.
 *
 * References: a host mapping's PTE holds the references any L1 entry holds
 * (a general reference on the granter's frame, and a writable type
 * reference when writable), so the frame stays alive (a zombie if the
 * granter dies) and can never be a page table while mapped; the frame audit
 * counts them as it counts every L1 entry. The table frames hold one
 * general and one type reference of the hypervisor's, dropped by the
 * granter's teardown.
 *
 * Locking: gt->lock protects the table size, the active entries and the
 * maptrack. Two domains' locks are taken by double_gnttab_lock (lower
 * domain id first). Entries' flags in the shared frames change by
 * compare-and-exchange (the guest writes them too).
 */
#ifndef TANDEM_GRANT_TABLE_H
#define TANDEM_GRANT_TABLE_H

#include "types.h"
#include "spinlock.h"
#include <tandem/grant_table.h>

struct domain;

#define GNTTAB_DEFAULT_MAX_FRAMES     64      /* Xen's max_grant_frames default */
#define GNTTAB_DEFAULT_MAX_MAPTRACK   1024    /* Xen's max_maptrack_frames default */
#define GNTTAB_ENTRIES_PER_FRAME      (PAGE_SIZE / sizeof(struct grant_entry_v1))

struct gnttab_active {
    uint16_t readers, writers;  /* pins: host mappings (readonly / writable) and copies in progress */
    domid_t  domid;             /* the domain using it (from the entry at the first pin) */
    uint16_t pad;
    uint32_t frame;             /* the frame (from the entry at the first pin) */
};

#define MAPTRACK_INUSE     (1U << 0)
#define MAPTRACK_READONLY  (1U << 1)
#define MAPTRACK_PTE       (1U << 2)    /* GNTMAP_contains_pte: host_addr is the L1 entry's machine address */
#define MAPTRACK_HOST      (1U << 3)    /* GNTMAP_host_map: a PTE at host_addr */
#define MAPTRACK_DEVICE    (1U << 4)    /* GNTMAP_device_map: a general reference (and writable type) on mfn */
struct gnttab_maptrack {
    uint64_t host_addr;         /* where the PTE is (the VA given to map) */
    uint64_t mfn;               /* the frame mapped */
    grant_ref_t ref;            /* the granter's ref; the next free handle when free */
    domid_t  dom;               /* the granter */
    uint16_t flags;             /* MAPTRACK_* */
    uint64_t pad;
};
#define MAPTRACK_PER_FRAME  (PAGE_SIZE / sizeof(struct gnttab_maptrack))

struct grant_table {
    spinlock_t lock;
    unsigned int nr_frames;         /* frames in use as the table (entries: nr_frames * 512) */
    unsigned int nr_held;           /* frames the hypervisor holds references to (teardown: > nr_frames) */
    unsigned int max_frames;        /* max_grant_frames */
    unsigned int max_maptrack;      /* max_maptrack_frames */
    mfn_t frames[GNTTAB_DEFAULT_MAX_FRAMES];
    struct gnttab_active *active[GNTTAB_DEFAULT_MAX_FRAMES];   /* 512 per table frame */
    /* Maptrack: handles [0, maptrack_limit) in pages of MAPTRACK_PER_FRAME. */
    struct gnttab_maptrack **maptrack;  /* max_maptrack pointers */
    unsigned int maptrack_frames;
    uint32_t maptrack_free;             /* first free handle, ~0 none */
    unsigned int maptrack_used;
};

/* The domain's table record (no frames yet): 0 or -XEN_ENOMEM. */
int gnttab_domain_init(struct domain *d);
/* At the start of d's teardown: close d's own table (its grants can no longer be pinned or unpinned). */
void gnttab_domain_destroy(struct domain *d);
/* Once d's memory is relinquished (its PTEs gone): drop the pins and device references of d's mappings. */
void gnttab_release_mappings(struct domain *d);
/* The configuration's max_grant_frames (1..64) and max_maptrack_frames (0..1024), before d runs. */
void gnttab_set_limits(struct domain *d, unsigned int max_frames, unsigned int max_maptrack);
/*
 * The builder's (Xen's xc_dom_gnttab_seed): write entry ref of d's table
 * (grantee, frame, then flags, in that order) before d runs, growing the
 * table to hold ref. The entry holds no reference on frame until it is
 * mapped. 0, -XEN_EINVAL (ref beyond max_grant_frames) or -XEN_ENOMEM.
 */
int gnttab_seed_entry(struct domain *d, grant_ref_t ref, domid_t grantee, uint64_t frame,
                      uint16_t flags);
void double_gnttab_lock(struct domain *d1, struct domain *d2);
void double_gnttab_unlock(struct domain *d1, struct domain *d2);

#endif
