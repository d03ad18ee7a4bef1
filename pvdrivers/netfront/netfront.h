/*
 * netfront.h: the network front end's core (docs/netif.md, "Frontend").
 *
 * It owns one vif: the xenbus handshake (keys read and written, states;
 * it connects as soon as the back end is in InitWait, as Linux's
 * xen-netfront), the tx ring (one slot per page fragment, each granted
 * read-only, NETTXF_more_data chains), the rx ring (pages granted
 * writable once and reposted after each packet), and the event
 * channel(s): one, or split tx/rx when the back end offers it.
 * Everything outside the ring pages goes through struct netfront_ops, so
 * the kernel plugs in pvos_* and its store client and the unit tests a
 * fake back end or pvdrivers/netback.
 *
 * The back end is not trusted: a response producer beyond our requests,
 * a tx id out of range or not in flight, an rx response in another slot's
 * id, a size beyond its buffer, a packet running past the published
 * responses or longer than NETFRONT_MAX_SLOTS slots moves the device to
 * NETFRONT_ERROR (log line, state Closing); pending transmits complete
 * with -XEN_EIO. No call sleeps; not locked (the caller serialises).
 */
#ifndef PV_NETFRONT_H
#define PV_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/io/netif.h>
#include <tandem/io/xenbus.h>

#define NETFRONT_RING_SIZE  256u    /* __CONST_RING_SIZE(netif_tx / netif_rx, 4096) */
#define NETFRONT_MAX_SLOTS  XEN_NETIF_NR_SLOTS_MIN  /* per packet, either direction */
#define NETFRONT_RX_TARGET  64u     /* rx buffers kept posted */
#define NETFRONT_PATH_MAX   128u
#define NETFRONT_PAGE_SIZE  4096u

struct netfront_ops {
    void *(*page_alloc)(void *ctx);             /* one zeroed page; NULL if none */
    void (*page_free)(void *ctx, void *page);
    /* Grant one page to the back end's domain: the ref (>= 0) or -errno. */
    int (*grant)(void *ctx, const void *page, bool readonly);
    /* End a grant: 0, or -XEN_EBUSY while the back end still maps it. */
    int (*grant_end)(void *ctx, uint32_t ref);
    int (*evtchn_alloc)(void *ctx, uint32_t *port);  /* unbound, for the back end's domain */
    void (*evtchn_close)(void *ctx, uint32_t port);
    void (*notify)(void *ctx, uint32_t port);
    /* Store: value NUL-terminated into buf, its length, or -errno (-XEN_ENOENT). */
    int (*xs_read)(void *ctx, const char *path, char *buf, unsigned int cap);
    int (*xs_write)(void *ctx, const char *path, const char *value);
    /*
     * A received frame: `n` pieces (va, len) in our rx pages, valid only
     * during the call (copy them out); `flags` are the first slot's NETRXF_*.
     */
    void (*rx)(void *ctx, const void *const *va, const uint16_t *len, unsigned int n,
               uint32_t total, uint16_t flags);
    /* A transmit finished: 0, or -XEN_EIO (the back end answered an error, or we broke). */
    void (*tx_done)(void *ctx, void *cookie, int status);
};

enum netfront_state {
    NETFRONT_CLOSED,            /* not set up, or torn down */
    NETFRONT_CONNECTED,         /* rings published: tx accepted */
    NETFRONT_ERROR              /* the back end misbehaved or closed */
};

/* One piece of a frame to send: len bytes at offset of page (the page's start; within it). */
struct netfront_frag {
    const void *page;
    uint16_t offset;
    uint16_t len;
};

struct netfront_tx_slot {
    void *cookie;               /* the packet's, on its first slot */
    grant_ref_t gref;
    uint16_t head;              /* id of the packet's first slot */
    uint16_t left;              /* first slot: responses still due */
    uint16_t next_free;
    bool busy;                  /* a first slot stays busy until its whole packet is answered */
    bool answered;
    bool err;                   /* first slot: some slot was answered with an error */
};

struct netfront_rx_buf {
    void *page;
    grant_ref_t gref;
};

struct netfront_stats {
    uint64_t tx_packets, tx_errors, rx_packets, rx_errors, notifies, grant_leaks;
};

struct netfront {
    const struct netfront_ops *ops;
    void *ctx;
    char dir[NETFRONT_PATH_MAX];        /* ours, e.g. device/vif/0 */
    char backend[NETFRONT_PATH_MAX];    /* from our "backend" key */
    uint8_t mac[6];                     /* from our "mac" key */
    enum netfront_state state;
    XenbusState xb_state;
    bool be_sg, be_split;               /* back end's feature-sg, feature-split-event-channels */
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    void *tx_page, *rx_page;
    grant_ref_t tx_ref, rx_ref;
    bool have_tx_ref, have_rx_ref;
    uint32_t port_tx, port_rx;          /* equal unless split */
    bool have_port_tx, have_port_rx;
    uint16_t tx_free;                   /* free list of tx ids */
    unsigned int tx_inflight;           /* slots */
    struct netfront_tx_slot txs[NETFRONT_RING_SIZE];
    struct netfront_rx_buf rxb[NETFRONT_RING_SIZE];     /* by rx slot (index & 255) */
    unsigned int rx_bufs;               /* pages allocated and granted */
    struct netfront_stats stats;
};

/* Set up for the vif at dir (e.g. "device/vif/0"): reads "backend" and "mac", writes Initialising. */
int netfront_init(struct netfront *nf, const struct netfront_ops *ops, void *ctx, const char *dir);
/*
 * The back end's "state" changed to the raw value `peer`: do the
 * handshake step and write our new state. 0, or -errno if a step failed
 * (then Closing and NETFRONT_ERROR): -XEN_EOPNOTSUPP for a back end
 * without feature-rx-copy, -XEN_EINVAL for a bad key, -XEN_ENOMEM.
 */
int netfront_otherend_changed(struct netfront *nf, unsigned int peer);
/*
 * Send one frame of `n` pieces (flags: NETTXF_csum_blank and/or
 * NETTXF_data_validated). 0 (tx_done follows), or nothing sent:
 * -XEN_ENOTCONN, -XEN_EINVAL (bad piece, flags, or a frame shorter than an
 * Ethernet header or longer than 65535), -XEN_E2BIG (more pieces than
 * NETFRONT_MAX_SLOTS, or more than one without the back end's
 * feature-sg), -XEN_EAGAIN (ring full: retry after a tx_done).
 */
int netfront_xmit(struct netfront *nf, const struct netfront_frag *frags, unsigned int n,
                  uint16_t flags, void *cookie);
/* An event from the back end (either port): tx completions, received frames, rx refill. */
void netfront_handle_event(struct netfront *nf);
/* Tear down (also when the back end closes): pending transmits get -XEN_EIO. */
void netfront_disconnect(struct netfront *nf);

#endif
