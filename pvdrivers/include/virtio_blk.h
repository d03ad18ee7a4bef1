/*
 * virtio_blk.h: a virtio-blk driver (virtio 1.x 5.2) over the modern PCI
 * transport (virtio.h): read, write, flush, capacity, the serial (GET_ID),
 * several requests in flight, completions signalled by MSI-X events.
 * Requests name machine addresses, so a backend can pass the frames it was
 * granted (GNTMAP_device_map's dev_bus_addr) without copying.
 *
 * One thread drives a disk: vblk_submit, vblk_poll and vblk_wait from that
 * thread only. Completion callbacks run in that thread, in vblk_poll.
 */
#ifndef PV_VIRTIO_BLK_H
#define PV_VIRTIO_BLK_H

#include "virtio.h"

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN         0
#define VIRTIO_BLK_T_OUT        1
#define VIRTIO_BLK_T_FLUSH      4
#define VIRTIO_BLK_T_GET_ID     8
#define VIRTIO_BLK_T_DISCARD    11
#define VIRTIO_BLK_S_OK         0
#define VIRTIO_BLK_S_IOERR      1
#define VIRTIO_BLK_S_UNSUPP     2
/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX   1
#define VIRTIO_BLK_F_SEG_MAX    2
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9
#define VIRTIO_BLK_F_DISCARD    13

#define VBLK_SECTOR_SIZE        512     /* virtio-blk sectors are always 512 bytes */
#define VBLK_ID_BYTES           20
#define VBLK_MAX_SEGS           32      /* data buffers per request: a blkif indirect request's 32 pages */
#define VBLK_SLOTS              64      /* requests in flight at most */

struct vblk_req {
    /* IN */
    uint32_t type;              /* VIRTIO_BLK_T_* */
    uint64_t sector;            /* 512-byte units */
    unsigned int nr_segs;       /* 0 for FLUSH and DISCARD */
    uint32_t nr_sectors;        /* DISCARD only: sectors from `sector` (1 .. max_discard_sectors) */
    struct virtq_buf seg[VBLK_MAX_SEGS];    /* machine address and length (a multiple of 512) */
    void (*done)(struct vblk_req *r);       /* optional: called from vblk_poll */
    void *ctx;
    /* OUT */
    int status;                 /* 0, -EIO (IOERR), -EOPNOTSUPP (UNSUPP) */
    bool finished;
    /* the driver's */
    unsigned int slot;
};

struct vblk {
    struct virtio_pci vp;
    struct virtq vq;
    uint64_t capacity;          /* sectors */
    uint32_t seg_max;           /* data segments the device takes per request */
    bool readonly, can_flush, polling;
    bool can_discard;           /* VIRTIO_BLK_F_DISCARD with max_discard_sectors > 0 */
    uint32_t max_discard_sectors;   /* sectors one DISCARD request may name */
    char serial[VBLK_ID_BYTES + 1];
    uint8_t *slots;             /* page: per slot a 16-byte header and a status byte */
    uint64_t slots_maddr;
    uint64_t slot_busy;         /* bitmap of VBLK_SLOTS */
    unsigned int in_flight;
    struct pvos_wait wait;
    struct pvos_wait *also_wake;    /* set by a thread driving several disks: woken on each queue event */
    bool plugged, kick_pending;     /* vblk_plug: submissions kick the device once, at vblk_unplug */
    uint64_t events;            /* queue interrupts taken */
    uint64_t completed;
};

/*
 * Take the virtio-blk function `sbdf`: negotiate (FLUSH, SEG_MAX, BLK_SIZE,
 * RO, SIZE_MAX), one request queue, MSI-X entry 1 for it (entry 0 for
 * configuration changes), read capacity and serial. Falls back to polling
 * if MSI-X cannot be bound (b->polling). 0 or -errno (the device is reset).
 */
int vblk_attach(struct vblk *b, uint32_t sbdf);
/*
 * Queue a request and kick the device. 0; -EAGAIN if VBLK_SLOTS or the
 * ring's descriptors are in use (vblk_wait for a completion, then retry);
 * -EINVAL for a bad segment count or length, or a write to a read-only disk;
 * -ERANGE past the end of the disk.
 */
int vblk_submit(struct vblk *b, struct vblk_req *r);
/* Hold kicks back (a batch of submissions), then kick once if any was held. */
void vblk_plug(struct vblk *b);
void vblk_unplug(struct vblk *b);
/* Finish every request the device has completed (status, finished, done); their count. */
unsigned int vblk_poll(struct vblk *b);
/* vblk_poll until cond(arg) holds or deadline_ns (0: none); true if it held. */
bool vblk_wait(struct vblk *b, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns);
/* Submit one request and wait for it: its status, or vblk_submit's error, -ETIMEDOUT after 10 s. */
int vblk_do(struct vblk *b, struct vblk_req *r);
/* Reset the device and give back the queue's pages and the events (no request may be in flight). */
void vblk_detach(struct vblk *b);

#endif
