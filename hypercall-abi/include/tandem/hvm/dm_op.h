/*
 * dm_op hypercall (number 41): what a device model asks of the hypervisor
 * about the HVM domain it emulates devices for. Numbers and layouts are
 * Xen's (xen/include/public/hvm/dm_op.h); the prose is Tandem's. Tandem
 * implements the ioreq server operations 1-6, remote_shutdown (16) and
 * nr_vcpus (19); docs/hvm.md "Device models:
 * the ioreq channel" has the protocol and docs/abi/hypercalls.md the
 * errors.
 *
 * Call: dm_op(domid, nr_bufs, bufs): domid the target (HVM) domain, bufs
 * the guest VA of nr_bufs (1 or 2) struct xen_dm_op_buf; bufs[0] holds a
 * struct xen_dm_op (at least its header and the operation's member).
 * The caller must be privileged (Xen's XSM default for dm_op) and not the
 * target. An ioreq server belongs to the domain that created it (its
 * emulator): only that domain may query, change or destroy it (-EPERM).
 */
#ifndef TANDEM_PUBLIC_HVM_DM_OP_H
#define TANDEM_PUBLIC_HVM_DM_OP_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define XEN_DMOP_create_ioreq_server                1
#define XEN_DMOP_get_ioreq_server_info              2
#define XEN_DMOP_map_io_range_to_ioreq_server       3
#define XEN_DMOP_unmap_io_range_from_ioreq_server   4
#define XEN_DMOP_set_ioreq_server_state             5
#define XEN_DMOP_destroy_ioreq_server               6
/* 7-15, 17, 18 exist in Xen (dirty VRAM, interrupts, memory types, ...): -EOPNOTSUPP here. */
#define XEN_DMOP_remote_shutdown                    16
#define XEN_DMOP_nr_vcpus                           19

/* handle_bufioreq (Xen's HVM_IOREQSRV_BUFIOREQ_*): Tandem has no buffered ioreqs. */
#define HVM_IOREQSRV_BUFIOREQ_OFF       0
#define HVM_IOREQSRV_BUFIOREQ_LEGACY    1
#define HVM_IOREQSRV_BUFIOREQ_ATOMIC    2

/* get_ioreq_server_info flags: no guest frames (the page is reached with acquire_resource). */
#define XEN_DMOP_no_gfns                (1u << 0)

/* Range types. */
#define XEN_DMOP_IO_RANGE_PORT          0   /* I/O ports */
#define XEN_DMOP_IO_RANGE_MEMORY        1   /* guest-physical MMIO addresses */
#define XEN_DMOP_IO_RANGE_PCI           2   /* PCI SBDFs (XEN_DMOP_PCI_SBDF) */
#define XEN_DMOP_PCI_SBDF(s, b, d, f) \
    ((((s) & 0xffff) << 16) | (((b) & 0xff) << 8) | (((d) & 0x1f) << 3) | ((f) & 0x07))

#ifndef __ASSEMBLY__
typedef uint16_t ioservid_t;

/* 1: create a server (disabled, no ranges); its ioreq page and one event channel per vCPU. 6 bytes. */
struct xen_dm_op_create_ioreq_server {
    uint8_t handle_bufioreq;    /* IN: HVM_IOREQSRV_BUFIOREQ_OFF (others: -EOPNOTSUPP) */
    uint8_t pad[3];
    ioservid_t id;              /* OUT: the server's id, unique in the target */
};

/* 2: the server's buffered-ioreq port and guest frames; Tandem has neither (see below). 24 bytes. */
struct xen_dm_op_get_ioreq_server_info {
    ioservid_t id;              /* IN */
    uint16_t flags;             /* IN: XEN_DMOP_no_gfns (without it: -EOPNOTSUPP) */
    uint32_t bufioreq_port;     /* OUT: 0 (no buffered ioreqs) */
    uint64_t ioreq_gfn;         /* OUT: not set (the page is not in the guest's memory) */
    uint64_t bufioreq_gfn;      /* OUT: not set */
};

/* 3 and 4: claim or give back [start, end] (inclusive) of one type. 24 bytes. */
struct xen_dm_op_ioreq_server_range {
    ioservid_t id;              /* IN */
    uint16_t pad;
    uint32_t type;              /* IN: XEN_DMOP_IO_RANGE_* */
    uint64_t start, end;        /* IN: inclusive */
};

/* 5: enabled servers get requests; a disabled one none. 4 bytes. */
struct xen_dm_op_set_ioreq_server_state {
    ioservid_t id;              /* IN */
    uint8_t enabled;            /* IN: 0 or not */
    uint8_t pad;
};

/* 6: destroy the server: its ranges, page and ports go. 4 bytes. */
struct xen_dm_op_destroy_ioreq_server {
    ioservid_t id;              /* IN */
    uint16_t pad;
};

/* 16: shut the target down with <reason> (SHUTDOWN_*, sched.h), as SCHEDOP_shutdown does its caller. 4 bytes. */
struct xen_dm_op_remote_shutdown {
    uint32_t reason;            /* IN: taken as a u8, not validated (Xen's) */
};

/* 19: how many vCPUs the target has (its ioreq page's slots). 4 bytes. */
struct xen_dm_op_nr_vcpus {
    uint32_t vcpus;             /* OUT */
};

/* bufs[0]: op, pad (must be 0), then the operation's member. 32 bytes (Xen's is larger: more ops). */
struct xen_dm_op {
    uint32_t op;                /* IN: XEN_DMOP_* */
    uint32_t pad;               /* IN: 0 */
    union {
        struct xen_dm_op_create_ioreq_server create_ioreq_server;
        struct xen_dm_op_get_ioreq_server_info get_ioreq_server_info;
        struct xen_dm_op_ioreq_server_range map_io_range_to_ioreq_server;
        struct xen_dm_op_ioreq_server_range unmap_io_range_from_ioreq_server;
        struct xen_dm_op_set_ioreq_server_state set_ioreq_server_state;
        struct xen_dm_op_destroy_ioreq_server destroy_ioreq_server;
        struct xen_dm_op_remote_shutdown remote_shutdown;
        struct xen_dm_op_nr_vcpus nr_vcpus;
    } u;
};

/* One buffer: a guest VA and its size in bytes. 16 bytes. */
struct xen_dm_op_buf {
    uint64_t h;                 /* IN: guest VA */
    uint64_t size;              /* IN: bytes */
};
typedef struct xen_dm_op_buf xen_dm_op_buf_t;
#endif

#endif
