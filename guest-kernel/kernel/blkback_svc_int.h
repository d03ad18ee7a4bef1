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
    bool dm;                    /* claimed by the device model (an HVM domain's emulated disk) */
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

#define SVC_MAX_LOGS 16         /* per instance: a frontend cannot flood the console */
#define vlog(v, fmt, ...) do {                                                          \
    if ((v)->logs < SVC_MAX_LOGS) {                                                         \
        (v)->logs++;                                                                    \
        printk("blkback d%u/%u: " fmt "\n", (v)->fe, (v)->devid, ##__VA_ARGS__);        \
    }                                                                                   \
} while (0)

/* blkback_svc.c: the disks, the instances, the thread. */
extern struct svc_disk svc_disks[SVC_DISKS];
extern unsigned int svc_nr_disks;
extern struct svc_vbd *svc_vbds[SVC_VBDS];
extern volatile bool svc_rescan;        /* a watch under backend/vbd fired: scan again */
/* Wake the thread to look at its flags (event handlers and watch functions may call it). */
void svc_wake(void);
/* A served (not own, attached) disk by its serial; NULL if none. */
struct svc_disk *svc_disk_by_serial(const char *serial);

/* blkback_vbd.c: find instances (backend/vbd), step one's handshake, serve its ring. */
extern unsigned int svc_mapped;         /* frontend pages mapped by the instances now */
void svc_scan(void);
void svc_vbd_frontend(struct svc_vbd *v);
void svc_vbd_serve(struct svc_vbd *v);

/* blkback_io.c: struct blkback_ops' submit; the disk's FIFO retried after completions. */
int svc_io_submit(void *ctx, struct blkback_io *io);
void svc_disk_kick(struct svc_disk *d);

#endif
