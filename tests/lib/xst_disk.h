/*
 * The store nodes of a disk= vbd as the store domain writes them (docs/xenstore.md,
 * "Device nodes"), read by the domain that owns it over its store ring (xst.h). Only the
 * keys the store domain writes are checked, so a backend that has started serving the
 * disk (its state, its own keys) does not change the outcome.
 */
#ifndef TANDEM_TEST_XST_DISK_H
#define TANDEM_TEST_XST_DISK_H

#include "xst.h"

/* device/TYPE/ID names its backend dir in domain `backend` (backend, backend-id) and is in state 1. */
void xst_frontend_at(const char *type, unsigned int id, domid_t backend);

/*
 * device/vbd/DEVID holds exactly backend, backend-id, state, virtual-device=DEVID,
 * device-type=disk; /local/domain/B/backend/vbd/SELF/DEVID holds frontend, frontend-id,
 * params, mode, type=phy, device-type=disk, online=1, removable=0, dev=xvdX, and
 * region-start/region-sectors exactly when region_start is not NULL. test_fail otherwise.
 */
void xst_disk_is(unsigned int devid, domid_t backend, const char *params, const char *mode,
                 const char *region_start, const char *region_sectors);

/* A node that must not exist (ENOENT); test_fail otherwise. */
void xst_absent(const char *path);

#endif
