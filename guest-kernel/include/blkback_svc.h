/*
 * blkback_svc.h: the driver domain's block back end service
 * (kernel/blkback_svc.c, docs/blkif.md "The driver domain's service"):
 * every virtio-blk function this domain sees is attached at boot and known
 * by its serial (NAME/INDEX, tools/tandem-run); the domain's own first
 * disk is the shell's vda, the others serve the frontends the store lists
 * under our backend/vbd, each instance a pvdrivers/blkback core over one
 * disk (or a region of it). One thread, `blkback`, drives those disks, the
 * rings and the store handshake.
 */
#ifndef GUEST_BLKBACK_SVC_H
#define GUEST_BLKBACK_SVC_H

#include "kernel.h"
#include "virtio_blk.h"

/* Boot, after xenbus_kernel_init: start the thread if a virtio-blk function is visible. */
void blkback_svc_start(void);
/*
 * The domain's own disk (serial <our name>/N, the first such; the first
 * function if our name is unknown), attached by the service, for the shell
 * thread to drive alone: waits for the boot probe. NULL if there is none;
 * *sbdf its function, *rc its attach result (a disk that failed: NULL, rc < 0).
 */
struct vblk *blkback_svc_own_disk(uint32_t *sbdf, int *rc);
/*
 * The device model's disks (devmodel_svc.c): the served disk with this
 * serial, taken from the service for the caller's thread to drive alone
 * (no vbd uses it, none will while it is claimed); NULL if there is none,
 * it failed, or a vbd uses it. Waits for the boot probe.
 */
struct vblk *blkback_svc_claim_disk(const char *serial);
void blkback_svc_release_disk(struct vblk *vb);
/* The shell's `vbd`: every disk the service holds and every instance, with its counters. */
void blkback_svc_list(void);

#endif
