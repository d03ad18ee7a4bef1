/* blk_hostile's cases (cases.c, ring.c): each prints its PASS line or reports a FAILURE. */
#ifndef BLK_HOSTILE_H
#define BLK_HOSTILE_H

#include "blkfe.h"

/* Grants: beyond the table, never granted, granted to `peer`, read-only for a READ. */
void hostile_grants(struct blkfe *fe, domid_t peer);
/* Segments past the page or reversed, sectors beyond the disk or wrapping, unknown ops, segment counts. */
void hostile_segments(struct blkfe *fe);
/* BLKIF_OP_INDIRECT: one honest, then too many segments, bad indirect page, bad inner op, segment, grant. */
void hostile_indirect(struct blkfe *fe);
/* A mode=r disk: reads served, writes, flushes and barriers refused. */
void hostile_readonly(struct blkfe *fe);
/* A garbage req_prod: the back end disconnects and unmaps the ring. */
void hostile_req_prod(struct blkfe *fe);
/* The ring grants revoked and the pages given back while mapped; then closed: unmapped, freed. */
void hostile_ring_revoked(struct blkfe *fe);
/* A ring-ref that grants nothing: the connect fails; nothing stays mapped. */
void hostile_bad_ring_ref(struct blkfe *fe);

#endif
