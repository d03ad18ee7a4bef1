/* netback_internal.h: what netback.c (tx) and netback_rx.c share. */
#ifndef NETBACK_INTERNAL_H
#define NETBACK_INTERNAL_H

#include "pv_netback.h"
#include "pvos.h"

#define NETBACK_MAX_LOGS 16u

#define nblog(nb, fmt, ...) do {                                            \
    if ((nb)->logs < NETBACK_MAX_LOGS) {                                    \
        (nb)->logs++;                                                       \
        pvos_log("netback d%u: " fmt, (nb)->domid, ##__VA_ARGS__);          \
    }                                                                       \
} while (0)

/* Disconnect for misbehaviour (Linux's xenvif_fatal_tx_err), after a log line. */
void netback_fatal(struct netback *nb);
/*
 * Add copy elements for `len` bytes between local and (gref, offset),
 * split where local crosses a 4 KiB boundary. The caller made room
 * (at most two elements per call).
 */
void netback_add_copy(struct netback *nb, void *local, uint32_t gref, uint16_t offset,
                      uint16_t len, bool to_frontend);
/* Run the batch's copies: false for the whole call failing (every element then failed). */
void netback_run_copies(struct netback *nb);

#endif
