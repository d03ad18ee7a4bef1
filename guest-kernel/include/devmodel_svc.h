/*
 * devmodel_svc.h: the driver domain's device model service
 * (kernel/devmodel_svc.c, docs/devmodel.md): the emulated devices
 * (pvdrivers/devmodel) of every HVM domain whose disks the store lists
 * under our backend/ide, served through Xen's ioreq servers by one thread,
 * `devmodel`.
 */
#ifndef GUEST_DEVMODEL_SVC_H
#define GUEST_DEVMODEL_SVC_H

/* Boot, after blkback_svc_start: start the thread (if there is a store to find domains in). */
void devmodel_svc_start(void);
/* The shell's `devmodel`: each HVM domain served, its counters and disks. */
void devmodel_svc_list(void);

#endif
