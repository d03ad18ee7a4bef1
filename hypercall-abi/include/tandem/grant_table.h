/*
 * grant_table_op hypercall (number 20) and the version-1 grant table.
 * Numbers and layouts are Xen's; the prose is Tandem's.
 *
 * A domain shares one of its frames with another by filling an entry of
 * its own grant table (an array of struct grant_entry_v1 in frames it got
 * from GNTTABOP_setup_table); the index is the grant reference the peer
 * uses. Tandem offers version 1 only (see GNTTABOP_set_version).
 *
 * Call: grant_table_op(cmd, uop, count): uop is the guest VA of an array
 * of <count> structs of the type named beside the op. The hypercall's own
 * return value is 0 if the array was processed (per-element results are
 * in each element's status, GNTST_*) or a negated XEN_E* if the call
 * itself was bad (unknown cmd, unreadable array).
 *
 * Granting, in this order (the hypervisor reads flags last):
 *   1. write domid and frame;  2. write barrier;  3. write flags.
 * Revoking an unused permit_access entry: read flags, check that
 * GTF_reading and GTF_writing are clear, then cmpxchg flags to 0; if
 * the cmpxchg fails the peer started using it: do not reuse the frame.
 */
#ifndef TANDEM_PUBLIC_GRANT_TABLE_H
#define TANDEM_PUBLIC_GRANT_TABLE_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"                /* domid_t */

#ifndef __ASSEMBLY__
typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
#endif

/* Refs below 8 are reserved for the toolstack and survive version changes. */
#define GNTTAB_NR_RESERVED_ENTRIES  8
#define GNTTAB_RESERVED_CONSOLE     0   /* the console ring page */
#define GNTTAB_RESERVED_XENSTORE    1   /* the xenstore ring page */

#ifndef __ASSEMBLY__
/* One grant table entry: 8 bytes, 512 per 4 KiB frame. */
struct grant_entry_v1 {
    uint16_t flags;             /* INOUT: GTF_*: type, readonly from the granter;
                                   reading, writing set by the hypervisor */
    domid_t  domid;             /* IN: the domain allowed to use this grant */
    uint32_t frame;             /* IN: frame granted (GFN; the MFN for a PV guest) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
#endif

/* Entry type, flags bits 1:0. */
#define GTF_invalid          (0U << 0)   /* grants nothing */
#define GTF_permit_access    (1U << 0)   /* domid may map or copy frame */
#define GTF_accept_transfer  (2U << 0)   /* domid may give us a page */
#define GTF_transitive       (3U << 0)   /* v2 only */
#define GTF_type_mask        (3U << 0)
/* permit_access sub-flags. */
#define _GTF_readonly        2
#define GTF_readonly         (1U << _GTF_readonly)   /* granter: read-only access */
#define _GTF_reading         3
#define GTF_reading          (1U << _GTF_reading)    /* hypervisor: in use for reading */
#define _GTF_writing         4
#define GTF_writing          (1U << _GTF_writing)    /* hypervisor: in use for writing */
#define _GTF_PWT             5
#define GTF_PWT              (1U << _GTF_PWT)        /* cache attributes (x86) */
#define _GTF_PCD             6
#define GTF_PCD              (1U << _GTF_PCD)
#define _GTF_PAT             7
#define GTF_PAT              (1U << _GTF_PAT)
#define _GTF_sub_page        8
#define GTF_sub_page         (1U << _GTF_sub_page)   /* v2 only */
/* accept_transfer sub-flags. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* Sub-op numbers. */
#define GNTTABOP_map_grant_ref       0   /* struct gnttab_map_grant_ref */
#define GNTTABOP_unmap_grant_ref     1   /* struct gnttab_unmap_grant_ref */
#define GNTTABOP_setup_table         2   /* struct gnttab_setup_table */
#define GNTTABOP_dump_table          3   /* struct gnttab_dump_table */
#define GNTTABOP_transfer            4   /* struct gnttab_transfer */
#define GNTTABOP_copy                5   /* struct gnttab_copy */
#define GNTTABOP_query_size          6   /* struct gnttab_query_size */
#define GNTTABOP_unmap_and_replace   7   /* struct gnttab_unmap_and_replace */
#define GNTTABOP_set_version         8   /* struct gnttab_set_version */
#define GNTTABOP_get_status_frames   9   /* struct gnttab_get_status_frames (v2) */
#define GNTTABOP_get_version        10   /* struct gnttab_get_version */
#define GNTTABOP_swap_grant_ref     11   /* struct gnttab_swap_grant_ref */
#define GNTTABOP_cache_flush        12   /* struct gnttab_cache_flush (Arm) */

/* gnttab_map_grant_ref.flags. */
#define _GNTMAP_device_map       0
#define GNTMAP_device_map        (1U << _GNTMAP_device_map)      /* for DMA: fills dev_bus_addr */
#define _GNTMAP_host_map         1
#define GNTMAP_host_map          (1U << _GNTMAP_host_map)        /* for the CPU, at host_addr */
#define _GNTMAP_readonly         2
#define GNTMAP_readonly          (1U << _GNTMAP_readonly)
#define _GNTMAP_application_map  3
#define GNTMAP_application_map   (1U << _GNTMAP_application_map) /* user mode may use it too */
#define _GNTMAP_contains_pte     4
#define GNTMAP_contains_pte      (1U << _GNTMAP_contains_pte)    /* host_addr: a PTE's address */
#define _GNTMAP_can_fail         5
#define GNTMAP_can_fail          (1U << _GNTMAP_can_fail)
/* Bits 16+ go into the PTE's software-available bits (XENFEAT_gnttab_map_avail_bits). */
#define _GNTMAP_guest_avail0     16
#define GNTMAP_guest_avail_mask  ((uint32_t)~0U << _GNTMAP_guest_avail0)

/* Per-element status codes. */
#define GNTST_okay               (0)    /* done */
#define GNTST_general_error      (-1)   /* unspecified failure */
#define GNTST_bad_domain         (-2)   /* no such domain */
#define GNTST_bad_gntref         (-3)   /* ref out of range or not granted to caller */
#define GNTST_bad_handle         (-4)   /* no such mapping handle */
#define GNTST_bad_virt_addr      (-5)   /* host_addr unusable */
#define GNTST_bad_dev_addr       (-6)   /* dev_bus_addr not this mapping's */
#define GNTST_no_device_space    (-7)   /* IOMMU out of room */
#define GNTST_permission_denied  (-8)   /* e.g. write to a readonly grant */
#define GNTST_bad_page           (-9)   /* frame not usable for this op */
#define GNTST_bad_copy_arg       (-10)  /* copy crosses a page boundary */
#define GNTST_address_too_big    (-11)  /* transfer frame beyond address limit */
#define GNTST_eagain             (-12)  /* not done; retry */
#define GNTST_no_space           (-13)  /* out of mapping handles or memory */

/*
 * Messages indexed by -status, for printing. An initializer, so the
 * header defines no data: static const char *msgs[] = GNTTABOP_error_msgs;
 */
#define GNTTABOP_error_msgs {                   \
    "okay",                                     \
    "undefined error",                          \
    "unrecognised domain id",                   \
    "invalid grant reference",                  \
    "invalid mapping handle",                   \
    "invalid virtual address",                  \
    "invalid device address",                   \
    "no spare translation slot in the I/O MMU", \
    "permission denied",                        \
    "bad page",                                 \
    "copy arguments cross page boundary",       \
    "page address size too large",              \
    "operation not done; try again",            \
    "out of space"                              \
}

#ifndef __ASSEMBLY__
/*
 * GNTTABOP_map_grant_ref: map grant <ref> of domain <dom>. For a PV guest
 * with GNTMAP_host_map, host_addr is the VA to map at, or (with
 * GNTMAP_contains_pte) the machine address of the L1 entry to write.
 * handle must later be passed to unmap. 32 bytes.
 */
struct gnttab_map_grant_ref {
    uint64_t host_addr;         /* IN */
    uint32_t flags;             /* IN: GNTMAP_* */
    grant_ref_t ref;            /* IN */
    domid_t  dom;               /* IN: the granting domain */
    int16_t  status;            /* OUT: GNTST_* */
    grant_handle_t handle;      /* OUT */
    uint64_t dev_bus_addr;      /* OUT: with GNTMAP_device_map */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;

/*
 * GNTTABOP_unmap_grant_ref: undo a mapping. A zero host_addr or
 * dev_bus_addr means "that half was not mapped". No stale TLB entries
 * remain when the call returns. 24 bytes.
 */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;         /* IN */
    uint64_t dev_bus_addr;      /* IN */
    grant_handle_t handle;      /* IN */
    int16_t  status;            /* OUT: GNTST_* */
    uint16_t pad;
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;

/*
 * GNTTABOP_setup_table: size <dom>'s table to at least nr_frames frames
 * and list their frame numbers (MFNs for PV; the guest maps them itself,
 * e.g. with mmu_update). dom other than DOMID_SELF needs privilege.
 * 24 bytes.
 */
struct gnttab_setup_table {
    domid_t  dom;               /* IN */
    uint16_t pad0;
    uint32_t nr_frames;         /* IN */
    int16_t  status;            /* OUT: GNTST_* */
    uint16_t pad1[3];
    uint64_t frame_list;        /* IN: guest VA of uint64_t[nr_frames], filled OUT */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;

/* GNTTABOP_dump_table: debug print of <dom>'s table on the console (another domain's: privileged). */
struct gnttab_dump_table {
    domid_t  dom;               /* IN */
    int16_t  status;            /* OUT */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;

/*
 * GNTTABOP_transfer: hand page <mfn> to <domid> via its accept_transfer
 * grant <ref>. Tandem refuses every transfer (status general_error, or
 * bad_page / bad_domain for a bad mfn / domid); the page stays the caller's.
 */
struct gnttab_transfer {
    uint64_t mfn;               /* IN */
    domid_t  domid;             /* IN */
    uint16_t pad0;
    grant_ref_t ref;            /* IN */
    int16_t  status;            /* OUT */
    uint16_t pad1[3];
};
typedef struct gnttab_transfer gnttab_transfer_t;
#endif

/*
 * GNTTABOP_copy: the hypervisor copies len bytes from source to dest.
 * Each side is a grant ref of a foreign domain (flag set) or a frame of
 * the caller's own (flag clear). Neither side may cross its page. 40 bytes.
 */
#define _GNTCOPY_source_gref  0
#define GNTCOPY_source_gref   (1U << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref    1
#define GNTCOPY_dest_gref     (1U << _GNTCOPY_dest_gref)
#ifndef __ASSEMBLY__
struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;        /* IN: with GNTCOPY_*_gref */
        uint64_t gmfn;          /* IN: without it */
    } u;
    domid_t  domid;             /* IN */
    uint16_t offset;            /* IN: byte offset in the page */
    uint32_t pad;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source;  /* IN */
    struct gnttab_copy_ptr dest;    /* IN */
    uint16_t len;               /* IN: bytes */
    uint16_t flags;             /* IN: GNTCOPY_* */
    int16_t  status;            /* OUT: GNTST_* */
    uint16_t pad;
};
typedef struct gnttab_copy gnttab_copy_t;

/* GNTTABOP_query_size: current and maximum table size of <dom>. 16 bytes. */
struct gnttab_query_size {
    domid_t  dom;               /* IN */
    uint16_t pad0;
    uint32_t nr_frames;         /* OUT */
    uint32_t max_nr_frames;     /* OUT */
    int16_t  status;            /* OUT: GNTST_* */
    uint16_t pad1;
};
typedef struct gnttab_query_size gnttab_query_size_t;

/* GNTTABOP_unmap_and_replace: unmap, leaving new_addr's mapping in its place. */
struct gnttab_unmap_and_replace {
    uint64_t host_addr;         /* IN */
    uint64_t new_addr;          /* IN */
    grant_handle_t handle;      /* IN */
    int16_t  status;            /* OUT */
    uint16_t pad;
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;

/*
 * GNTTABOP_set_version: choose the entry format, before any grant is
 * active. Tandem accepts 1 only: asking for 2 fails with -ENOSYS
 * (Linux then keeps version 1); other values give -EINVAL. On return,
 * version holds the version in force.
 */
struct gnttab_set_version {
    uint32_t version;           /* INOUT */
};
typedef struct gnttab_set_version gnttab_set_version_t;

/* GNTTABOP_get_status_frames: v2's status frames; with v1 there are none (nr_frames 0 okay, more general_error). 16 bytes. */
struct gnttab_get_status_frames {
    uint32_t nr_frames;         /* IN */
    domid_t  dom;               /* IN */
    int16_t  status;            /* OUT */
    uint64_t frame_list;        /* IN: guest VA of uint64_t[nr_frames], filled OUT */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;

/* GNTTABOP_get_version: the entry format <dom> uses. */
struct gnttab_get_version {
    domid_t  dom;               /* IN */
    uint16_t pad;
    uint32_t version;           /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;

/* GNTTABOP_swap_grant_ref: exchange two entries of the caller's table. */
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a;          /* IN */
    grant_ref_t ref_b;          /* IN */
    int16_t  status;            /* OUT */
    uint16_t pad;
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
#endif

/*
 * GNTTABOP_cache_flush: cache maintenance on an own or granted page (a
 * batch without status: errors are the call's return). x86: CLEAN writes
 * back and evicts; INVAL alone is -EOPNOTSUPP; SOURCE_GREF is -EINVAL.
 * Bits 12-31 of cmd carry its continuation. 16 bytes.
 */
#define GNTTAB_CACHE_CLEAN        (1U << 0)
#define GNTTAB_CACHE_INVAL        (1U << 1)
#define GNTTAB_CACHE_SOURCE_GREF  (1U << 31)
#ifndef __ASSEMBLY__
struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr;  /* IN */
        grant_ref_t ref;        /* IN: with GNTTAB_CACHE_SOURCE_GREF */
    } a;
    uint16_t offset;            /* IN */
    uint16_t length;            /* IN */
    uint32_t op;                /* IN: GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
#endif

#endif
