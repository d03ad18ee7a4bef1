/* netfront_internal.h: what netfront.c (handshake, teardown) and netfront_ring.c share. */
#ifndef NETFRONT_INTERNAL_H
#define NETFRONT_INTERNAL_H

#include "netfront.h"

#define NETFRONT_TX_END 0xffffu   /* end of the tx id free list */

/* End a grant and free its page (if any); a grant still mapped is counted and its page kept. */
void netfront_end_grant(struct netfront *nf, grant_ref_t ref, void *page);
/* The back end broke the protocol: log, NETFRONT_ERROR, tear down, state Closing. */
void netfront_broken(struct netfront *nf, const char *why, unsigned int val);
/* Post the rx buffer of slot `from` as the next request (moved to its slot). */
void netfront_rx_post(struct netfront *nf, unsigned int from);
/* Publish rx requests; an event if the back end asked (feature-rx-notify). */
void netfront_rx_push(struct netfront *nf);

#endif
