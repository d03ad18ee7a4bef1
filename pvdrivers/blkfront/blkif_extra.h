/*
 * blkif_extra.h: protocol constants the front end needs that are not in
 * tandem/io/blkif.h (Linux's, not part of the wire protocol).
 */
#ifndef PV_BLKIF_EXTRA_H
#define PV_BLKIF_EXTRA_H

#include <tandem/io/blkif.h>

/* Largest ring-page-order a Linux back end offers (XENBUS_MAX_RING_GRANT_ORDER): 16 pages. */
#define XENBUS_MAX_RING_GRANT_ORDER 4

#endif
