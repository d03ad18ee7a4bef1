/*
 * blkif_extra.h: protocol constants the front end needs that are not in
 * tandem/io/blkif.h (B1 owns that header; these may move there). Values
 * are Xen's/Linux's.
 */
#ifndef PV_BLKIF_EXTRA_H
#define PV_BLKIF_EXTRA_H

#include <tandem/io/blkif.h>

/* Segments in one indirect page (Linux's SEGS_PER_INDIRECT_FRAME). */
#define BLKIF_SEGS_PER_INDIRECT_FRAME (4096u / sizeof(struct blkif_request_segment))

/* Largest ring-page-order a Linux back end offers (XENBUS_MAX_RING_GRANT_ORDER): 16 pages. */
#define XENBUS_MAX_RING_GRANT_ORDER 4

#define BLKIF_SECTORS_PER_PAGE 8u

#endif
