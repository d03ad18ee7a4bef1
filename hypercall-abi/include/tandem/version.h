/* xen_version hypercall (number 17): sub-ops and their buffers. Xen's numbers. */
#ifndef TANDEM_PUBLIC_VERSION_H
#define TANDEM_PUBLIC_VERSION_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define XENVER_version      0   /* returns (major << 16) | minor */
#define XENVER_extraversion 1   /* OUT: char[16] */
#define XENVER_compile_info 2   /* OUT: struct xen_compile_info */
#define XENVER_capabilities 3   /* OUT: char[1024] */
#define XENVER_changeset    4   /* OUT: char[64] */
#define XENVER_platform_parameters 5 /* OUT: struct xen_platform_parameters */
#define XENVER_get_features 6   /* IN/OUT: struct xen_feature_info */
#define XENVER_pagesize     7   /* returns the page size */
#define XENVER_guest_handle 8   /* OUT: uint8_t[16] */
#define XENVER_commandline  9   /* OUT: char[1024]; privileged domains only */
#define XENVER_build_id    10   /* IN/OUT: struct xen_build_id */

#ifndef __ASSEMBLY__
typedef char xen_extraversion_t[16];
typedef char xen_capabilities_info_t[1024];
typedef char xen_changeset_info_t[64];
typedef char xen_commandline_t[1024];
typedef uint8_t xen_domain_handle_t[16];

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};

struct xen_platform_parameters {
    uint64_t virt_start;        /* OUT: HYPERVISOR_VIRT_START */
};

struct xen_feature_info {
    uint32_t submap_idx;        /* IN: which 32-bit submap */
    uint32_t submap;            /* OUT */
};

struct xen_build_id {
    uint32_t len;               /* IN: buffer size; OUT: id size */
    uint8_t  buf[1];            /* OUT: variable length */
};
#endif

/* Feature bits (features.h). */
#define XENFEAT_writable_page_tables        0
#define XENFEAT_writable_descriptor_tables  1
#define XENFEAT_auto_translated_physmap     2
#define XENFEAT_supervisor_mode_kernel      3
#define XENFEAT_pae_pgdir_above_4gb         4
#define XENFEAT_mmu_pt_update_preserve_ad   5
#define XENFEAT_highmem_assist              6
#define XENFEAT_gnttab_map_avail_bits       7
#define XENFEAT_hvm_callback_vector         8
#define XENFEAT_hvm_safe_pvclock            9
#define XENFEAT_hvm_pirqs                  10
#define XENFEAT_dom0                       11
#define XENFEAT_NR_SUBMAPS                  1

#endif
