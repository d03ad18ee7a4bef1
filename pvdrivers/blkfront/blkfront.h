/*
 * blkfront.h: the block front end's core (docs/blkif.md, "Frontend").
 *
 * It owns one vbd: the xenbus handshake (keys read and written, states),
 * the (possibly multi-page) shared ring as producer, a shadow table of the
 * requests in flight keyed by the ring id, grants per data segment,
 * indirect descriptors when the back end offers them, and a FIFO of
 * requests waiting for a free slot. Everything outside the ring page goes
 * through struct blkfront_ops, so the kernel plugs in pvos_* and the store
 * client, and the unit test a fake back end.
 *
 * The back end is not trusted: a response producer more than the ring
 * size ahead, an id not in flight or a response for another operation
 * moves the device to BLKFRONT_ERROR (log line), and every pending request
 * completes with -XEN_EIO. So does a back end that closes. No call here
 * sleeps; not locked (the caller serialises, e.g. events masked).
 * Errors are negative Xen errno values (tandem/errno.h).
 */
#ifndef PV_BLKFRONT_H
#define PV_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/io/xenbus.h>
#include "blkif_extra.h"

#define BLKFRONT_MAX_RING_ORDER     XENBUS_MAX_RING_GRANT_ORDER
#define BLKFRONT_MAX_SLOTS          512u    /* __RING_SIZE of 16 pages */
#define BLKFRONT_MAX_INDIRECT_SEGS  64u     /* we ask for no more (Linux's default is 32) */
#define BLKFRONT_MAX_INDIRECT_PAGES                                            \
    ((BLKFRONT_MAX_INDIRECT_SEGS + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) / BLKIF_SEGS_PER_INDIRECT_FRAME)
#define BLKFRONT_PATH_MAX           128u

struct blkfront_ops {
    /* nr_pages (1 << order) zeroed pages, virtually contiguous; NULL if none. */
    void *(*ring_alloc)(void *ctx, unsigned int nr_pages);
    void (*ring_free)(void *ctx, void *ring, unsigned int nr_pages);
    void *(*page_alloc)(void *ctx);                 /* one zeroed page for indirect segments */
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
};

enum blkfront_state {
    BLKFRONT_CLOSED,            /* not set up, or torn down */
    BLKFRONT_INITIALISED,       /* ring published, waiting for the back end's Connected */
    BLKFRONT_CONNECTED,         /* I/O accepted */
    BLKFRONT_ERROR              /* the back end misbehaved or closed: I/O refused */
};

struct blkfront_io;
typedef void (*blkfront_done_fn)(struct blkfront_io *io);

/*
 * One request from the block layer. Data: sectors first_sect.. of pages[0],
 * then whole pages, nr_sectors in all (512-byte sectors); pages are the
 * caller's and stay so until done runs. FLUSH takes no data.
 */
enum blkfront_op { BLKFRONT_READ, BLKFRONT_WRITE, BLKFRONT_FLUSH };

struct blkfront_io {
    enum blkfront_op op;
    uint64_t sector;
    uint32_t nr_sectors;
    uint32_t first_sect;        /* 0..7 */
    void **pages;
    blkfront_done_fn done;      /* called once, with status set */
    void *cookie;
    int status;                 /* OUT: 0, -XEN_EIO, -XEN_EOPNOTSUPP */
    struct blkfront_io *next;   /* private: wait queue */
};

struct blkfront_shadow {
    struct blkfront_io *io;     /* NULL: slot id free */
    uint8_t op;                 /* BLKIF_OP_* the response must carry */
    uint16_t nr_grefs;
    uint16_t nr_ind;
    uint32_t next_free;
    grant_ref_t gref[BLKFRONT_MAX_INDIRECT_SEGS];
    grant_ref_t ind_gref[BLKFRONT_MAX_INDIRECT_PAGES];
    void *ind_page[BLKFRONT_MAX_INDIRECT_PAGES];
};

struct blkfront_stats {
    uint64_t requests, indirect, notifies, grants, grant_leaks;
};

struct blkfront {
    const struct blkfront_ops *ops;
    void *ctx;
    char dir[BLKFRONT_PATH_MAX];        /* our device directory, e.g. device/vbd/51712 */
    char backend[BLKFRONT_PATH_MAX];    /* the back end's, from our "backend" key */
    uint16_t handle;                    /* virtual-device number */
    enum blkfront_state state;
    XenbusState xb_state;               /* what we last wrote to "state" */
    /* Back end's features (read at InitWait) and disk (read at Connected). */
    unsigned int ring_order, max_indirect;
    bool feature_flush, feature_barrier, readonly;
    uint64_t sectors;
    uint32_t sector_size;
    /* Ring. */
    blkif_front_ring_t ring;
    void *ring_va;
    grant_ref_t ring_ref[1u << BLKFRONT_MAX_RING_ORDER];
    unsigned int nr_ring_refs;
    uint32_t port;
    bool have_port;
    uint32_t free_head;
    uint32_t in_flight;
    struct blkfront_io *wait_head, *wait_tail;
    struct blkfront_shadow shadow[BLKFRONT_MAX_SLOTS];
    struct blkfront_stats stats;
};

/*
 * Set up for the vbd at dir (e.g. "device/vbd/51712"), state Initialising
 * written; reads "backend". The ring order is the back end's max, capped at
 * BLKFRONT_MAX_RING_ORDER.
 */
int blkfront_init(struct blkfront *f, const struct blkfront_ops *ops, void *ctx, const char *dir,
                  uint16_t handle);

/*
 * The back end's "state" changed (watch fired) to the raw value peer: do
 * the handshake step (pv_xenbus_state.h) and write our new state.
 * Returns 0, or -errno if a step failed (then we are Closing/ERROR).
 */
int blkfront_otherend_changed(struct blkfront *f, unsigned int peer);

/*
 * Queue io; it is sent when a slot is free. 0, or (io not taken, done not
 * called) -XEN_ENOTCONN if not connected, -XEN_EINVAL for a bad shape or
 * range, -XEN_EACCES for a write to a read-only disk, -XEN_EOPNOTSUPP for
 * a flush the back end cannot do, -XEN_E2BIG for more segments than allowed
 * (blkfront_max_sectors).
 */
int blkfront_submit(struct blkfront *f, struct blkfront_io *io);

/* Event from the back end: consume responses, complete requests, send queued ones. */
void blkfront_handle_event(struct blkfront *f);

/* Most sectors one request may carry (with first_sect 0). */
uint32_t blkfront_max_sectors(const struct blkfront *f);

/* Tear down (also done when the back end closes): pending I/O gets -XEN_EIO. */
void blkfront_disconnect(struct blkfront *f);

#endif
