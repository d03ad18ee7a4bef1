/*
 * memory_op hypercall (number 12): reservations, the physical memory map
 * and the machine-to-phys (M2P) table. Numbers and layouts are Xen's;
 * the prose is Tandem's.
 *
 * Call: memory_op(cmd, arg), arg = guest VA of the struct named beside
 * each XENMEM_* (or of a domid_t, or 0). Guest buffers are uint64_t guest
 * VAs. Unless noted, domid fields accept DOMID_SELF only for unprivileged
 * callers (-EPERM otherwise). A command Tandem does not implement answers
 * -ENOSYS (Linux then falls back: e.g. memory_map -> one RAM entry).
 */
#ifndef TANDEM_PUBLIC_MEMORY_H
#define TANDEM_PUBLIC_MEMORY_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"                /* domid_t */

#define XENMEM_increase_reservation   0  /* struct xen_memory_reservation; returns extents done */
#define XENMEM_decrease_reservation   1  /* struct xen_memory_reservation; returns extents done */
#define XENMEM_maximum_ram_page       2  /* no arg; returns the highest MFN of RAM */
#define XENMEM_current_reservation    3  /* IN: domid_t; returns pages */
#define XENMEM_maximum_reservation    4  /* IN: domid_t; returns pages */
#define XENMEM_machphys_mfn_list      5  /* struct xen_machphys_mfn_list */
#define XENMEM_populate_physmap       6  /* struct xen_memory_reservation; returns extents done */
#define XENMEM_add_to_physmap         7  /* struct xen_add_to_physmap */
                                         /* 8: removed (translate_gpfn_list) */
#define XENMEM_memory_map             9  /* struct xen_memory_map: this domain's E820 */
#define XENMEM_machine_memory_map    10  /* struct xen_memory_map: host E820 (privileged) */
#define XENMEM_exchange              11  /* struct xen_memory_exchange */
#define XENMEM_machphys_mapping      12  /* OUT: struct xen_machphys_mapping */
#define XENMEM_set_memory_map        13  /* struct xen_foreign_memory_map (privileged) */
#define XENMEM_maximum_gpfn          14  /* IN: domid_t; returns the highest GPFN */
#define XENMEM_remove_from_physmap   15  /* struct xen_remove_from_physmap */
#define XENMEM_set_pod_target        16
#define XENMEM_get_pod_target        17
#define XENMEM_add_to_physmap_batch  23
#define XENMEM_claim_pages           24
#define XENMEM_machphys_compat_mfn_list 25
#define XENMEM_get_vnumainfo         26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_acquire_resource      28  /* struct xen_mem_acquire_resource */

/*
 * The command's bits 6 and up: for increase_reservation,
 * decrease_reservation and populate_physmap, the extent to start at (how a
 * preempted call continues, as Xen's start_extent); 0 for every other
 * command.
 */
#define MEMOP_EXTENT_SHIFT           6
#define MEMOP_CMD_MASK               ((1U << MEMOP_EXTENT_SHIFT) - 1)

/*
 * mem_flags of struct xen_memory_reservation. Bits 0-7: the highest
 * address width the extents may use (0 = any); bits 8-15: NUMA node + 1.
 */
#define XENMEMF_address_bits(x)      (x)
#define XENMEMF_get_address_bits(x)  ((x) & 0xffu)
#define XENMEMF_node(x)              (((x) + 1) << 8)
#define XENMEMF_get_node(x)          ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand   (1 << 16)
#define XENMEMF_exact_node_request   (1 << 17)
#define XENMEMF_exact_node(n)        (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode                (1 << 18)

#ifndef __ASSEMBLY__
/*
 * increase_reservation / decrease_reservation / populate_physmap.
 * extent_start points at nr_extents frame numbers (uint64_t each), each
 * naming an extent of 2^extent_order pages:
 *   increase: OUT  machine frames allocated;
 *   decrease: IN   guest frames to give back;
 *   populate: IN   guest pfns to fill, OUT the frames put there (the M2P
 *                  is updated too).
 * The return value is how many extents were done; less than nr_extents
 * means the rest failed. 32 bytes.
 */
struct xen_memory_reservation {
    uint64_t extent_start;      /* IN: guest VA of uint64_t[nr_extents]; contents: see above */
    uint64_t nr_extents;        /* IN */
    uint32_t extent_order;      /* IN: log2(pages per extent) */
    uint32_t mem_flags;         /* IN: XENMEMF_* (ignored by decrease) */
    domid_t  domid;             /* IN: DOMID_SELF unless privileged */
    uint16_t pad[3];
};
typedef struct xen_memory_reservation xen_memory_reservation_t;

/*
 * XENMEM_exchange: give back in.nr_extents extents and get the same
 * number of pages back as out.nr_extents extents, atomically per extent.
 * in.domid == out.domid; the two extent lists must not overlap;
 * out.extent_start lists the guest pfns to fill and is overwritten with
 * the new frames. 72 bytes.
 */
struct xen_memory_exchange {
    struct xen_memory_reservation in;   /* IN */
    struct xen_memory_reservation out;  /* INOUT: see above */
    uint64_t nr_exchanged;      /* INOUT: caller sets 0; OUT input extents done */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;

/*
 * XENMEM_machphys_mfn_list: machine frames of the M2P table, one per
 * 2 MiB of it (0 marks a hole). 24 bytes.
 */
struct xen_machphys_mfn_list {
    uint32_t max_extents;       /* IN: room in extent_start[] */
    uint32_t pad0;
    uint64_t extent_start;      /* IN: guest VA of uint64_t[max_extents], filled OUT */
    uint32_t nr_extents;        /* OUT: entries written */
    uint32_t pad1;
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;

/*
 * XENMEM_machphys_mapping: where the read-only M2P array is mapped in
 * every PV address space (MACH2PHYS_VIRT_START..END in xen.h) and the
 * largest MFN it can translate. 24 bytes.
 */
struct xen_machphys_mapping {
    uint64_t v_start;           /* OUT: first VA of the M2P */
    uint64_t v_end;             /* OUT: end VA (exclusive) */
    uint64_t max_mfn;           /* OUT: highest MFN with an entry */
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
#endif

/* Spaces XENMEM_add_to_physmap can take a page from. */
#define XENMAPSPACE_shared_info   0  /* idx 0: the shared_info page */
#define XENMAPSPACE_grant_table   1  /* idx: grant frame (| XENMAPIDX_grant_table_status) */
#define XENMAPSPACE_gmfn          2  /* idx: another GMFN of the same domain */
#define XENMAPSPACE_gmfn_range    3  /* like gmfn, <size> pages */
#define XENMAPSPACE_gmfn_foreign  4  /* batch op only */
#define XENMAPSPACE_dev_mmio      5  /* Arm only */
#define XENMAPIDX_grant_table_status 0x80000000U

#ifndef __ASSEMBLY__
/*
 * XENMEM_add_to_physmap: make page <idx> of <space> appear at guest pfn
 * <gpfn>. Meaningful for auto-translated guests; a PV guest maps the
 * frames itself. 24 bytes.
 */
struct xen_add_to_physmap {
    domid_t  domid;             /* IN */
    uint16_t size;              /* IN: page count for XENMAPSPACE_gmfn_range */
    uint32_t space;             /* IN: XENMAPSPACE_* */
    uint64_t idx;               /* IN: index within the space */
    uint64_t gpfn;              /* IN: where it should appear */
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;

/* XENMEM_remove_from_physmap: 16 bytes. */
struct xen_remove_from_physmap {
    domid_t  domid;             /* IN */
    uint16_t pad[3];
    uint64_t gpfn;              /* IN: page to unmap */
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;

/*
 * XENMEM_memory_map / machine_memory_map: copy an E820-style map into
 * buffer. On entry nr_entries is the room in buffer (in entries); on
 * return it is the number written, min(room, map length): a short buffer
 * gets the first entries, not an error. -ENOSYS if the domain has no map
 * (Linux then assumes one RAM range). 16 bytes.
 */
struct xen_memory_map {
    uint32_t nr_entries;        /* INOUT */
    uint32_t pad;
    uint64_t buffer;            /* IN: guest VA of struct xen_e820_entry[], filled OUT */
};
typedef struct xen_memory_map xen_memory_map_t;

/* XENMEM_set_memory_map: 24 bytes. */
struct xen_foreign_memory_map {
    domid_t  domid;             /* IN */
    uint16_t pad[3];
    struct xen_memory_map map;  /* IN */
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;

/*
 * One map entry, byte-for-byte the BIOS INT 15h/E820 record: u64 addr @0,
 * u64 size @8, u32 type @16, 20 bytes, packed (entries are 20 bytes
 * apart). Written as 32-bit halves (little endian) so the array stride is
 * 20 without compiler packing extensions; use the accessors.
 */
struct xen_e820_entry {
    uint32_t addr_lo;           /* OUT: start, bits 31:0 */
    uint32_t addr_hi;           /* OUT: start, bits 63:32 */
    uint32_t size_lo;           /* OUT: length in bytes, bits 31:0 */
    uint32_t size_hi;           /* OUT: length in bytes, bits 63:32 */
    uint32_t type;              /* OUT: XEN_E820_* */
};

/*
 * XENMEM_acquire_resource: the machine frames of a resource of another
 * domain, for the caller to map (a PV caller maps them with mmu_update,
 * MMU_PT_UPDATE_NO_TRANSLATE, foreigndom = domid). Privileged callers
 * only, never for the caller itself (-EPERM). With frame_list 0 and
 * nr_frames 0 it answers the resource's size in nr_frames. Tandem has one
 * type: the ioreq page of ioreq server <id> of HVM domain <domid>
 * (hvm/dm_op.h), frame XENMEM_resource_ioreq_server_frame_ioreq(0) (frame
 * 0, the buffered-ioreq page, does not exist: -ENOENT). 32 bytes.
 */
#define XENMEM_resource_ioreq_server    0
#define XENMEM_resource_grant_table     1   /* Xen's; -EOPNOTSUPP here */
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
struct xen_mem_acquire_resource {
    domid_t  domid;             /* IN: the domain owning the resource */
    uint16_t type;              /* IN: XENMEM_resource_* */
    uint32_t id;                /* IN: the server id (ioservid_t) */
    uint32_t nr_frames;         /* IN: frames wanted; OUT: the size when frame_list is 0 */
    uint32_t pad;               /* IN: 0 (Xen's flags) */
    uint64_t frame;             /* IN: the first frame wanted */
    uint64_t frame_list;        /* IN: guest VA of uint64_t[nr_frames], filled OUT with MFNs */
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
#endif
#define XEN_E820_ENTRY_SIZE 20
#define XEN_E820_ADDR(e) (((uint64_t)(e)->addr_hi << 32) | (e)->addr_lo)
#define XEN_E820_SIZE(e) (((uint64_t)(e)->size_hi << 32) | (e)->size_lo)
#define XEN_E820_RAM       1
#define XEN_E820_RESERVED  2
#define XEN_E820_ACPI      3
#define XEN_E820_NVS       4
#define XEN_E820_UNUSABLE  5

#endif
