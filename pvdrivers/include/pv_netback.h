/*
 * pv_netback.h: the netif back end core for one vif (docs/netif.md
 * "Backend"). It serves a frontend's tx and rx rings and knows nothing of
 * the kernel: ring mapping, grant copies, events and where transmitted
 * packets go reach it through struct netback_ops, the store through
 * struct netback_xs_ops, so host unit tests run it against fakes (and
 * against pvdrivers/netfront) and the driver domain plugs in pvos_* and
 * GNTTABOP_copy.
 *
 * The frontend is hostile. Every request is copied out of its slot once
 * and checked as Linux's xen-netback does (xenvif_tx_build_gops,
 * xenvif_count_requests, xenvif_get_extras), with Linux's answers: a
 * malformed but bounded packet gets NETIF_RSP_ERROR for every slot; what
 * Linux calls fatal (a garbage producer index, a packet running past what
 * was published, more than NETBACK_FATAL_SLOTS slots, a slot crossing its
 * page, a bad extra) disconnects the vif with a log line (capped), and
 * every later call returns -XEN_ENOTCONN. Data moves only by grant copy:
 * nothing of the frontend is ever mapped except the two ring pages.
 *
 * Fair share: netback_tx_process and netback_rx_process take a budget of
 * packets; the driver domain round-robins its vifs with the same budget.
 * Receive is bounded: a frontend that posts no rx buffers has at most
 * NETBACK_RXQ_MAX packets / NETBACK_RXQ_BYTES bytes queued; more are
 * dropped (counted) and nobody else is slowed.
 *
 * Use: netback_init; netback_publish_features (-> InitWait);
 * netback_read_frontend + netback_connect (-> Connected); on every tx
 * event netback_tx_process, on every rx event and after netback_rx_enqueue
 * netback_rx_process; netback_disconnect to close. One thread, no locks.
 */
#ifndef PV_NETBACK_H
#define PV_NETBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/io/netif.h>
#include "pv_netpkt.h"

#define NETBACK_PAGE_SIZE    4096u
#define NETBACK_SLOTS_MAX    XEN_NETIF_NR_SLOTS_MIN  /* XEN_NETBK_LEGACY_SLOTS_MAX: slots after the
                                                      * first beyond this: packet dropped */
#define NETBACK_FATAL_SLOTS  20u    /* Linux's fatal_skb_slots: this many after the first: fatal */
#define NETBACK_MAX_EXTRAS   (XEN_NETIF_EXTRA_TYPE_MAX - 1u)  /* longer extra chains: fatal */
#define NETBACK_TX_BATCH     32u    /* packets per grant-copy call */
#define NETBACK_COPY_BATCH   128u   /* copy elements per grant-copy call */
#define NETBACK_RXQ_MAX      64u    /* packets waiting for a frontend's rx buffers */
#define NETBACK_RXQ_BYTES    (256u * 1024u)

/* Which event channel (the same port when the frontend did not split them). */
enum netback_evt { NETBACK_EVT_TX, NETBACK_EVT_RX };

/*
 * One GNTTABOP_copy element in the driver domain's terms: `len` bytes
 * between our buffer `local` (never crossing a 4 KiB boundary of our
 * address space) and the frontend's grant `gref` at `offset`.
 */
struct netback_copy {
    void *local;
    uint32_t gref;
    uint16_t offset;
    uint16_t len;
    bool to_frontend;           /* rx: local -> grant (GNTCOPY_dest_gref); tx: grant -> local */
    int16_t status;             /* OUT: GNTST_* */
};

struct netback_ops {
    void *ctx;
    /* Map the frontend's ring grant `ref` (one page, writable): address, or NULL with *err. */
    void *(*map_ring)(void *ctx, uint16_t domid, uint32_t ref, int *err);
    void (*unmap_ring)(void *ctx, void *va);
    /*
     * Do `n` copies with the frontend `domid` (one GNTTABOP_copy), setting
     * each status. 0, or -errno if the call itself failed (every element
     * then counts as failed).
     */
    int (*copy)(void *ctx, uint16_t domid, struct netback_copy *ops, unsigned int n);
    void (*notify)(void *ctx, enum netback_evt which);
    /* A packet the frontend sent, checked; our reference passes to the callee (the switch). */
    void (*deliver)(void *ctx, struct netpkt *pkt);
};

/* What the frontend wrote (netback_read_frontend). */
struct netback_front {
    uint32_t tx_ring_ref, rx_ring_ref;
    uint32_t evtchn_tx, evtchn_rx;  /* equal unless split */
    bool split;                 /* event-channel-tx/-rx instead of event-channel */
    bool sg;                    /* feature-sg: rx packets may span slots */
    bool csum;                  /* !feature-no-csum-offload (informational: we never send blank sums) */
    bool ipv6_csum;             /* feature-ipv6-csum-offload */
    bool gso_tcpv4, gso_tcpv6;  /* it accepts GSO rx packets (we never send any) */
};

struct netback_stats {
    uint64_t tx_packets, tx_bytes;  /* from the frontend, delivered */
    uint64_t tx_errors;             /* answered NETIF_RSP_ERROR (bad shape, bad grant, no memory) */
    uint64_t tx_csum_dropped;       /* csum_blank packets whose checksum could not be filled */
    uint64_t rx_packets, rx_bytes;  /* to the frontend */
    uint64_t rx_errors;             /* a copy into its buffer failed (slot answered ERROR) */
    uint64_t rx_dropped;            /* refused by netback_rx_enqueue (queue full, too big, ...) */
    uint64_t copies, copy_calls;    /* grant-copy elements and calls */
    uint64_t notifies;
};

/* One tx packet between its requests being taken and its copies completing. */
struct netback_txp {
    struct netpkt *pkt;
    uint16_t id[1u + NETBACK_FATAL_SLOTS];  /* data slots' ids: responses */
    uint8_t nslots, nextras;
    uint8_t first_op, nops;     /* its elements in copy[] */
    uint16_t txflags;           /* the first slot's NETTXF_* */
};

/* One rx packet between its buffers being taken and its copies completing. */
struct netback_rxp {
    struct netpkt *pkt;
    uint16_t id[NETPKT_MAX_LEN / NETBACK_PAGE_SIZE + 1u];
    uint16_t len[NETPKT_MAX_LEN / NETBACK_PAGE_SIZE + 1u];
    uint8_t nslots;
    uint8_t first_op, nops;
};

struct netback {
    struct netback_ops ops;
    uint16_t domid;
    uint8_t mac[NETPKT_MAC_LEN];    /* the vif's configured MAC (the switch's spoof check) */
    const struct netpkt_pool *pool;
    struct netback_front front;
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    void *tx_va, *rx_va;
    bool connected;
    bool fatal;                 /* disconnected for misbehaviour */
    unsigned int logs;
    /* Receive queue (a ring of packet references). */
    struct netpkt *rxq[NETBACK_RXQ_MAX];
    unsigned int rxq_head, rxq_len;
    uint32_t rxq_bytes;
    /* The current batch (tx or rx; never both at once). */
    struct netback_copy copy[NETBACK_COPY_BATCH];
    unsigned int ncopy;
    struct netback_txp txp[NETBACK_TX_BATCH];
    struct netback_rxp rxp[NETBACK_TX_BATCH];
    unsigned int npend;
    unsigned int unpushed_tx, unpushed_rx;
    struct netback_stats stats;
};

void netback_init(struct netback *nb, const struct netback_ops *ops, const struct netpkt_pool *pool,
                  uint16_t domid, const uint8_t *mac);
/*
 * Map both rings. -XEN_EISCONN if connected (or disconnected for
 * misbehaviour: a new netback_init is needed), or the map error (nothing
 * stays mapped).
 */
int netback_connect(struct netback *nb, const struct netback_front *front);
/* Unmap the rings and drop the receive queue; idempotent. */
void netback_disconnect(struct netback *nb);

/*
 * Take up to `budget` packets from the tx ring, copy them in, answer every
 * slot and deliver the good ones. The number of packets taken (answered
 * with an error or delivered), -XEN_ENOTCONN, or -XEN_EACCES if the
 * frontend was disconnected for misbehaviour in this call. Less than
 * `budget` means the ring is empty and the frontend's next request brings
 * an event (RING_FINAL_CHECK_FOR_REQUESTS).
 */
int netback_tx_process(struct netback *nb, unsigned int budget);

/*
 * Queue one packet for the frontend (a reference is taken). 0, or the
 * packet is not taken and counted as dropped: -XEN_ENOTCONN, -XEN_EINVAL
 * (shorter than an Ethernet header), -XEN_E2BIG (longer than a page
 * without feature-sg, or than NETPKT_MAX_LEN), -XEN_ENOSPC (queue full).
 */
int netback_rx_enqueue(struct netback *nb, struct netpkt *pkt);
/*
 * Copy up to `budget` queued packets into the frontend's posted buffers.
 * The number delivered, -XEN_ENOTCONN, or -XEN_EACCES (disconnected: its
 * rx producer index was garbage). When buffers run out, rx req_event asks
 * the frontend for an event once enough are posted for the next packet.
 */
int netback_rx_process(struct netback *nb, unsigned int budget);
/* Drop every queued packet (e.g. the frontend stalled too long); the number dropped. */
unsigned int netback_rx_purge(struct netback *nb);

/* The store, relative to the backend's (write) and the frontend's (read) directories. */
struct netback_xs_ops {
    void *ctx;
    int (*write)(void *ctx, const char *key, const char *val);
    /* NUL-terminated value; -XEN_ENOENT when absent. */
    int (*read)(void *ctx, const char *key, char *buf, uint32_t cap);
};

/*
 * Features, written before InitWait: feature-sg, feature-rx-copy = 1,
 * feature-rx-flip = 0, feature-split-event-channels, feature-ipv6-csum-offload.
 * 0 or the first write error.
 */
int netback_publish_features(const struct netback_xs_ops *xs);
/*
 * The frontend's keys. -XEN_ENOENT for a missing ring ref or channel,
 * -XEN_EINVAL for a bad number or more than one queue, -XEN_EOPNOTSUPP if
 * request-rx-copy or feature-rx-notify is not 1 (we neither flip pages
 * nor poll).
 */
int netback_read_frontend(const struct netback_xs_ops *xs, struct netback_front *f);

#endif
