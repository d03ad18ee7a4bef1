/*
 * cfg_disk_nodes: a domain line's disk= and vif= reach the domain as Xen's toolstack
 * names them: one vbd per entry, xvda = 51712 then +16 each (Xen's vdev numbering,
 * 202 << 8 | 16 i), after the devices= entries, and vif/0 (libxl's first vif), with
 * the nodes the store domain writes: the frontend's device/vbd/ID/{backend, backend-id,
 * state, virtual-device, device-type} and the backend's backend/vbd/N/ID/{frontend,
 * frontend-id, state, params, mode, type, device-type, online, removable, dev} plus
 * region-start/region-sectors for a region. b.img is named twice (two regions): both
 * entries name its one device, serial nodes/1. Domain 0 is the store and the driver domain.
 */
#include "xst.h"

const char test_title[] = "cfg_disk_nodes: disk= and vif= become vbd/51712.. and vif/0 with libxl's keys";

/* The keys of one disk= vbd on both sides; region_start NULL: a whole device. */
static void disk_is(unsigned int devid, const char *params, const char *mode, const char *dev,
                    const char *region_start, const char *region_sectors)
{
    static const char *const fe_keys[] = { "backend", "backend-id", "state", "virtual-device", "device-type" };
    static const char *const be_keys[] = { "frontend", "frontend-id", "state", "params", "mode", "type",
                                           "device-type", "online", "removable", "dev",
                                           "region-start", "region-sectors" };
    char fe[64], be[80], path[128], want[80];

    snprintf(fe, sizeof(fe), "device/vbd/%u", devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%u", xst.self, devid);
    xst_dir_is(fe, fe_keys, 5);
    xst_frontend_is("vbd", devid);
#define FE(key, ...) do { snprintf(path, sizeof(path), "%s/" key, fe); snprintf(want, sizeof(want), __VA_ARGS__); \
                          xst_read_is(path, want); } while (0)
#define BE(key, ...) do { snprintf(path, sizeof(path), "%s/" key, be); snprintf(want, sizeof(want), __VA_ARGS__); \
                          xst_read_is(path, want); } while (0)
    FE("backend-id", "0");
    FE("virtual-device", "%u", devid);
    FE("device-type", "disk");
    xst_dir_is(be, be_keys, region_start ? 12 : 10);
    BE("frontend", "/local/domain/%u/device/vbd/%u", xst.self, devid);
    BE("frontend-id", "%u", xst.self);
    BE("state", "1");
    BE("params", "%s", params);
    BE("mode", "%s", mode);
    BE("type", "phy");
    BE("device-type", "disk");
    BE("online", "1");
    BE("removable", "0");
    BE("dev", "%s", dev);
    if (region_start) {
        BE("region-start", "%s", region_start);
        BE("region-sectors", "%s", region_sectors);
    }
#undef FE
#undef BE
}

void test_main(void)
{
    static const char *const types[] = { "9p", "vbd", "vif" };
    static const char *const vbds[] = { "51712", "51728", "51744" };
    static const char *const vifs[] = { "0" };
    static const char *const plain[] = { "backend", "backend-id", "state" };

    if (!xst_init())
        return;
    xst_dir_is("device", types, 3);
    xst_dir_is("device/vbd", vbds, 3);
    xst_dir_is("device/vif", vifs, 1);
    disk_is(51712, "nodes/0", "w", "xvda", NULL, NULL);
    disk_is(51728, "nodes/1", "r", "xvdb", "16", "32");       /* b.img:mode=r:start=8K:size=16K */
    disk_is(51744, "nodes/1", "w", "xvdc", "64", "64");       /* b.img:start=32K:size=32K */
    /* vif= and devices= entries get the plain nodes only. */
    xst_frontend_is("vif", 0);
    xst_frontend_is("9p", 3);
    xst_dir_is("device/vif/0", plain, 3);
    xst_dir_is("device/9p/3", plain, 3);
    test_success();
}
