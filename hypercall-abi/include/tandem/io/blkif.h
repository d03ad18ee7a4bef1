/*
 * blkif: the split block-device protocol (front end in the guest, back
 * end serving the disk). Numbers and layouts are Xen's io/blkif.h; the
 * prose is Tandem's.
 *
 * Transport: one shared ring (io/ring.h) of blkif requests/responses
 * (32 slots in one page) plus one event channel. Data pages are granted
 * by the front end per request (grant_table.h), 4 KiB each, addressed in
 * 512-byte sectors.
 *
 * Notifications use the ring's hold-off indices both ways: the front end
 * publishes with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, the back end with
 * RING_PUSH_RESPONSES_AND_CHECK_NOTIFY, and each calls
 * RING_FINAL_CHECK_FOR_* before it sleeps.
 *
 * XENSTORE KEYS (all values are strings; numbers in decimal; a missing key
 * means its default). Front end directory: /local/domain/<F>/device/vbd/<id>/
 * Back end directory: /local/domain/<B>/backend/vbd/<F>/<id>/
 *
 * Written by the front end:
 *   ring-ref            grant ref of the ring page (single-page ring)
 *   ring-ref%u          grant ref of ring page %u (multi-page ring; then
 *                       no ring-ref)
 *   ring-page-order     log2(ring pages); default 0; at most the back end's
 *                       max-ring-page-order
 *   event-channel       port the back end binds with bind_interdomain
 *   protocol            ring ABI, "x86_64-abi" (XEN_IO_PROTO_ABI_X86_64);
 *                       default native
 *   multi-queue-num-queues  N > 1 uses queue-0 .. queue-(N-1)/ subdirectories,
 *                       each with its own ring-ref* and event-channel, and no
 *                       top-level ones
 *   feature-persistent  1: the front end reuses its grants (back end may
 *                       keep them mapped)
 *   state               XenbusState (io/xenbus.h)
 *   virtual-device      device number (toolstack-written)
 *   device-type         "disk", "cdrom", ... (toolstack-written)
 *
 * Written by the back end:
 *   sectors             disk size in 512-byte sectors
 *   info                VDISK_* bits
 *   sector-size         logical sector size in bytes
 *   physical-sector-size  physical sector size in bytes
 *   feature-flush-cache       1: BLKIF_OP_FLUSH_DISKCACHE accepted
 *   feature-barrier           1: BLKIF_OP_WRITE_BARRIER accepted
 *   feature-discard           1: BLKIF_OP_DISCARD accepted, with
 *                             discard-granularity, discard-alignment,
 *                             discard-secure
 *   feature-persistent        1: the back end can keep grants mapped
 *   feature-max-indirect-segments  N: BLKIF_OP_INDIRECT accepted, up to N
 *                             segments
 *   max-ring-page-order       largest ring-page-order accepted (default 0)
 *   multi-queue-max-queues    most queues accepted
 *   state                     XenbusState
 *   (mode, params, type, physical-device: toolstack's, private to the back end)
 *
 * STATE MACHINE (see io/xenbus.h for the values):
 *
 *   Front end                          Back end
 *   Initialising                       Initialising
 *                                      open the disk; publish features,
 *                                      max-ring-page-order
 *                                        -> InitWait
 *   (sees InitWait) read features;
 *   allocate + grant the ring; alloc
 *   an unbound port for B; write
 *   ring-ref*, event-channel, protocol
 *     -> Initialised
 *                                      (sees Initialised) map the ring,
 *                                      bind the port; publish sectors,
 *                                      info, sector-size
 *                                        -> Connected
 *   (sees Connected) read sectors,
 *   info; register the disk
 *     -> Connected
 *
 *   Teardown: Closing, then Closed, on both sides; the front end must
 *   not reuse or ungrant the ring until the back end is Closed.
 *   A front end may go straight to Initialised without waiting for
 *   InitWait (default parameters); a back end may do the same.
 */
#ifndef TANDEM_PUBLIC_IO_BLKIF_H
#define TANDEM_PUBLIC_IO_BLKIF_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "ring.h"
#include "../grant_table.h"

#define XEN_IO_PROTO_ABI_X86_64 "x86_64-abi"
#define XEN_IO_PROTO_ABI_NATIVE XEN_IO_PROTO_ABI_X86_64

#ifndef __ASSEMBLY__
typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;
#endif

/* Operations. */
#define BLKIF_OP_READ             0
#define BLKIF_OP_WRITE            1
#define BLKIF_OP_WRITE_BARRIER    2  /* orders writes around it; feature-barrier */
#define BLKIF_OP_FLUSH_DISKCACHE  3  /* make completed writes durable; feature-flush-cache */
#define BLKIF_OP_RESERVED_1       4
#define BLKIF_OP_DISCARD          5  /* struct blkif_request_discard; feature-discard */
#define BLKIF_OP_INDIRECT         6  /* struct blkif_request_indirect; feature-max-indirect-... */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST        11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST  8
/* Segments per indirect page: 4096 / sizeof(struct blkif_request_segment). */
#define BLKIF_SEGS_PER_INDIRECT_FRAME         512
/* Sectors per data page, and the largest last_sect. */
#define BLKIF_SECTORS_PER_PAGE                8

/* Response status. */
#define BLKIF_RSP_EOPNOTSUPP  -2    /* operation not supported */
#define BLKIF_RSP_ERROR       -1
#define BLKIF_RSP_OKAY         0

/* Bits of the back end's "info" key. */
#define VDISK_CDROM      0x1
#define VDISK_REMOVABLE  0x2
#define VDISK_READONLY   0x4

#ifndef __ASSEMBLY__
/*
 * One data page of a request: sectors first_sect..last_sect (inclusive,
 * 0-7, 512-byte units) of the granted 4 KiB frame. 8 bytes:
 *   0 gref (4)  4 first_sect (1)  5 last_sect (1)  6 pad (2)
 */
struct blkif_request_segment {
    grant_ref_t gref;           /* IN: grant of the data page */
    uint8_t first_sect;         /* IN */
    uint8_t last_sect;          /* IN */
    uint16_t pad;
};

/*
 * A read or write. 112 bytes:
 *   0 operation (1)  1 nr_segments (1)  2 handle (2)  4 pad (4)
 *   8 id (8)  16 sector_number (8)  24 seg[11] (88)
 */
struct blkif_request {
    uint8_t operation;          /* IN: BLKIF_OP_* */
    uint8_t nr_segments;        /* IN: 1..BLKIF_MAX_SEGMENTS_PER_REQUEST (0 for flush/barrier) */
    blkif_vdev_t handle;        /* IN: virtual-device number */
    uint32_t pad;
    uint64_t id;                /* IN: front end's cookie, echoed in the response */
    blkif_sector_t sector_number; /* IN: first disk sector (512-byte units) */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST]; /* IN */
};
typedef struct blkif_request blkif_request_t;
#endif

/*
 * BLKIF_OP_DISCARD, in a ring slot. 32 bytes:
 *   0 operation  1 flag  2 handle  8 id  16 sector_number  24 nr_sectors
 */
#define BLKIF_DISCARD_SECURE (1 << 0)   /* only if discard-secure=1 */
#ifndef __ASSEMBLY__
struct blkif_request_discard {
    uint8_t operation;          /* IN: BLKIF_OP_DISCARD */
    uint8_t flag;               /* IN: BLKIF_DISCARD_* */
    blkif_vdev_t handle;        /* IN */
    uint32_t pad;
    uint64_t id;                /* IN: echoed */
    blkif_sector_t sector_number; /* IN */
    uint64_t nr_sectors;        /* IN */
};
typedef struct blkif_request_discard blkif_request_discard_t;

/*
 * BLKIF_OP_INDIRECT: the segments live in up to 8 granted pages, each an
 * array of struct blkif_request_segment (512 per page). 64 bytes:
 *   0 operation  1 indirect_op  2 nr_segments  8 id  16 sector_number
 *   24 handle  26 pad  28 indirect_grefs[8]  60 pad
 */
struct blkif_request_indirect {
    uint8_t operation;          /* IN: BLKIF_OP_INDIRECT */
    uint8_t indirect_op;        /* IN: BLKIF_OP_READ or _WRITE */
    uint16_t nr_segments;       /* IN: up to feature-max-indirect-segments */
    uint32_t pad0;
    uint64_t id;                /* IN: echoed */
    blkif_sector_t sector_number; /* IN */
    blkif_vdev_t handle;        /* IN */
    uint16_t pad1;
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST]; /* IN */
    uint32_t pad2;
};
typedef struct blkif_request_indirect blkif_request_indirect_t;

/*
 * The answer, in the slot of a consumed request. 16 bytes:
 *   0 id (8)  8 operation (1)  9 pad (1)  10 status (2)  12 pad (4)
 */
struct blkif_response {
    uint64_t id;                /* OUT: the request's id */
    uint8_t operation;          /* OUT: the request's operation */
    uint8_t pad0;
    int16_t status;             /* OUT: BLKIF_RSP_* */
    uint32_t pad1;
};
typedef struct blkif_response blkif_response_t;

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);
#endif

#endif
