/*
 * blkback_svc_int.h: what blkback_svc.c (store, instances, thread) and
 * blkback_io.c (the disk side of each request) share. Everything here is
 * touched by the `blkback` thread only, except the flags marked volatile
 * (set by event handlers and watch functions) and the counters the
 * shell's `vbd` reads.
 */
#ifndef GUEST_BLKBACK_SVC_INT_H
#define GUEST_BLKBACK_SVC_INT_H

#include "blkback_svc.h"
#include "store.h"
#include "pv_blkback.h"
#include <tandem/io/xenbus.h>

#define SVC_DISKS   8
#define SVC_VBDS    16

struct svc_vbd;

/* One request of the core on its way through the disk (blkback_io.c). */
struct svc_io {
    struct vblk_req vr;         /* the phase being done (vr.ctx: this) */
    struct svc_vbd *v;
    struct blkback_io *io;
    unsigned int phase;
    unsigned int next_vec;      /* first vector not yet sent */
    uint64_t sectors_done;
    bool busy;
    struct svc_io *next;        /* the disk's FIFO of requests waiting for room */
};

struct svc_disk {
    struct vblk vb;
    uint32_t sbdf;
    int rc;                     /* vblk_attach's */
    bool own;                   /* the domain's own: the shell's vda, not served */
    unsigned int users;         /* instances on it */
    struct svc_io *wait_head, *wait_tail;
};

struct svc_vbd {
    bool used;
    bool present;               /* its backend dir was there at the last scan */
    bool removed;               /* its backend dir is gone: the slot is free once idle */
    bool ready;                 /* keys read, core set up, features published */
    uint16_t fe;                /* frontend domain */
    uint32_t devid;
    char dir[48];               /* backend/vbd/F/DEVID (relative to our domain) */
    char fe_dir[96];            /* its `frontend` */
    char fe_state[112];
    char params[24];
    uint64_t region_start, region_sectors;
    bool region;
    struct xenbus_watch watch;  /* the frontend's state */
    bool watching;
    struct svc_disk *disk;
    XenbusState state;          /* ours, as last written */
    unsigned int fe_last;       /* the frontend's state, as last read */
    uint32_t port;
    bool have_port;
    volatile bool event;        /* the frontend's event came */
    volatile bool fe_changed;   /* its state may have changed */
    bool need_process;          /* completions to publish */
    unsigned int logs;
    struct blkback be;
    struct svc_io io[BLKBACK_MAX_INFLIGHT];
};

/* blkback_io.c: struct blkback_ops' submit; the disk's FIFO retried after completions. */
int svc_io_submit(void *ctx, struct blkback_io *io);
void svc_disk_kick(struct svc_disk *d);

#endif
