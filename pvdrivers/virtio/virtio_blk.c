/*
 * virtio-blk (virtio 1.x 5.2): each request is a chain of a 16-byte header
 * (type, reserved, sector) the device reads, the data buffers (read by the
 * device for OUT, written for IN and GET_ID) and one status byte it writes.
 * Headers and status bytes live in one page of slots, one per request in flight.
 */
#include "virtio_blk.h"
#include <tandem/errno.h>

#define SLOT_BYTES      32              /* header at 0, status byte at 16 */
#define Q_ENTRY         1               /* MSI-X entry of the request queue; 0: config changes */
#define DO_TIMEOUT_NS   10000000000ULL

struct blk_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

/*
 * Config layout (5.2.4): capacity at 0, size_max 8, seg_max 12, geometry 16, blk_size 20,
 * topology 24, writeback 32, max_discard_sectors 36, max_discard_seg 40, alignment 44.
 */
#define CFG_CAPACITY    0
#define CFG_SEG_MAX     12
#define CFG_MAX_DISCARD_SECTORS 36
/* A DISCARD's one range (struct virtio_blk_discard_write_zeroes, 16 bytes) per slot, from here. */
#define DISCARD_AREA    2560

struct blk_discard {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;             /* bit 0 unmap: only for WRITE_ZEROES */
};
/* The slot page: headers and status bytes, the GET_ID buffer after them, then the ranges. */
_Static_assert(VBLK_SLOTS * SLOT_BYTES + VBLK_ID_BYTES <= DISCARD_AREA, "slot page layout");
_Static_assert(DISCARD_AREA + VBLK_SLOTS * sizeof(struct blk_discard) <= 4096, "slot page layout");

static void on_queue_event(uint32_t port, void *ctx)
{
    struct vblk *b = ctx;

    (void)port;
    b->events++;
    pvos_wake(&b->wait);
    if (b->also_wake)
        pvos_wake(b->also_wake);
}

static int slot_claim(struct vblk *b)
{
    for (unsigned int i = 0; i < VBLK_SLOTS; i++)
        if (!(b->slot_busy & (1ULL << i))) {
            b->slot_busy |= 1ULL << i;
            return (int)i;
        }
    return -XEN_EAGAIN;
}

static int check_req(const struct vblk *b, const struct vblk_req *r)
{
    uint64_t bytes = 0;

    if (r->nr_segs > VBLK_MAX_SEGS || r->nr_segs > b->seg_max)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < r->nr_segs; i++) {
        if (!r->seg[i].len || (r->type != VIRTIO_BLK_T_GET_ID && r->seg[i].len % VBLK_SECTOR_SIZE))
            return -XEN_EINVAL;
        bytes += r->seg[i].len;
    }
    switch (r->type) {
    case VIRTIO_BLK_T_OUT:
        if (b->readonly)
            return -XEN_EINVAL;
        /* fall through */
    case VIRTIO_BLK_T_IN:
        if (!r->nr_segs)
            return -XEN_EINVAL;
        if (r->sector > b->capacity || bytes / VBLK_SECTOR_SIZE > b->capacity - r->sector)
            return -XEN_ERANGE;
        return 0;
    case VIRTIO_BLK_T_FLUSH:
        return r->nr_segs ? -XEN_EINVAL : 0;
    case VIRTIO_BLK_T_DISCARD:
        if (!b->can_discard || b->readonly || r->nr_segs || !r->nr_sectors ||
            r->nr_sectors > b->max_discard_sectors)
            return -XEN_EINVAL;
        if (r->sector > b->capacity || r->nr_sectors > b->capacity - r->sector)
            return -XEN_ERANGE;
        return 0;
    case VIRTIO_BLK_T_GET_ID:
        return r->nr_segs == 1 && r->seg[0].len == VBLK_ID_BYTES ? 0 : -XEN_EINVAL;
    default:
        return -XEN_EINVAL;
    }
}

int vblk_submit(struct vblk *b, struct vblk_req *r)
{
    struct virtq_buf bufs[VBLK_MAX_SEGS + 2];
    bool device_writes = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
    struct blk_hdr *h;
    int slot, rc;

    if ((rc = check_req(b, r)))
        return rc;
    if (virtq_nr_free(&b->vq) < (r->type == VIRTIO_BLK_T_DISCARD ? 1 : r->nr_segs) + 2 ||
        (slot = slot_claim(b)) < 0)
        return -XEN_EAGAIN;
    h = (struct blk_hdr *)(b->slots + slot * SLOT_BYTES);
    *h = (struct blk_hdr){ .type = r->type, .sector = r->type == VIRTIO_BLK_T_FLUSH ? 0 : r->sector };
    b->slots[slot * SLOT_BYTES + 16] = 0xff;        /* the device overwrites it */
    bufs[0] = (struct virtq_buf){ b->slots_maddr + slot * SLOT_BYTES, sizeof(*h) };
    unsigned int nbufs = r->nr_segs;

    for (unsigned int i = 0; i < r->nr_segs; i++)
        bufs[1 + i] = r->seg[i];
    if (r->type == VIRTIO_BLK_T_DISCARD) {
        struct blk_discard *dz = (struct blk_discard *)(b->slots + DISCARD_AREA + slot * sizeof(*dz));

        *dz = (struct blk_discard){ .sector = r->sector, .num_sectors = r->nr_sectors };
        bufs[1] = (struct virtq_buf){ b->slots_maddr + DISCARD_AREA + slot * sizeof(*dz), sizeof(*dz) };
        nbufs = 1;
    }
    bufs[1 + nbufs] = (struct virtq_buf){ b->slots_maddr + slot * SLOT_BYTES + 16, 1 };
    r->slot = (unsigned int)slot;
    r->finished = false;
    rc = virtq_add(&b->vq, bufs, device_writes ? 1 : 1 + nbufs, device_writes ? nbufs + 1 : 1, r);
    if (rc) {
        b->slot_busy &= ~(1ULL << slot);
        return rc;
    }
    b->in_flight++;
    if (b->plugged)
        b->kick_pending = true;
    else
        virtq_kick(&b->vq);
    return 0;
}

void vblk_plug(struct vblk *b)
{
    b->plugged = true;
}

void vblk_unplug(struct vblk *b)
{
    b->plugged = false;
    if (b->kick_pending) {
        b->kick_pending = false;
        virtq_kick(&b->vq);
    }
}

unsigned int vblk_poll(struct vblk *b)
{
    unsigned int n = 0;
    uint32_t len;

    while (virtq_has_used(&b->vq)) {
        struct vblk_req *r = virtq_get(&b->vq, &len);
        uint8_t st;

        if (!r)
            continue;
        st = b->slots[r->slot * SLOT_BYTES + 16];
        r->status = st == VIRTIO_BLK_S_OK ? 0 : st == VIRTIO_BLK_S_UNSUPP ? -XEN_EOPNOTSUPP : -XEN_EIO;
        b->slot_busy &= ~(1ULL << r->slot);
        b->in_flight--;
        b->completed++;
        n++;
        r->finished = true;
        if (r->done)
            r->done(r);
    }
    return n;
}

static bool has_used(void *arg)
{
    return virtq_has_used(&((struct vblk *)arg)->vq);
}

bool vblk_wait(struct vblk *b, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t until = deadline_ns;

        vblk_poll(b);
        if (cond(arg))
            return true;
        if (deadline_ns && pvos_now_ns() >= deadline_ns)
            return false;
        if (b->polling) {           /* no interrupts: look again in a millisecond */
            uint64_t soon = pvos_now_ns() + 1000000;
            until = !until || soon < until ? soon : until;
        }
        pvos_wait_until(&b->wait, has_used, b, until);
    }
}

static bool req_finished(void *arg)
{
    return ((struct vblk_req *)arg)->finished;
}

int vblk_do(struct vblk *b, struct vblk_req *r)
{
    int rc = vblk_submit(b, r);

    if (rc)
        return rc;
    if (!vblk_wait(b, req_finished, r, pvos_now_ns() + DO_TIMEOUT_NS))
        return -XEN_ETIMEDOUT;      /* the request stays in flight: the slot is lost */
    return r->status;
}

/* Queue, MSI-X and config; the device stays before DRIVER_OK. */
static int vblk_setup(struct vblk *b)
{
    uint16_t vector = VIRTIO_MSI_NO_VECTOR;
    int rc;

    if ((rc = virtio_pci_negotiate(&b->vp, 1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_SEG_MAX |
                                   1ULL << VIRTIO_BLK_F_RO | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
                                   1ULL << VIRTIO_BLK_F_SIZE_MAX | 1ULL << VIRTIO_BLK_F_DISCARD, 0)))
        return rc;
    if (!(b->slots = pvos_page_alloc()))
        return -XEN_ENOMEM;
    b->slots_maddr = pvos_page_mfn(b->slots) << 12;
    if (virtio_pci_bind(&b->vp, Q_ENTRY, on_queue_event, b) >= 0)
        vector = Q_ENTRY;
    b->polling = vector == VIRTIO_MSI_NO_VECTOR;
    virtio_pci_config_vector(&b->vp, VIRTIO_MSI_NO_VECTOR);
    if ((rc = virtio_pci_setup_queue(&b->vp, &b->vq, 0, VIRTQ_MAX_SIZE, vector)))
        return rc;
    virtio_pci_config(&b->vp, CFG_CAPACITY, &b->capacity, 8);
    b->seg_max = VBLK_MAX_SEGS;
    if (virtio_has(&b->vp, VIRTIO_BLK_F_SEG_MAX)) {
        virtio_pci_config(&b->vp, CFG_SEG_MAX, &b->seg_max, 4);
        if (!b->seg_max || b->seg_max > VBLK_MAX_SEGS)
            b->seg_max = VBLK_MAX_SEGS;
    }
    b->readonly = virtio_has(&b->vp, VIRTIO_BLK_F_RO);
    b->can_flush = virtio_has(&b->vp, VIRTIO_BLK_F_FLUSH);
    b->max_discard_sectors = 0;
    if (virtio_has(&b->vp, VIRTIO_BLK_F_DISCARD))
        virtio_pci_config(&b->vp, CFG_MAX_DISCARD_SECTORS, &b->max_discard_sectors, 4);
    b->can_discard = b->max_discard_sectors && !b->readonly;
    return 0;
}

/* GET_ID into the slot page's tail: the serial, NUL-padded by the device if shorter. */
static void vblk_read_serial(struct vblk *b)
{
    struct vblk_req r = { .type = VIRTIO_BLK_T_GET_ID, .nr_segs = 1 };
    unsigned int at = VBLK_SLOTS * SLOT_BYTES;

    r.seg[0] = (struct virtq_buf){ b->slots_maddr + at, VBLK_ID_BYTES };
    b->serial[0] = 0;
    if (vblk_do(b, &r))
        return;
    for (unsigned int i = 0; i < VBLK_ID_BYTES; i++)
        b->serial[i] = (char)b->slots[at + i];
    b->serial[VBLK_ID_BYTES] = 0;
}

int vblk_attach(struct vblk *b, uint32_t sbdf)
{
    int rc;

    *b = (struct vblk){ 0 };
    if ((rc = virtio_pci_init(&b->vp, sbdf)))
        return rc;
    if ((rc = vblk_setup(b))) {
        vblk_detach(b);
        return rc;
    }
    virtio_pci_ready(&b->vp);
    vblk_read_serial(b);
    return 0;
}

void vblk_detach(struct vblk *b)
{
    if (b->vp.common)
        virtio_pci_reset(&b->vp);
    for (unsigned int i = 0; i < VIRTIO_PCI_MAX_VECTORS; i++)
        if (b->vp.port[i] >= 0) {
            pvos_msix_unbind(b->vp.sbdf, i, b->vp.port[i]);
            b->vp.port[i] = -1;
        }
    if (b->vq.desc)
        pvos_page_free((void *)b->vq.desc);
    if (b->slots)
        pvos_page_free(b->slots);
    b->vq.desc = NULL;
    b->slots = NULL;
}
