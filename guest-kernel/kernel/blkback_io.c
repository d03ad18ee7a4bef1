/*
 * The block back end's disk side (blkback_svc_int.h): a blkback_io from
 * the core becomes one or more virtio-blk requests on the machine
 * addresses the grants were mapped at (GNTMAP_device_map), in phases:
 * a flush first for PREFLUSH, the data in pieces of at most the device's
 * seg_max vectors, a flush after for FUA. Requests the virtqueue has no
 * room for wait on the disk's FIFO and go when completions free it; the
 * core hears of each io once, through blkback_io_done. All in the
 * service thread.
 */
#include "blkback_svc_int.h"
#include <tandem/errno.h>

enum { PH_PRE, PH_DATA, PH_POST, PH_DISCARD };

static void finish(struct svc_io *s, int status)
{
    struct svc_vbd *v = s->v;

    s->busy = false;
    blkback_io_done(&v->be, s->io, status);
    v->need_process = true;
}

/* The vblk request of the current phase. */
static void build(struct svc_io *s)
{
    const struct blkback_io *io = s->io;
    struct vblk_req *r = &s->vr;
    unsigned int max = s->v->disk->vb.seg_max;

    /* Field by field: seg[] is filled up to nr_segs (clearing all of it costs half a kilobyte). */
    r->done = NULL;
    r->ctx = s;
    r->status = 0;
    r->finished = false;
    r->slot = 0;
    r->nr_segs = 0;
    r->nr_sectors = 0;
    r->sector = 0;
    if (s->phase == PH_DISCARD) {
        uint64_t left = io->nr_sectors - s->sectors_done;

        r->type = VIRTIO_BLK_T_DISCARD;
        r->sector = io->sector + s->sectors_done;
        r->nr_sectors = (uint32_t)(left < s->v->disk->vb.max_discard_sectors ? left
                                                                              : s->v->disk->vb.max_discard_sectors);
        return;
    }
    if (s->phase != PH_DATA) {
        r->type = VIRTIO_BLK_T_FLUSH;
        return;
    }
    r->type = io->op == BLKBACK_IO_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
    r->sector = io->sector + s->sectors_done;
    for (unsigned int i = s->next_vec; i < io->nr_vecs && r->nr_segs < max; i++)
        r->seg[r->nr_segs++] = (struct virtq_buf){ io->vec[i].bus, io->vec[i].len };
}

static void sub_done(struct vblk_req *r);

/* Send the current phase's request, or queue it behind the others waiting: 0 or -errno. */
static int send(struct svc_io *s)
{
    struct svc_disk *d = s->v->disk;
    int rc;

    build(s);
    s->vr.done = sub_done;
    s->next = NULL;
    if (!d->wait_head && (rc = vblk_submit(&d->vb, &s->vr)) != -XEN_EAGAIN)
        return rc;
    if (d->wait_tail)
        d->wait_tail->next = s;
    else
        d->wait_head = s;
    d->wait_tail = s;
    return 0;
}

/* The phase after the current one, or finish. */
static void advance(struct svc_io *s)
{
    const struct blkback_io *io = s->io;
    int rc;

    if (s->phase == PH_DISCARD) {
        s->sectors_done += s->vr.nr_sectors;
        if (s->sectors_done < io->nr_sectors)
            goto go;
        finish(s, 0);
        return;
    }
    if (s->phase == PH_DATA) {
        for (unsigned int i = 0; i < s->vr.nr_segs; i++)
            s->sectors_done += s->vr.seg[i].len / VBLK_SECTOR_SIZE;
        s->next_vec += s->vr.nr_segs;
        if (s->next_vec < io->nr_vecs)
            goto go;
        if (!(io->flags & BLKBACK_IO_FUA)) {
            finish(s, 0);
            return;
        }
        s->phase = PH_POST;
    } else if (s->phase == PH_PRE && io->nr_vecs) {
        s->phase = PH_DATA;
    } else {
        finish(s, 0);
        return;
    }
go:
    if ((rc = send(s)))
        finish(s, rc);
}

static void sub_done(struct vblk_req *r)
{
    struct svc_io *s = r->ctx;

    if (r->status) {
        finish(s, r->status);
        return;
    }
    advance(s);
}

int svc_io_submit(void *ctx, struct blkback_io *io)
{
    struct svc_vbd *v = ctx;
    struct svc_io *s = &v->io[(struct blkback_pending *)io - v->be.pend];
    int rc;

    if ((io->op == BLKBACK_IO_DISCARD && !v->disk->vb.can_discard) ||
        ((io->op == BLKBACK_IO_FLUSH || io->flags) && !v->disk->vb.can_flush))
        return -XEN_EOPNOTSUPP;
    s->v = v;                   /* s->vr: build() */
    s->io = io;
    s->busy = true;
    s->phase = 0;
    s->next_vec = 0;
    s->sectors_done = 0;
    s->next = NULL;
    if (io->op == BLKBACK_IO_DISCARD && !io->nr_sectors) {
        finish(s, 0);                   /* nothing to discard: done, as Linux's blkdev_issue_discard */
        return 0;
    }
    if (io->op == BLKBACK_IO_DISCARD)
        s->phase = PH_DISCARD;
    else if (io->op == BLKBACK_IO_FLUSH)
        s->phase = PH_POST;
    else
        s->phase = (io->flags & BLKBACK_IO_PREFLUSH) ? PH_PRE : PH_DATA;
    if ((rc = send(s)))
        s->busy = false;
    return rc;
}

void svc_disk_kick(struct svc_disk *d)
{
    while (d->wait_head) {
        struct svc_io *s = d->wait_head;
        int rc = vblk_submit(&d->vb, &s->vr);

        if (rc == -XEN_EAGAIN)
            return;
        d->wait_head = s->next;
        if (!d->wait_head)
            d->wait_tail = NULL;
        if (rc)
            finish(s, rc);
    }
}
