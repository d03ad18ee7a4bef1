/*
 * pv_blkback.h: the blkif back end core (docs/blkif.md "Backend"). It
 * serves one frontend disk from a shared (possibly multi-page) ring and
 * knows nothing of the kernel: grants, the disk and the event channel are
 * reached through struct blkback_ops, the store through struct
 * blkback_xs_ops, so host unit tests run it against fakes and the driver
 * domain plugs in pvos_grant_* and vblk_*.
 *
 * The frontend is hostile: every request is copied out of the ring once
 * and validated as Linux's xen-blkback does (same order, same answers);
 * a producer index more than a ring ahead disconnects it. Nothing mapped
 * for a request stays mapped after its response.
 *
 * Use: blkback_init; blkback_publish_features (-> InitWait);
 * blkback_read_frontend + blkback_connect + blkback_publish_disk
 * (-> Connected); on every event and after every batch of
 * blkback_io_done calls, blkback_process; blkback_disconnect to close.
 * No locking: every call, blkback_io_done included, from one thread.
 */
#ifndef PV_BLKBACK_H
#define PV_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <tandem/io/blkif.h>

#define BLKBACK_MAX_RING_ORDER     2u   /* max-ring-page-order: up to 4 pages, 128 slots */
#define BLKBACK_MAX_RING_PAGES     (1u << BLKBACK_MAX_RING_ORDER)
#define BLKBACK_MAX_INDIRECT_SEGS  32u  /* feature-max-indirect-segments (Linux's default) */
#define BLKBACK_MAX_INFLIGHT       32u  /* requests at the disk at once */
#define BLKBACK_PAGE_SIZE          4096u

/* What the disk is asked to do. */
enum blkback_io_op {
    BLKBACK_IO_READ,
    BLKBACK_IO_WRITE,
    BLKBACK_IO_FLUSH,           /* no data: make completed writes durable */
    BLKBACK_IO_DISCARD          /* no data: nr_sectors from sector */
};
#define BLKBACK_IO_PREFLUSH 0x1u   /* flush the cache before the data */
#define BLKBACK_IO_FUA      0x2u   /* data durable before completion */

/* One piece of a data page: len bytes at va (a mapped grant, offset applied), or at bus for a device. */
struct blkback_vec {
    void *va;                   /* NULL with map_data */
    uint64_t bus;               /* with map_data: the bytes' device (DMA) address, offset applied */
    uint32_t len;
};

struct blkback_io {
    enum blkback_io_op op;
    unsigned int flags;         /* BLKBACK_IO_* */
    uint64_t sector;            /* on the underlying disk (region offset applied) */
    uint64_t nr_sectors;
    unsigned int nr_vecs;
    struct blkback_vec vec[BLKBACK_MAX_INDIRECT_SEGS];
};

struct blkback_ops {
    void *ctx;
    /* Map grant `ref` of domain `domid` (one page) for the CPU: its address, or NULL with *err. */
    void *(*map)(void *ctx, uint16_t domid, uint32_t ref, bool readonly, int *err);
    void (*unmap)(void *ctx, void *va);
    /*
     * Optional (NULL: data pages go through map, vec.bus 0): map the n
     * data grants of one request for the disk alone, at once: handle[i]
     * for unmap_data, bus[i] the page's device address (vec.va is then
     * NULL: the core never touches data). 0, or -errno with none mapped.
     */
    int (*map_data)(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int n, bool readonly,
                    void **handle, uint64_t *bus);
    void (*unmap_data)(void *ctx, void **handle, unsigned int n);
    /*
     * Optional (NULL: indirect pages go through map and unmap): copy `len`
     * bytes from the start of grant `ref` of `domid` into dst, leaving
     * nothing mapped (GNTTABOP_copy). 0, or -errno.
     */
    int (*copy_in)(void *ctx, uint16_t domid, uint32_t ref, void *dst, uint32_t len);
    /* Map `nr` ring pages virtually contiguous, writable: the address, or NULL with *err. */
    void *(*map_ring)(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int nr, int *err);
    void (*unmap_ring)(void *ctx, void *va, unsigned int nr);
    /*
     * Start `io`; 0: blkback_io_done(io) follows (possibly from inside this
     * call); -errno: refused at once (no blkback_io_done).
     */
    int (*submit)(void *ctx, struct blkback_io *io);
    /* Send the frontend an event. */
    void (*notify)(void *ctx);
};

/* The frontend disk: `sectors` 512-byte sectors at `offset` of the underlying disk. */
struct blkback_disk {
    uint64_t disk_sectors;      /* size of the underlying disk */
    uint64_t offset;
    uint64_t sectors;
    uint32_t physical_sector_size;  /* 0: 512 */
    bool readonly;              /* mode=r */
    bool flush;                 /* the disk has a write cache it can flush */
    bool discard;
};

struct blkback_pending {
    struct blkback_io io;       /* first: blkback_io_done finds the pending request from it */
    void *page[BLKBACK_MAX_INDIRECT_SEGS];  /* the mapped grants (map's addresses or map_data's handles) */
    uint64_t id;
    uint8_t rsp_op;
    bool busy;
    bool barrier;
    int status;                 /* blkback_io_done's, while the batch holds it */
    uint16_t nr_segs;           /* waiting in the map batch: its segments */
    struct blkif_request_segment seg[BLKBACK_MAX_INDIRECT_SEGS];
};

struct blkback_stats {
    uint64_t requests;          /* consumed from the ring */
    uint64_t errors;            /* answered other than OKAY */
    uint64_t notifies;          /* events sent */
    uint64_t maps;              /* data and indirect grants mapped */
};

struct blkback {
    struct blkback_ops ops;
    struct blkback_disk disk;
    uint16_t domid;
    blkif_back_ring_t ring;
    void *ring_va;
    unsigned int ring_pages;
    bool connected;             /* ring mapped and served */
    bool closing;               /* disconnect asked; ring unmapped when nothing is in flight */
    bool barrier_active;        /* a barrier is draining or in flight: consume nothing */
    unsigned int inflight;
    unsigned int unpushed;      /* responses written, not yet published */
    unsigned int logs;          /* log lines so far (capped, so a frontend cannot flood) */
    unsigned int nr_tomap;      /* requests checked, waiting to be mapped together (ops.map_data) */
    struct blkback_pending *tomap[BLKBACK_MAX_INFLIGHT];
    bool batching;              /* blkback_batch_begin: completions held for blkback_batch_end */
    unsigned int nr_held;
    struct blkback_pending *held[BLKBACK_MAX_INFLIGHT];
    struct blkback_stats stats;
    struct blkback_pending pend[BLKBACK_MAX_INFLIGHT];
};

/* 0, or -XEN_EINVAL if the region does not fit the disk or is empty. */
int blkback_init(struct blkback *be, const struct blkback_ops *ops,
                 const struct blkback_disk *disk, uint16_t domid);
/*
 * Map the frontend's ring (2^order pages, refs[0..]). -XEN_EINVAL for an
 * order above BLKBACK_MAX_RING_ORDER, -XEN_EISCONN if connected, or the
 * map error (nothing stays mapped).
 */
int blkback_connect(struct blkback *be, const uint32_t *refs, unsigned int order);
/*
 * Publish completed responses (one event at most, if the frontend asked),
 * then consume requests until the ring is empty, the in-flight pool is
 * full or a barrier waits. 0, -XEN_ENOTCONN if not connected, or
 * -XEN_EACCES if the frontend's producer index was garbage (it is then
 * disconnected).
 */
int blkback_process(struct blkback *be);
/* The disk finished `io` (0 or -errno); the response is published by the next blkback_process. */
void blkback_io_done(struct blkback *be, struct blkback_io *io, int status);
/*
 * Completions between these two (with ops.map_data) are held, then at
 * blkback_batch_end their data grants are unmapped together (ops.unmap_data
 * with up to BLKBACK_MAX_INDIRECT_SEGS handles a call, several requests'
 * at once) and answered as blkback_io_done answers: every grant unmapped
 * before its response is written.
 */
void blkback_batch_begin(struct blkback *be);
void blkback_batch_end(struct blkback *be);
/* Stop serving; the ring is unmapped now or when the last in-flight request completes. */
void blkback_disconnect(struct blkback *be);
/* Nothing is mapped any more (ring and every request's grants). */
bool blkback_idle(const struct blkback *be);

/* The store, relative to the backend's (write) and the frontend's (read) directories. */
struct blkback_xs_ops {
    void *ctx;
    int (*write)(void *ctx, const char *key, const char *val);
    /* NUL-terminated value; -XEN_ENOENT when absent. */
    int (*read)(void *ctx, const char *key, char *buf, uint32_t cap);
};

/* Features, written before InitWait. 0 or the first write error. */
int blkback_publish_features(const struct blkback_xs_ops *xs, const struct blkback_disk *disk);
/* The disk's properties, written before Connected. 0 or the first write error. */
int blkback_publish_disk(const struct blkback_xs_ops *xs, const struct blkback_disk *disk);

struct blkback_front {
    unsigned int ring_order;
    uint32_t ring_ref[BLKBACK_MAX_RING_PAGES];
    uint32_t event_channel;
};
/*
 * The frontend's keys: ring-page-order (default 0), ring-ref or ring-ref0..N-1,
 * event-channel, protocol (absent or x86_64-abi). -XEN_ENOENT for a missing
 * key, -XEN_EINVAL for a bad number or order, -XEN_ENOSYS for another protocol.
 */
int blkback_read_frontend(const struct blkback_xs_ops *xs, struct blkback_front *f);

#endif
