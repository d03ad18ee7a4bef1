/*
 * cfg_disk_nodes: a domain line's disk= and vif= reach the domain as Xen's toolstack
 * names them: one vbd per entry, xvda = 51712 then +16 each (Xen's vdev numbering,
 * 202 << 8 | 16 i), after the devices= entries, and vif/0 (libxl's first vif), with the
 * nodes the store domain writes (xst_disk.h: the frontend's virtual-device and
 * device-type, the backend's params, mode, type, dev, ..., region-start/region-sectors
 * for a region). b.img is named twice (two regions): both entries name its one device,
 * serial nodes/1. Domain 0 is the store and the driver domain, so it backs them all.
 */
#include "xst_disk.h"

const char test_title[] = "cfg_disk_nodes: disk= and vif= become vbd/51712.. and vif/0 with libxl's keys";

void test_main(void)
{
    static const char *const types[] = { "9p", "vbd", "vif" };
    static const char *const vbds[] = { "51712", "51728", "51744" };
    static const char *const vifs[] = { "0" };
    static const char *const plain[] = { "backend", "backend-id", "state" };
    static const char *const vif_fe[] = { "backend", "backend-id", "handle", "mac", "state" };
    static const char *const vif_be[] = { "frontend", "frontend-id", "handle", "mac", "online", "state" };

    if (!xst_init())
        return;
    xst_dir_is("device", types, 3);
    xst_dir_is("device/vbd", vbds, 3);
    xst_dir_is("device/vif", vifs, 1);
    xst_disk_is(51712, 0, "nodes/0", "w", NULL, NULL);         /* a.img */
    xst_disk_is(51728, 0, "nodes/1", "r", "16", "32");         /* b.img:mode=r:start=8K:size=16K */
    xst_disk_is(51744, 0, "nodes/1", "w", "64", "64");         /* b.img:start=32K:size=32K */
    /* vif= gets xl's handle and mac (its mac=) on both sides; devices= entries the plain nodes only. */
    xst_frontend_at("vif", 0, 0);
    xst_frontend_at("9p", 3, 0);
    xst_dir_is("device/vif/0", vif_fe, 5);
    xst_read_is("device/vif/0/mac", "00:16:3e:00:00:42");
    xst_read_is("device/vif/0/handle", "0");
    xst_dir_is("/local/domain/0/backend/vif/1/0", vif_be, 6);
    xst_read_is("/local/domain/0/backend/vif/1/0/mac", "00:16:3e:00:00:42");
    xst_read_is("/local/domain/0/backend/vif/1/0/handle", "0");
    xst_read_is("/local/domain/0/backend/vif/1/0/online", "1");
    xst_dir_is("device/9p/3", plain, 3);
    xst_absent("/local/domain/0/backend/9p/1/3/params");
    test_success();
}
