/*
 * Intel VT-d (drivers/passthrough/vtd/): private to the driver. Register
 * and table layouts from the VT-d specification (rev. 3+), legacy mode:
 * root table -> context tables -> second-level page tables.
 */
#ifndef VTD_H
#define VTD_H

#include "types.h"
#include "spinlock.h"
#include "pci.h"

/* Registers (offsets from the unit's base). */
#define DMAR_VER_REG     0x00
#define DMAR_CAP_REG     0x08
#define DMAR_ECAP_REG    0x10
#define DMAR_GCMD_REG    0x18
#define DMAR_GSTS_REG    0x1c
#define DMAR_RTADDR_REG  0x20
#define DMAR_CCMD_REG    0x28
#define DMAR_FSTS_REG    0x34
#define DMAR_FECTL_REG   0x38

#define CAP_ND(c)        ((c) & 7)                  /* domain ids: 2^(4 + 2 ND) */
#define CAP_RWBF         (1ULL << 4)
#define CAP_CM           (1ULL << 7)
#define CAP_SAGAW(c)     (((c) >> 8) & 0x1f)        /* bit 1: 3-level (39-bit), bit 2: 4-level (48-bit) */
#define CAP_MGAW(c)      ((((c) >> 16) & 0x3f) + 1)
#define CAP_FRO(c)       ((((c) >> 24) & 0x3ff) * 16)
#define CAP_NFR(c)       ((((c) >> 40) & 0xff) + 1)
#define ECAP_C           (1ULL << 0)                /* table walks snoop the CPU caches */
#define ECAP_IRO(e)      ((((e) >> 8) & 0x3ff) * 16)

#define GCMD_TE          (1U << 31)
#define GCMD_SRTP        (1U << 30)
#define GCMD_WBF         (1U << 27)
#define GSTS_TES         (1U << 31)
#define GSTS_RTPS        (1U << 30)
#define GSTS_WBFS        (1U << 27)
/* Status bits that are not one-shot commands: kept when writing GCMD. */
#define GSTS_KEEP        0x96ffffffU

#define CCMD_ICC         (1ULL << 63)
#define CCMD_GLOBAL      (1ULL << 61)
#define IOTLB_IVT        (1ULL << 63)
#define IOTLB_GLOBAL     (1ULL << 60)
#define IOTLB_DOMAIN     (2ULL << 60)
#define IOTLB_DR         (1ULL << 49)
#define IOTLB_DW         (1ULL << 48)
#define IOTLB_DID(d)     ((uint64_t)(d) << 32)

#define FSTS_PFO         (1U << 0)
#define FSTS_PPF         (1U << 1)
#define FSTS_FRI(s)      (((s) >> 8) & 0xff)
#define FECTL_IM         (1U << 31)
#define FRCD_F           (1ULL << 63)               /* in the record's high quadword */
#define FRCD_T_READ      (1ULL << 62)
#define FRCD_REASON(h)   (((h) >> 32) & 0xff)
#define FRCD_SID(h)      ((h) & 0xffff)

/* Table entries. */
#define VTD_P            (1ULL << 0)
#define SL_R             (1ULL << 0)
#define SL_W             (1ULL << 1)
#define SL_ADDR_MASK     0x000ffffffffff000ULL
#define CTX_AW(levels)   ((uint64_t)(levels) - 2)   /* 1: 3-level, 2: 4-level */
#define CTX_DID(did)     ((uint64_t)(did) << 8)

struct vtd_entry { uint64_t lo, hi; };              /* a root or context entry */

#define VTD_MAX_UNITS    4
#define VTD_MAX_SCOPES   32

struct vtd_unit {
    paddr_t base;
    volatile uint8_t *regs;
    uint64_t cap, ecap;
    bool include_all;                   /* every PCI function not in another unit's scope */
    unsigned int nr_scopes;
    pci_sbdf_t scope[VTD_MAX_SCOPES];   /* endpoints named by the DMAR's device scopes */
    struct vtd_entry *root;             /* 256 buses */
    struct vtd_entry *ctx[256];         /* context table per bus, NULL until needed */
    unsigned int levels;                /* second-level paging levels used */
    unsigned int nr_domids;
    uint64_t faults;                    /* recorded faults seen */
    spinlock_t lock;                    /* registers, context tables */
};

extern struct vtd_unit vtd_units[VTD_MAX_UNITS];
extern unsigned int vtd_nr_units;

/* dmar.c: parse the DMAR table into vtd_units (false: none usable). */
bool vtd_dmar_parse(void);
/* The unit translating `sbdf`, or NULL. */
struct vtd_unit *vtd_unit_for(pci_sbdf_t sbdf);

/* vtd.c */
bool vtd_unit_init(struct vtd_unit *u);
int vtd_context_set(struct vtd_unit *u, pci_sbdf_t sbdf, uint16_t did, paddr_t pgd, unsigned int levels);
void vtd_context_clear(struct vtd_unit *u, pci_sbdf_t sbdf, uint16_t did);
void vtd_iotlb_flush_domain(uint16_t did);
void vtd_fault_poll(struct vtd_unit *u);
void vtd_flush_cache(const void *p, size_t len);
/* Levels every unit supports (3 or 4); 0 if none in common. */
unsigned int vtd_common_levels(void);

#endif

/*
 * pagetable.c: a domain's second-level tables (DMA address = machine
 * address). The caller serialises calls for one domain.
 */
struct vtd_domain {
    uint64_t *pgd;                      /* top-level table (hypervisor heap page) */
    unsigned int levels;
    uint16_t did;
    uint64_t nr_tables;                 /* table pages, pgd included */
};
int vtd_pt_init(struct vtd_domain *vd, unsigned int levels, uint16_t did);
/* 0, or -1 when a table page cannot be allocated (nothing changed). */
int vtd_pt_map(struct vtd_domain *vd, mfn_t mfn, bool writable);
/* The entry's old permissions (SL_R | SL_W), 0 if it was not mapped. */
uint64_t vtd_pt_unmap(struct vtd_domain *vd, mfn_t mfn);
uint64_t vtd_pt_lookup(const struct vtd_domain *vd, mfn_t mfn);
void vtd_pt_free(struct vtd_domain *vd);
/* Every leaf entry mapped: fn(ctx, mfn, SL_R | SL_W bits); returns the sum of fn's results. */
unsigned int vtd_pt_walk(const struct vtd_domain *vd, unsigned int (*fn)(void *ctx, mfn_t mfn, uint64_t perm),
                         void *ctx);
